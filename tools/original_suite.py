"""Run the original flask-peewee 4.0.1's own test suite against our installed packages.

    python tools/original_suite.py [SCRATCH]     prints one line per test that did not pass, then
                                                 "N passed, M failed"; exit 0 always (the gauge in
                                                 compat/ decides what is expected)

The sdist is downloaded at run time (tools/original_sdist.py) into a scratch folder and only
its ``flask_peewee/tests/`` is taken: it is laid out as a portion of the ``flask_peewee``
namespace (never the original's ``flask_peewee/__init__.py``), so ``flask_peewee.tests``
imports beside our packages and its ``from flask_peewee.admin import ...`` reach ours.
The suite is unittest-based; it runs in a child interpreter whose working directory is the
scratch folder, since its configuration names ``test.db`` relative to it. Its test client
sends ``Sec-Fetch-Site: same-origin`` as every current browser does (the suite predates
CSRF tokens; a token-less form is accepted when the browser proves it same-origin).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from original_sdist import fetch  # noqa: E402

# The child: load ``flask_peewee.tests`` (its __init__ star-imports every test module), run it,
# and write each test's outcome as JSON. Tests of a module that fails to import are one error.
_CHILD = r"""
import json, sys, unittest, warnings
import flask.testing
warnings.simplefilter("ignore")
outcomes = {}

# The suite's test client posts forms the way a browser of its day did. Every current browser
# also sends Sec-Fetch-Site with each request; our CSRF check accepts a token-less form that a
# browser proves same-origin, so the client sends what a browser would (nothing else changes).
_init = flask.testing.FlaskClient.__init__
def _browser_like_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.environ_base.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
flask.testing.FlaskClient.__init__ = _browser_like_init

class Result(unittest.TestResult):
    def addSuccess(self, test):
        outcomes[test.id()] = ["passed", ""]
    def addFailure(self, test, err):
        outcomes[test.id()] = ["failed", self._exc_info_to_string(err, test)]
    def addError(self, test, err):
        outcomes[test.id()] = ["failed", self._exc_info_to_string(err, test)]
    def addSkip(self, test, reason):
        outcomes[test.id()] = ["skipped", reason]
    def addExpectedFailure(self, test, err):
        outcomes[test.id()] = ["passed", "expected failure"]
    def addUnexpectedSuccess(self, test):
        outcomes[test.id()] = ["failed", "unexpected success"]

suite = unittest.defaultTestLoader.loadTestsFromName("flask_peewee.tests")
suite.run(Result())
json.dump(outcomes, open(sys.argv[1], "w"), indent=1, sort_keys=True)
"""


def short_id(test_id: str) -> str:
    """``flask_peewee.tests.rest.RestApiTestCase.test_x`` -> ``rest.RestApiTestCase.test_x``."""
    return test_id.removeprefix("flask_peewee.tests.")


def run(scratch: Path) -> dict[str, tuple[str, str]]:
    """Run the suite in ``scratch``; return ``{short test id: (outcome, detail)}``."""
    sdist = fetch(scratch / "download")
    portion = scratch / "portion"
    shutil.rmtree(portion, ignore_errors=True)
    shutil.copytree(sdist / "flask_peewee" / "tests", portion / "flask_peewee" / "tests")
    if (portion / "flask_peewee" / "__init__.py").exists():
        raise RuntimeError("the scratch portion must stay a namespace portion")
    workdir = scratch / "run"
    shutil.rmtree(workdir, ignore_errors=True)  # a fresh test.db: no throttle counts left from a run before
    workdir.mkdir()
    out = scratch / "outcomes.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(portion), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out)], cwd=workdir, env=env, capture_output=True, text=True
    )
    if child.returncode != 0 or not out.exists():
        raise RuntimeError(f"the original's suite could not run:\n{child.stdout}\n{child.stderr}")
    raw = json.loads(out.read_text())
    return {short_id(k): (v[0], v[1]) for k, v in raw.items()}


def summary(outcomes: dict[str, tuple[str, str]]) -> str:
    passed = sum(1 for outcome, _ in outcomes.values() if outcome == "passed")
    failed = sum(1 for outcome, _ in outcomes.values() if outcome == "failed")
    skipped = sum(1 for outcome, _ in outcomes.values() if outcome == "skipped")
    line = f"{passed} passed, {failed} failed"
    return f"{line}, {skipped} skipped" if skipped else line


def main(argv: list[str]) -> int:
    scratch = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="fp-original-"))
    outcomes = run(scratch)
    for test_id, (outcome, detail) in sorted(outcomes.items()):
        if outcome != "passed":
            last = detail.strip().splitlines()[-1] if detail.strip() else ""
            print(f"{outcome.upper():8} {test_id}  {last[:160]}")
    print(f"original flask-peewee {summary(outcomes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
