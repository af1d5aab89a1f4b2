"""The original flask-peewee 4.0.1's own test suite, run against our packages, as a gauge.

Every test of public behaviour passes. The ones that do not are listed, each with its
reason, in ``original_expected_failures.txt`` beside this file, and docs/migrating.rst names
every one of them: a deliberate security change or a test of a private detail of the
original's implementation. A failure outside that list fails this test, and so does a
listed test that passes now (the list stays honest).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _suite_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fp_tools_original_suite", ROOT / "tools" / "original_suite.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_failures() -> dict[str, str]:
    """``{test id: reason}`` from original_expected_failures.txt (``id  # reason`` per line)."""
    expected = {}
    for line in (HERE / "original_expected_failures.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        test_id, _, reason = line.partition("#")
        assert reason.strip(), f"{test_id.strip()}: every expected failure gives its reason"
        expected[test_id.strip()] = reason.strip()
    return expected


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    tool = _suite_tool()
    result = tool.run(tmp_path_factory.mktemp("original-suite"))
    print(f"original flask-peewee suite: {tool.summary(result)}")
    return result


def test_the_whole_suite_ran(outcomes: dict[str, tuple[str, str]]) -> None:
    assert len(outcomes) >= 100, sorted(outcomes)[:5]
    assert not [t for t, (o, _) in outcomes.items() if o == "skipped"]


def test_only_documented_failures(outcomes: dict[str, tuple[str, str]]) -> None:
    expected = expected_failures()
    unexpected = {t: d for t, (o, d) in outcomes.items() if o == "failed" and t not in expected}
    report = "\n\n".join(f"{t}\n{d.strip()[-1500:]}" for t, d in sorted(unexpected.items()))
    assert not unexpected, f"{len(unexpected)} tests of the original fail outside the documented list:\n{report}"


def test_the_list_of_failures_is_current(outcomes: dict[str, tuple[str, str]]) -> None:
    stale = [t for t in expected_failures() if outcomes.get(t, ("missing", ""))[0] != "failed"]
    assert not stale, f"listed as failing but passing or gone now, remove them: {stale}"


def test_docs_name_every_expected_failure() -> None:
    migrating = (ROOT / "docs" / "migrating.rst").read_text()
    missing = [t for t in expected_failures() if t.rsplit(".", 1)[-1] not in migrating]
    assert not missing, f"docs/migrating.rst does not name: {missing}"
