"""The documentation site builds offline with warnings as errors, and the tutorial is all tested code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent
TUTORIAL_FILES = DOCS / "examples" / "tutorial"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML site, built once with ``-W`` (any warning fails the build)."""
    out = tmp_path_factory.mktemp("html")
    doctrees = tmp_path_factory.mktemp("doctrees")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(doctrees),
            str(DOCS),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_every_chapter_is_built(site):
    chapters = [
        "index",
        "installation",
        "tutorial",
        "database",
        "utils",
        "auth",
        "admin",
        "rest",
        "deployment",
        "security",
        "configuration",
        "migrating",
        "api",
        "contributing",
    ]

    missing = [name for name in chapters if not (site / f"{name}.html").is_file()]

    assert missing == []


def test_api_reference_documents_every_public_name(site):
    html = (site / "api.html").read_text()

    for part in ("db", "utils", "auth", "admin", "rest"):
        module = __import__(f"flask_peewee.{part}", fromlist=["__all__"])
        for name in module.__all__:
            if name == "__version__":
                continue
            assert f'id="flask_peewee.{part}.{name}"' in html, f"flask_peewee.{part}.{name} is not in the API reference"


def test_pages_load_nothing_from_the_network(site):
    remote = []
    for page in site.rglob("*.html"):
        text = page.read_text()
        remote += re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', text)

    assert remote == []


def test_tutorial_code_is_only_included_files():
    source = (DOCS / "tutorial.rst").read_text()

    included = re.findall(r"\.\. literalinclude:: (\S+)", source)
    inline_python = re.findall(r"\.\. code-block:: python", source)

    assert inline_python == [], "tutorial code belongs in docs/examples/tutorial/ where the tests run it"
    assert included
    for path in included:
        assert (DOCS / path).is_file(), path
    shown = {Path(p).name for p in included}
    assert shown == {p.name for p in TUTORIAL_FILES.rglob("*") if p.is_file()}


def test_every_tutorial_file_is_run_by_a_test():
    tests = (DOCS / "tests" / "test_docs_tutorial.py").read_text()

    untested = [p.name for p in TUTORIAL_FILES.glob("*.py") if f'"{p.name}"' not in tests]

    assert untested == []


def test_compatibility_table_lists_the_rewrites(site):
    html = (site / "migrating.html").read_text()

    for rewrite in ("__str__", "markupsafe", "werkzeug.utils", "backref=", "safe=True", "id__lt=2", "created.desc()"):
        assert rewrite in html, rewrite
