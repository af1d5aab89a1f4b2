#!/usr/bin/env python3
"""The translation catalogues of the packages that show text to people (admin, auth).

    python tools/i18n.py extract [PART ...]     write translations/<domain>.pot with pybabel extract
    python tools/i18n.py update [PART ...]      extract, then merge the .pot into every <lang> .po (pybabel update)
    python tools/i18n.py init PART LANG         start translations/LANG/LC_MESSAGES/<domain>.po
    python tools/i18n.py check [PART ...]       fail when a catalogue is out of date or a message lacks a translation

``check`` (the tox env ``i18n``, run in CI) extracts a fresh template with pybabel and fails
when it differs from the committed ``.pot`` (a marked string added, changed or removed), when a
``.po`` misses a message of it or keeps one it no longer has, or when a message has an empty or
fuzzy translation. The ``.mo`` files are never committed: the wheel's build hook compiles them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("admin", "auth")
#: the gettext functions each package's code and templates call (besides pybabel's defaults)
KEYWORDS = {
    "admin": ("N_", "lazy_gettext", "admin_gettext", "admin_ngettext:1,2"),
    "auth": ("N_", "lazy_gettext", "auth_gettext", "auth_ngettext:1,2"),
}


def package_dir(part: str) -> Path:
    return ROOT / "packages" / f"flask-peewee-{part}"


def translations_dir(part: str) -> Path:
    return package_dir(part) / "src" / "flask_peewee" / part / "translations"


def domain(part: str) -> str:
    return f"flask_peewee_{part}"


def pot_path(part: str) -> Path:
    return translations_dir(part) / f"{domain(part)}.pot"


def po_paths(part: str) -> list[Path]:
    return sorted(translations_dir(part).glob(f"*/LC_MESSAGES/{domain(part)}.po"))


def _pybabel(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=cwd, check=True)


def extract(part: str, out: Path) -> None:
    """Run pybabel extract over the package's code and templates into ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    keywords: list[str] = []
    for keyword in KEYWORDS[part]:
        keywords += ["-k", keyword]
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *keywords,
        "--no-location",
        "--sort-output",
        "--no-wrap",
        "-o",
        str(out),
        ".",
        cwd=package_dir(part),
    )


def _messages(path: Path) -> dict[object, object]:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    return {message.id: message for message in catalog if message.id}


def check(part: str) -> list[str]:
    """The problems of one package's catalogues (an empty list when they are complete and current)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        extract(part, fresh)
        expected = _messages(fresh)
    committed = pot_path(part)
    if not committed.is_file():
        return [f"{committed.relative_to(ROOT)} is missing: run python tools/i18n.py update {part}"]
    have = _messages(committed)
    for key in sorted(set(expected) - set(have), key=str):
        problems.append(f"{committed.relative_to(ROOT)}: {key!r} is marked in the code but not extracted")
    for key in sorted(set(have) - set(expected), key=str):
        problems.append(f"{committed.relative_to(ROOT)}: {key!r} is no longer marked in the code")
    pos = po_paths(part)
    if not pos:
        problems.append(f"{part}: no .po catalogue under {translations_dir(part).relative_to(ROOT)}")
    for po in pos:
        name = po.relative_to(ROOT)
        translated = _messages(po)
        for key in sorted(set(expected) - set(translated), key=str):
            problems.append(f"{name}: {key!r} is missing")
        for key in sorted(set(translated) - set(expected), key=str):
            problems.append(f"{name}: {key!r} is obsolete")
        for key, message in translated.items():
            strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)  # type: ignore[attr-defined]
            if not all(strings):
                problems.append(f"{name}: {key!r} has no translation")
            elif message.fuzzy:  # type: ignore[attr-defined]
                problems.append(f"{name}: {key!r} is fuzzy (review it and remove the flag)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("extract", "update", "init", "check"))
    parser.add_argument("args", nargs="*")
    ns = parser.parse_args(argv)
    if ns.command == "init":
        part, lang = ns.args
        extract(part, pot_path(part))
        _pybabel(
            "init",
            "-D",
            domain(part),
            "-i",
            str(pot_path(part)),
            "-d",
            str(translations_dir(part)),
            "-l",
            lang,
            "--no-wrap",
            cwd=ROOT,
        )
        return 0
    parts = ns.args or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; use {PARTS}")
    if ns.command in ("extract", "update"):
        for part in parts:
            extract(part, pot_path(part))
            if ns.command == "update" and po_paths(part):
                _pybabel(
                    "update",
                    "-D",
                    domain(part),
                    "-i",
                    str(pot_path(part)),
                    "-d",
                    str(translations_dir(part)),
                    "--no-wrap",
                    "--ignore-obsolete",
                    cwd=ROOT,
                )
        return 0
    problems = [problem for part in parts for problem in check(part)]
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} problem(s) in the catalogues: python tools/i18n.py update, then translate",
            file=sys.stderr,
        )
        return 1
    print(f"catalogues complete and current: {', '.join(parts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
