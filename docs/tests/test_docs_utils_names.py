"""docs/utils.rst names utils' internal helpers in one section, and no other chapter advertises them."""

from __future__ import annotations

import re
from pathlib import Path

import flask_peewee.utils
import flask_peewee.utils.internal

DOCS = Path(__file__).resolve().parent.parent
SECTION = "Public and internal names"


def _section() -> str:
    text = (DOCS / "utils.rst").read_text()
    start = text.index(SECTION + "\n")
    following = re.search(r"\n[^\n]+\n-{3,}\n", text[start + len(SECTION) + 1 :])
    return text[start : start + len(SECTION) + 1 + following.start()] if following else text[start:]


def _literals(text: str) -> set[str]:
    return set(re.findall(r"``([A-Za-z_][A-Za-z0-9_]*)``", text))


def test_the_section_lists_exactly_the_internal_names():
    table = _section().split(".. list-table::", 1)[1]
    listed = _literals(table) - {"clamp_page", "PaginatedQuery"}
    assert listed == set(flask_peewee.utils.internal.__all__)


def test_no_chapter_advertises_an_internal_name_elsewhere():
    internal = set(flask_peewee.utils.internal.__all__)
    section = _section()
    found = {}
    for page in DOCS.glob("*.rst"):
        text = page.read_text()
        if page.name == "utils.rst":
            text = text.replace(section, "")
        named = {name for name in internal if re.search(rf"\b{name}\b", text)}
        if named:
            found[page.name] = sorted(named)
    assert found == {}


def test_public_names_are_not_listed_as_internal():
    assert not set(flask_peewee.utils.internal.__all__) & set(flask_peewee.utils.__all__)
