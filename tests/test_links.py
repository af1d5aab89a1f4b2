"""Links in the repository's Markdown work where the repository is shown, and point only at this project.

The project has no public address yet: its own files are linked with paths relative to the
linking file (images included, so the admin README's screenshots render from the
repository), and no file names an address that is not this project's.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Markdown links and images, and HTML images: ``[text](target)``, ``![alt](target)``, ``<img src="target">``.
LINK = re.compile(r"\]\(\s*(?P<url>[^)\s]+)[^)]*\)|<img[^>]+src=\"(?P<img>[^\"]+)\"")
#: Addresses that are not this project's, though they once stood for it.
NOT_OURS = ("github.com/" + "flask-peewee/", "raw.githubusercontent.com/" + "flask-peewee/")


def tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *patterns],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [ROOT / name for name in filter(None, listed.split("\0")) if (ROOT / name).is_file()]


def test_relative_links_of_markdown_files_name_files_of_the_repository():
    broken = []
    markdown = tracked("*.md")
    for path in markdown:
        for match in LINK.finditer(path.read_text(encoding="utf-8")):
            url = match["url"] or match["img"]
            if re.match(r"^(https?:|mailto:|#)", url):
                continue
            target = (path.parent / url.split("#", 1)[0]).resolve()
            if not (target.is_relative_to(ROOT) and target.exists()):
                broken.append(f"{path.relative_to(ROOT)}: {url}")

    assert any(p.name == "README.md" and p.parent.name == "flask-peewee-admin" for p in markdown)
    assert broken == []


def test_admin_readme_screenshots_are_files_beside_it():
    readme = ROOT / "packages" / "flask-peewee-admin" / "README.md"

    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme.read_text(encoding="utf-8"))

    assert images == ["docs/dashboard.png", "docs/list.png", "docs/edit-form.png"]
    assert all((readme.parent / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for image in images)


def test_nothing_links_an_address_that_is_not_the_projects():
    this = Path(__file__).resolve()
    found = []
    for path in tracked():
        if path.resolve() == this or path.suffix in (".png", ".ico", ".woff2", ".gz", ".whl"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(ROOT)}: {address}" for address in NOT_OURS if address in text]

    assert found == []


def test_package_metadata_declares_no_urls_until_the_project_has_an_address():
    declaring = [p.parent.name for p in ROOT.glob("packages/*/pyproject.toml") if "[project.urls]" in p.read_text()]

    assert declaring == []


def test_every_admin_screenshot_is_shown_and_the_languages_are_complete():
    """The admin's docs/ folder holds only pictures the README or docs/admin.rst show; docs/i18n/ has every language."""
    folder = ROOT / "packages" / "flask-peewee-admin" / "docs"
    readme = (folder.parent / "README.md").read_text(encoding="utf-8")
    chapter = (ROOT / "docs" / "admin.rst").read_text(encoding="utf-8")

    pictures = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.png"))
    shown_in_chapter = {p for p in pictures if f"../packages/flask-peewee-admin/docs/{p}" in chapter}
    unshown = [p for p in pictures if f"(docs/{p})" not in readme and p not in shown_in_chapter]

    assert unshown == []
    assert {p for p in pictures if p.startswith("i18n/")} == {
        f"i18n/{page}-{lang}.png" for page in ("login", "list", "edit-form") for lang in ("de", "fr", "es")
    }
