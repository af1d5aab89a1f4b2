"""Smoke test of the benchmark: ``run.py --quick`` gives the three sides a number and the same answer.

It asserts no timing, only that each side measured something, answered with success and
with the same shape (JSON keys and types, rows of a page or an export), and that each side's
SQL statements per request were counted. Run it by hand (it makes bench's two virtualenvs
the first time): ``pytest bench/test_bench_smoke.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIDES = ("original", "ours", "floor")
# Workloads every side runs; the floor and ours also run the keyset page.
COMMON = ("rest_list", "rest_detail", "rest_list_filtered", "admin_index", "login_form", "rest_create")
WORKLOADS = (*COMMON, "rest_cursor_first", "export_csv")


def test_quick_run_measures_the_three_sides_with_the_same_answers(tmp_path):
    out = tmp_path / "report.json"
    command = [sys.executable, str(HERE / "run.py"), "--quick", "--json-out", str(out)]
    for name in WORKLOADS:
        command += ["--workload", name]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "| rest_list | sqlite |" in completed.stdout
    assert "ours/floor" in completed.stdout

    report = json.loads(out.read_text())
    [run] = report["runs"]
    assert run["backend"] == "sqlite"
    workloads = {side: run["reports"][side]["workloads"] for side in SIDES}
    for name in WORKLOADS:
        measured = {side: workloads[side][name] for side in SIDES if "na" not in workloads[side][name]}
        assert set(measured) >= {"ours", "floor"}, name
        for side, entry in measured.items():
            assert isinstance(entry["median"], float), (side, name)
            assert entry["median"] > 0, (side, name)
            assert entry["status"] < 400, (side, name, entry["status"])
            assert entry["statements"] >= 1, (side, name)
        shapes = {json.dumps(entry["shape"], sort_keys=True) for entry in measured.values()}
        assert len(shapes) == 1, (name, shapes)
        rows = {entry["rows"] for entry in measured.values()}
        assert len(rows) == 1, (name, rows)
    for name in COMMON:
        assert "na" not in workloads["original"][name], name

    # The answers are real: a page of 20 messages with the user nested, a full admin page, a login.
    page = workloads["floor"]["rest_list"]["shape"]
    assert page["objects"] == 20
    assert set(page["object"]["user"]) == {"id", "username", "active", "admin"}
    assert workloads["floor"]["admin_index"]["rows"] == 21  # the header row and 20 messages
    assert workloads["floor"]["login_form"]["shape"] == {"redirect": True, "cookie": True}
    assert workloads["floor"]["export_csv"]["rows"] == 2000
    # The floor counts with one plain statement and reads the page with one more.
    assert workloads["floor"]["rest_list"]["statements"] == 2
    assert workloads["floor"]["rest_detail"]["statements"] == 1
