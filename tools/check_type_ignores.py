"""Keep ``# type: ignore`` rare and explained in the packages' src trees.

The packages ship ``py.typed``, so their users' type checkers read our annotations: every
ignore hides something from them. This check fails when ``packages/*/src`` holds more than
``BUDGET`` ignores, or an ignore that does not name its error code (``# type: ignore[code]``)
and say why in a comment on the same line (``# type: ignore[code]  # why``).

    python tools/check_type_ignores.py [ROOT]
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

BUDGET = 25
_IGNORE = re.compile(r"#\s*type:\s*ignore\b")
# An error code in brackets, then a second comment with at least one word of reason.
_EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*\]\s*#\s*\S.*\w")


@dataclass(frozen=True)
class Ignore:
    """One ``# type: ignore`` comment: where it is and whether it is explained."""

    path: Path
    line: int
    comment: str

    @property
    def explained(self) -> bool:
        return bool(_EXPLAINED.search(self.comment))


def find_ignores(source: str, path: Path) -> list[Ignore]:
    """The ``# type: ignore`` comments of one Python source (comments only, never strings)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and _IGNORE.search(token.string):
            found.append(Ignore(path, token.start[0], token.string))
    return found


def scan(root: Path) -> list[Ignore]:
    """Every ignore in ``root/packages/*/src``, in path order."""
    found: list[Ignore] = []
    for path in sorted(root.glob("packages/*/src/**/*.py*")):
        if path.suffix in {".py", ".pyi"}:
            found += find_ignores(path.read_text(encoding="utf-8"), path.relative_to(root))
    return found


def problems(ignores: list[Ignore], budget: int = BUDGET) -> list[str]:
    """What is wrong with ``ignores``: one message a line, empty when the check passes."""
    messages = [
        f"{i.path}:{i.line}: `{i.comment}` needs an error code and a reason: `# type: ignore[code]  # why`"
        for i in ignores
        if not i.explained
    ]
    if len(ignores) > budget:
        messages.append(f"{len(ignores)} `# type: ignore` in packages/*/src, at most {budget} allowed")
    return messages


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    ignores = scan(root)
    messages = problems(ignores)
    for message in messages:
        print(message)
    print(f"check_type_ignores: {len(ignores)} of at most {BUDGET} `# type: ignore` in packages/*/src")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
