"""The tutorial as a reader follows it: every block pasted, in order, where the text says, into one file.

The paste instructions are read from the sentence in front of each listing ("Add above the
``if __name__`` block:", "Replace the lines from ``a`` to ``b`` with:", ...), and each listing's
text is what Sphinx shows for its ``literalinclude`` (the same reader class and options). After
every paste the file is run as ``python app.py`` would run it; a listing that needs an import the
reader has not been given fails here, as it would for the reader.
"""

from __future__ import annotations

import base64
import json
import re
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.config import Config
from sphinx.directives.code import LiteralIncludeReader

DOCS = Path(__file__).resolve().parent.parent
TUTORIAL_RST = DOCS / "tutorial.rst"
TUTORIAL_FILES = DOCS / "examples" / "tutorial"
MAIN = 'if __name__ == "__main__":'

#: What a sentence in front of a listing may ask; the first group names a file or a line of app.py.
INSTRUCTIONS = {
    "new file": r"new file called ``([^`]+)``",
    "whole file": r"the whole ``([^`]+)`` now reads",
    "shell": r"python shell in the folder of ``app\.py`` and run",
    "replace imports": r"replace the imports at the top of ``app\.py`` with",
    "replace above": r"replace everything above ``([^`]+)`` with",
    "add below": r"add below ``([^`]+)``",
    "add above main": r"add above the ``if __name__`` block",
    "replace main": r"replace the ``if __name__`` block with",
    "replace lines": r"replace the lines from ``([^`]+)`` to ``([^`]+)`` with",
}


@dataclass
class Listing:
    """One ``literalinclude`` of the chapter: the text shown and the instruction in front of it."""

    path: str
    options: dict[str, str]
    text: str
    instruction: str | None
    args: tuple[str, ...]
    line: int


def listings() -> list[Listing]:
    """The chapter's listings in reading order."""
    source = TUTORIAL_RST.read_text()
    lines = source.splitlines()
    found = []
    for number, line in enumerate(lines):
        match = re.match(r"\.\. literalinclude:: (\S+)$", line)
        if not match:
            continue
        options = {}
        for option_line in lines[number + 1 :]:
            option = re.match(r"\s+:([\w-]+):\s*(.*)$", option_line)
            if not option:
                break
            options[option.group(1)] = option.group(2)
        paragraph: list[str] = []
        for previous in reversed(lines[: number - 1]):
            if not previous.strip():
                break
            paragraph.insert(0, previous.strip())
        prose = " ".join(paragraph)
        asked = [(name, m) for name, pattern in INSTRUCTIONS.items() for m in re.finditer(pattern, prose, re.I)]
        assert len(asked) <= 1, f"tutorial.rst:{number + 1}: more than one instruction in {prose!r}"
        instruction, args = (asked[0][0], asked[0][1].groups()) if asked else (None, ())
        reader_options = {k: v for k, v in options.items() if k != "language"}
        text, _ = LiteralIncludeReader(DOCS / match.group(1), reader_options, Config()).read()
        found.append(Listing(match.group(1), options, text, instruction, args, number + 1))
    return found


def code_lines(text: str) -> list[str]:
    """The lines of ``text`` without the blank lines at either end."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def significant(text: str) -> list[str]:
    """The non-blank lines: what must match whatever blank lines a reader leaves."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def only_index(lines: list[str], wanted: str, start: int = 0) -> int:
    """The index of the one line ``wanted`` (from ``start``): a reader must not have to choose."""
    hits = [i for i, line in enumerate(lines) if i >= start and line.strip() == wanted.strip()]
    assert len(hits) == 1, f"app.py has {len(hits)} lines {wanted!r}; the reader cannot tell where to paste"
    return hits[0]


def paste(current: str, listing: Listing) -> str:
    """``current`` app.py after doing what ``listing``'s sentence asks."""
    lines = current.splitlines()
    code = code_lines(listing.text)
    kind = listing.instruction
    if kind == "replace imports":
        end = 0
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(("import ", "from "))):
            end += 1
        assert end > 0, "app.py has no imports at the top to replace"
        new = [*code, "", *lines[end:]]
    elif kind == "replace above":
        at = only_index(lines, listing.args[0])
        new = [*code, "", *lines[at:]]
    elif kind == "add below":
        at = only_index(lines, listing.args[0])
        new = [*lines[: at + 1], "", *code, "", *lines[at + 1 :]]
    elif kind == "add above main":
        at = only_index(lines, MAIN)
        new = [*lines[:at], "", *code, "", "", *lines[at:]]
    elif kind == "replace main":
        at = only_index(lines, MAIN)
        new = [*lines[:at], *code]
    elif kind == "replace lines":
        first = only_index(lines, listing.args[0])
        last = only_index(lines, listing.args[1], first)
        new = [*lines[:first], *code, *lines[last + 1 :]]
    else:
        raise AssertionError(f"tutorial.rst:{listing.line}: no paste instruction for {kind!r}")
    return "\n".join(new) + "\n"


def basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def log_in(client, username: str, password: str) -> int:
    """Log in through the login form as a browser does; return the answer's status."""
    page = client.get("/accounts/login/?next=/admin/").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"csrf_token\"[^>]*>", page)
    assert field is not None, "the login form carries a CSRF token"
    token = re.search(r'value="([^"]+)"', field.group(0))
    assert token is not None
    data = {"username": username, "password": password, "csrf_token": token.group(1), "next": "/admin/"}
    return client.post("/accounts/login/?next=/admin/", data=data).status_code


def test_every_listing_says_what_to_do_with_it():
    unexplained = [f"tutorial.rst:{listing.line}" for listing in listings() if listing.instruction is None]

    assert unexplained == []


def test_listings_show_no_include_markers_and_whole_files_end_with_the_main_block():
    shown = listings()

    markers = [f"tutorial.rst:{x.line}" for x in shown if re.search(r"^\s*#\s*\[/?[\w-]+\]\s*$", x.text, re.M)]
    assert markers == []
    whole = [x for x in shown if x.instruction in ("new file", "whole file") and x.path.endswith(".py")]
    assert whole
    incomplete = [x.line for x in whole if MAIN not in code_lines(x.text) or code_lines(x.text)[-1] != "    app.run()"]
    assert incomplete == []


def test_the_introduction_speaks_to_the_reader_and_contributing_says_how_it_is_tested():
    tutorial = TUTORIAL_RST.read_text()
    contributing = (DOCS / "contributing.rst").read_text()

    assert "docs/examples" not in tutorial
    assert "tests" not in tutorial.split("Creating a Flask app")[0]
    assert "docs/examples/tutorial/" in contributing
    assert "pasted" in contributing


def test_pasting_every_block_in_order_gives_a_running_app(tutorial, monkeypatch):
    files: dict[str, str] = {}
    states: list[str] = []
    runs = 0
    for listing in listings():
        kind = listing.instruction
        if kind == "new file":
            files[listing.args[0]] = listing.text
            tutorial.write(listing.text, listing.args[0])
        elif kind == "whole file":
            assert significant(files[listing.args[0]]) == significant(listing.text), (
                f"tutorial.rst:{listing.line}: the pasted {listing.args[0]} differs from the whole file shown"
            )
            continue
        elif kind == "shell":
            monkeypatch.delitem(sys.modules, "app", raising=False)
            namespace = runpy.run_path(str(tutorial.write(listing.text, "shell_session.py")))
            tutorial._track(vars(sys.modules["app"]))
            monkeypatch.delitem(sys.modules, "app")
            assert namespace["admin"].id is not None
            continue
        else:
            files["app.py"] = paste(files["app.py"], listing)
        if "app.py" in files:
            states.append(files["app.py"])
            namespace = tutorial.run_path_as_main(tutorial.write(files["app.py"]))
            runs += 1
            assert len(tutorial.run_calls) == runs, f"tutorial.rst:{listing.line}: app.run() was not reached"
            assert tutorial.run_calls[-1][0] is namespace["app"]

    # Every step file the other tests exercise is a state the reader's app.py goes through.
    steps = sorted(p.name for p in TUTORIAL_FILES.glob("*.py") if p.name != "create_admin.py")
    reached = {significant(state).__repr__() for state in states}
    assert [name for name in steps if repr(significant((TUTORIAL_FILES / name).read_text())) not in reached] == []
    assert significant(files["app.py"]) == significant((TUTORIAL_FILES / "app.py").read_text())
    assert (tutorial.folder / "templates" / "base.html").read_text() == files["templates/base.html"]

    # The finished app, as the chapter's last sections use it.
    module = tutorial.import_app(tutorial.write(files["app.py"]))
    module.db.database.close()
    client = module.app.test_client()
    created = client.post(
        "/api/note/", data={"data": json.dumps({"message": "hello api"})}, headers=basic("admin", "admin")
    )
    anonymous = client.post("/api/note/", data={"data": json.dumps({"message": "spam"})})
    assert created.status_code == 200
    assert created.get_json()["message"] == "hello api"
    assert anonymous.status_code == 401
    assert client.get("/admin/").status_code == 302
    assert log_in(client, "admin", "admin") == 302
    dashboard = client.get("/admin/").get_data(as_text=True)
    listed = re.search(r"admin dashboard, which lists \*(\w+)\*", TUTORIAL_RST.read_text())
    assert listed is not None
    assert f">{listed.group(1)}</a>" in dashboard
    notes = client.get("/admin/note/").get_data(as_text=True)
    assert "hello api" in notes


@pytest.mark.parametrize("kind", sorted(INSTRUCTIONS))
def test_every_instruction_is_used(kind):
    assert kind in {listing.instruction for listing in listings()}
