"""Smoke test of the benchmark: ``run.py --quick`` for one workload gives both sides a number.

It asserts no timing, only that each side measured something and answered with the same
shape. Run it by hand (it makes bench's two virtualenvs the first time):
``pytest bench/test_bench_smoke.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_quick_rest_list_measures_both_sides_with_the_same_shape(tmp_path):
    out = tmp_path / "report.json"
    completed = subprocess.run(
        [sys.executable, str(HERE / "run.py"), "--quick", "--workload", "rest_list", "--json-out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "| rest_list | sqlite |" in completed.stdout

    report = json.loads(out.read_text())
    [run] = report["runs"]
    assert run["backend"] == "sqlite"
    results = {side: run["reports"][side]["workloads"]["rest_list"] for side in ("original", "ours")}
    for entry in results.values():
        assert isinstance(entry["median"], float)
        assert entry["median"] > 0
        assert entry["status"] == 200
    assert results["ours"]["shape"] == results["original"]["shape"]
    # The shape is a real page: 20 messages, each with its user nested.
    assert results["ours"]["shape"]["objects"] == 20
    assert set(results["ours"]["shape"]["object"]["user"]) == {"id", "username", "active", "admin"}
