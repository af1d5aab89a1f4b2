"""Sphinx configuration of the flask-peewee (split) documentation.

Builds offline (no intersphinx, no remote assets) and is meant to run with warnings
as errors: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import importlib

# The API reference documents the five installed packages. A package that cannot be
# imported must fail the build, not leave an empty page behind.
PACKAGES = ("db", "utils", "auth", "admin", "rest")
for _part in PACKAGES:
    try:
        importlib.import_module(f"flask_peewee.{_part}")
    except ImportError as exc:  # pragma: no cover - the message is the point
        raise RuntimeError(
            f"flask_peewee.{_part} is not importable ({exc}); install every package before building "
            f"the docs: pip install -e packages/flask-peewee-{_part}"
        ) from exc

project = "flask-peewee (split)"
author = "the flask-peewee (split) contributors"
copyright = "the flask-peewee (split) contributors, MIT license"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "tests", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# Offline: nothing here may reach the network at build time.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

nitpicky = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "exclude-members": "__version__",
}

html_theme = "furo"
html_title = "flask-peewee (split)"
html_static_path: list[str] = []
html_show_sourcelink = False
pygments_style = "sphinx"
