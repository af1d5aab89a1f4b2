"""``run.py --instructions``: the CPU instructions each side executes per request, counted by callgrind.

Times move with the machine's load; on a shared machine two runs of the same code can differ
by more than the change being measured. The instructions a request executes do not: valgrind's
callgrind counts them exactly, whatever else runs. Each side's worker runs under
``valgrind --tool=callgrind --instr-atstart=no``, builds and warms its app uninstrumented,
then counts ``calls`` calls of one workload (``_harness.instrumented``); a second process
counts the same loop with only each call's ``before`` (a fresh login form...) and is
subtracted. Every process gets its own copy of the data. The count covers the worker's
process only: not the database server's work (PostgreSQL's), nor time spent waiting. So it
complements the timed run, it does not replace it: the goals are judged on time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import run

#: calls counted per workload (exports and other slow workloads: one)
CALLS = 20
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _count(python: Path, side: str, backend: str, database: str, name: str, calls: int, part: str, args: Any) -> dict:
    opts = {"messages": args.messages, "warmup": 5, "repeats": calls, "slow_repeats": 1, "workloads": [name]}
    out = run.DATA / f"instr-{os.getpid()}-{threading.get_ident()}.json"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        *run.worker_command(python, side, backend, database, opts, args),
        "--instructions",
        str(calls),
        "--instructions-part",
        part,
        "--out",
        str(out),
    ]
    done = subprocess.run(command, cwd=run.HERE, capture_output=True, text=True, check=False)
    try:
        found = _COLLECTED.findall(done.stderr)
        if done.returncode != 0 or not found:
            raise RuntimeError(f"{side} {name} ({part}) under valgrind failed:\n{done.stderr[-3000:]}")
        report = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    entry = report["workloads"][name]
    entry["collected"] = int(found[-1])
    return entry


class _Databases:
    """A fresh copy of the data for each process: a SQLite file, or a PostgreSQL clone (made one at a time)."""

    def __init__(self, backend: str, pythons: dict[str, Path], args: Any) -> None:
        self.backend, self.args, self.python = backend, args, pythons["ours"]
        self.lock = threading.Lock()
        self.serial = 0
        self.base = ""
        if backend == "sqlite":
            self.source = run.sqlite_dataset(self.python, args.messages)
        else:
            self.base = f"fp_bench_{os.getpid()}_ibase"
            print(f"run.py: building PostgreSQL database {self.base} ...", flush=True)
            users = str(run.users_for(args.messages))
            run.dataset_cmd(
                self.python, "pg-create", args.pg_dsn, self.base, "--messages", str(args.messages), "--users", users
            )

    def make(self) -> str:
        with self.lock:
            self.serial += 1
            if self.backend == "sqlite":
                copy = run.DATA / f"instr-{os.getpid()}-{self.serial}.db"
                shutil.copyfile(self.source, copy)
                return str(copy)
            name = f"fp_bench_{os.getpid()}_i{self.serial}"
            run.dataset_cmd(self.python, "pg-clone", self.args.pg_dsn, self.base, name)
            return name

    def drop(self, database: str) -> None:
        if self.backend == "sqlite":
            Path(database).unlink(missing_ok=True)
        else:
            run.dataset_cmd(self.python, "pg-drop", self.args.pg_dsn, database, check=False)

    def close(self) -> None:
        if self.base:
            run.dataset_cmd(self.python, "pg-drop", self.args.pg_dsn, self.base, check=False)


def count(backends: list[str], pythons: dict[str, Path], sides: list[str], workloads: list[str], args: Any) -> dict:
    """``{backend: {side: {workload: entry}}}``, each entry with ``instructions`` per call (or ``na``)."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("run.py --instructions needs valgrind (Debian: apt-get install valgrind)")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for backend in backends:
        databases = _Databases(backend, pythons, args)
        results[backend] = {side: {} for side in sides}

        def measure(
            side: str, name: str, databases: _Databases = databases, backend: str = backend
        ) -> tuple[str, str, dict]:
            calls = 1 if name in ("export_csv", "export_json", "serialize_1000", "serialize_1000_nested") else CALLS
            counts = {}
            for part in ("calls", "before"):
                database = databases.make()
                try:
                    counts[part] = _count(pythons[side], side, backend, database, name, calls, part, args)
                finally:
                    databases.drop(database)
            entry = counts["calls"]
            if "na" not in entry:
                entry["instructions"] = (entry["collected"] - counts["before"]["collected"]) / calls
                entry["calls"] = calls
            return side, name, entry

        print(f"run.py: counting instructions on {backend} ({args.messages:,} messages) ...", flush=True)
        try:
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                jobs = [pool.submit(measure, side, name) for name in workloads for side in sides]
                for job in jobs:
                    side, name, entry = job.result()
                    results[backend][side][name] = entry
        finally:
            databases.close()
    return results


def _millions(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if "na" in entry:
        return "n/a"
    return f"{entry['instructions'] / 1e6:.2f}"


def _ratio(top: dict | None, bottom: dict | None) -> str:
    if not top or not bottom or "na" in top or "na" in bottom or not bottom["instructions"]:
        return ""
    return f"{top['instructions'] / bottom['instructions']:.2f}"


def print_counts(results: dict) -> None:
    print()
    print("Instructions per request (millions, callgrind; the worker's process only)")
    print()
    print("| workload | backend | floor | ours | original | ours/floor | orig/floor | ours/orig |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, sides in results.items():
        names = next(iter(sides.values())).keys() if sides else []
        for name in names:
            floor, ours, orig = (sides.get(side, {}).get(name) for side in ("floor", "ours", "original"))
            print(
                f"| {name} | {backend} | {_millions(floor)} | {_millions(ours)} | {_millions(orig)} | "
                f"{_ratio(ours, floor)} | {_ratio(orig, floor)} | {_ratio(ours, orig)} |"
            )
