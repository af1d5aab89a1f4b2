"""Sphinx configuration of the flask-peewee (split) documentation.

Builds offline (no intersphinx, no remote assets) and is meant to run with warnings
as errors: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import importlib
import re

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
    "undoc-members": True,
    "show-inheritance": True,
    "exclude-members": "__version__",
}

html_theme = "furo"
html_title = "flask-peewee (split)"
html_static_path: list[str] = []
html_show_sourcelink = False
pygments_style = "sphinx"


def _forwarded(module_name: str) -> list[str]:
    """Names a module forwards from a third party (``flask_peewee.db`` forwards peewee's), listed in ``_FORWARDED``."""
    return sorted(getattr(importlib.import_module(module_name), "_FORWARDED", ()))


def _public_constants(module_name: str) -> list[str]:
    """The names in a module's ``__all__`` that are values, not classes or functions."""
    module = importlib.import_module(module_name)
    forwarded = set(_forwarded(module_name))
    return [
        name
        for name in module.__all__
        if name != "__version__" and name not in forwarded and not callable(getattr(module, name))
    ]


def _forwarded_entries(module_name: str) -> str:
    """One short entry per forwarded name, pointing at its origin, instead of its whole documentation."""
    module = importlib.import_module(module_name)
    entries = []
    for name in _forwarded(module_name):
        obj = getattr(module, name)
        directive = "py:class" if isinstance(obj, type) else "py:data"
        origin = f"peewee.{name}"
        entries.append(f".. {directive}:: {name}\n   :module: {module_name}\n\n   ``{origin}``, forwarded.\n")
    return "\n".join(entries)


def _skip_forwarded(app: object, what: str, name: str, obj: object, skip: bool, options: object) -> bool | None:
    """Leave forwarded names out of ``automodule``: ``.. forwarded:`` lists them briefly."""
    if what == "module" and name in _FORWARDED_DB and obj is getattr(_peewee, name, None):
        return True
    return None


_FORWARDED_DB = frozenset(_forwarded("flask_peewee.db"))
_peewee = importlib.import_module("peewee")


def _add_constants(app: object, docname: str, source: list[str]) -> None:
    """Expand ``.. constants: <module>`` comments in api.rst into ``autodata`` entries.

    ``automodule`` skips values a package re-exports from its private modules (it only
    finds data assigned in the module itself), so they are listed here from ``__all__``.
    """
    if docname != "api":
        return

    def expand(match: re.Match[str]) -> str:
        names = _public_constants(match.group(1))
        return "\n".join(f".. autodata:: {match.group(1)}.{name}\n" for name in names)

    source[0] = re.sub(r"^\.\. constants: (\S+)$", expand, source[0], flags=re.MULTILINE)
    source[0] = re.sub(
        r"^\.\. forwarded: (\S+)$", lambda m: _forwarded_entries(m.group(1)), source[0], flags=re.MULTILINE
    )


def setup(app: object) -> dict[str, bool]:
    app.connect("source-read", _add_constants)  # type: ignore[attr-defined]
    app.connect("autodoc-skip-member", _skip_forwarded)  # type: ignore[attr-defined]
    return {"parallel_read_safe": True}
