#!/usr/bin/env python3
"""Benchmark our flask-peewee packages against the original flask-peewee 4.0.1, in one run.

    python3 bench/run.py [--quick] [--big] [--workload NAME ...] [--backends sqlite,postgres]
    python3 bench/run.py --profile NAME [--side ours|original]   cProfile one workload

Stdlib only. It makes two virtualenvs unless they exist with the same pins (installed
side by side the original's ``flask_peewee/__init__.py`` would shadow our namespace):
bench/.venv-ours (our five packages editable) and bench/.venv-original (flask-peewee==4.0.1).
It builds one data set with plain peewee (SQLite files in bench/.data/, and a PostgreSQL
database when the server answers), gives each side its own copy, runs the same workloads
through each side's worker (workloads_ours.py, workloads_original.py) and prints the
median times, the ratio ours / original and, for serialization and export, the peak
traced memory. Numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
RESULTS = HERE / ".results"
PACKAGES = ["db", "utils", "auth", "admin", "rest"]
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432"

# Pins of each side. The original 4.0.1 predates Flask 3 and peewee 4; with these it passes
# its own test suite (WTForms 3.0 breaks its admin filter widgets, 3.1 works).
ORIGINAL_PINS = [
    "flask-peewee==4.0.1",
    "peewee==3.17.9",
    "Flask==2.3.3",
    "Werkzeug==2.3.8",
    "WTForms==3.1.2",
    "wtf-peewee==3.0.6",
    "psycopg2-binary==2.9.13",
]
OURS_PINS = [
    "peewee==4.5.3",
    "Flask==3.1.3",
    "Werkzeug==3.1.9",
    "WTForms==3.3.2",
    "wtf-peewee==3.2.1",
    "libpass==1.9.4",
    "argon2-cffi==25.1.0",
    "psycopg2-binary==2.9.13",
]

# The workloads in report order; the workers define them. rest_create adds rows, so it runs last.
WORKLOADS = [
    "rest_list",
    "rest_detail",
    "admin_index",
    "admin_index_filter",
    "serialize_1000",
    "serialize_1000_nested",
    "export_csv",
    "export_json",
    "object_list_deep",
    "rest_deep_page",
    "rest_cursor",
    "rest_create",
]
BIG_WORKLOADS = ["export_csv", "export_json"]
MODES = {
    # messages, warmup, repeats, repeats of the slow (export) workloads
    "full": {"messages": 100_000, "warmup": 10, "repeats": 50, "slow_repeats": 3},
    "quick": {"messages": 2_000, "warmup": 2, "repeats": 5, "slow_repeats": 1},
    "big": {"messages": 1_000_000, "warmup": 0, "repeats": 1, "slow_repeats": 1},
}


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def ensure_venv(env: Path, requirements: list[str]) -> Path:
    """Create ``env`` with ``requirements`` unless it exists with the same ones; its python."""
    digest = hashlib.sha256("\n".join([*requirements, sys.version]).encode()).hexdigest()
    stamp = env / ".bench-stamp"
    python = _bin(env, "python")
    if stamp.exists() and stamp.read_text() == digest and python.exists():
        return python
    print(f"run.py: setting up {env.relative_to(ROOT)} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements], check=True)
    stamp.write_text(digest)
    return python


def ours_requirements() -> list[str]:
    editable: list[str] = []
    for part in PACKAGES:
        editable += ["-e", str(ROOT / "packages" / f"flask-peewee-{part}")]
    return [*editable, *OURS_PINS]


def sqlite_dataset(python: Path, messages: int) -> Path:
    """The SQLite data set with ``messages`` rows, built once per version of dataset.py."""
    tag = hashlib.sha256((HERE / "dataset.py").read_bytes()).hexdigest()[:10]
    path = DATA / f"messages-{messages}-{tag}.db"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        print(f"run.py: building {path.relative_to(ROOT)} ...", flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [str(python), "dataset.py", "sqlite", str(partial), "--messages", str(messages)], cwd=HERE, check=True
        )
        partial.rename(path)
    return path


def dataset_cmd(python: Path, *args: str, check: bool = True) -> bool:
    return subprocess.run([str(python), "dataset.py", *args], cwd=HERE, check=check).returncode == 0


def run_worker(python: Path, side: str, backend: str, database: str, opts: dict[str, Any], args: Any) -> dict:
    """Run one side's worker on its own copy of the data; its report (see _harness.main)."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{backend}-{side}-{opts['messages']}.json"
    out.unlink(missing_ok=True)
    command = [
        str(python),
        f"workloads_{side}.py",
        "--backend",
        backend,
        "--database",
        database,
        "--pg-dsn",
        args.pg_dsn,
        "--messages",
        str(opts["messages"]),
        "--warmup",
        str(opts["warmup"]),
        "--repeats",
        str(opts["repeats"]),
        "--slow-repeats",
        str(opts["slow_repeats"]),
        "--out",
        str(out),
    ]
    for name in opts["workloads"]:
        command += ["--workload", name]
    if args.profile:
        command += ["--profile", args.profile]
    print(f"run.py: {side} on {backend} ({opts['messages']:,} messages) ...", flush=True)
    subprocess.run(command, cwd=HERE, check=True)
    return json.loads(out.read_text())


def run_backend(backend: str, pythons: dict[str, Path], opts: dict[str, Any], sides: list[str], args: Any) -> dict:
    """Both sides on one backend: ``{side: report}``."""
    reports = {}
    if backend == "sqlite":
        source = sqlite_dataset(pythons["ours"], opts["messages"])
        for side in sides:
            copy = DATA / f"run-{side}.db"
            shutil.copyfile(source, copy)
            try:
                reports[side] = run_worker(pythons[side], side, backend, str(copy), opts, args)
            finally:
                copy.unlink(missing_ok=True)
        return reports
    python = pythons["ours"]
    base = f"fp_bench_{os.getpid()}_base"
    names = [base]
    try:
        print(f"run.py: building PostgreSQL database {base} ...", flush=True)
        dataset_cmd(python, "pg-create", args.pg_dsn, base, "--messages", str(opts["messages"]))
        for side in sides:
            name = f"fp_bench_{os.getpid()}_{side}"
            names.append(name)
            dataset_cmd(python, "pg-clone", args.pg_dsn, base, name)
            reports[side] = run_worker(pythons[side], side, backend, name, opts, args)
            dataset_cmd(python, "pg-drop", args.pg_dsn, name)
    finally:
        dataset_cmd(python, "pg-drop", args.pg_dsn, *names, check=False)
    return reports


# -- the report -----------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 10 else f"{seconds:.1f} s"


def _mib(nbytes: int | None) -> str:
    return "" if nbytes is None else f"{nbytes / 1048576:.1f}"


def _cell(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if "na" in entry:
        return "n/a"
    if entry.get("status") != 200:
        return f"HTTP {entry.get('status')}"
    return _ms(entry["median"])


def rows_for(label: str, backend: str, reports: dict[str, dict], names: list[str]) -> list[list[str]]:
    rows = []
    for name in names:
        orig = reports.get("original", {}).get("workloads", {}).get(name)
        ours = reports.get("ours", {}).get("workloads", {}).get(name)
        if orig is None and ours is None:
            continue
        ratio = ""
        usable = [e for e in (orig, ours) if e and "na" not in e and e.get("status") == 200]
        if len(usable) == 2 and orig["median"] > 0:
            ratio = f"{ours['median'] / orig['median']:.2f}"
        notes = [f"{side}: {e['na']}" for side, e in (("original", orig), ("ours", ours)) if e and "na" in e]
        for side, entry in (("original", orig), ("ours", ours)):
            if entry and entry.get("rows") is not None and name.startswith("export"):
                notes.append(f"{side} {entry['rows']:,} rows")
        rows.append(
            [
                name + label,
                backend,
                _cell(orig),
                _cell(ours),
                ratio,
                _mib((orig or {}).get("peak_bytes")),
                _mib((ours or {}).get("peak_bytes")),
                "; ".join(notes),
            ]
        )
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    header = ["workload", "backend", "original ms", "ours ms", "ours/orig", "orig MiB", "ours MiB", "notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 messages, few repeats, SQLite only by default")
    parser.add_argument("--big", action="store_true", help="also export 1,000,000 rows (CSV and JSON)")
    parser.add_argument("--workload", action="append", default=[], choices=WORKLOADS, help="run only these")
    parser.add_argument("--backends", default=None, help="comma-separated: sqlite,postgres (default: what answers)")
    parser.add_argument("--pg-dsn", default=DEFAULT_PG_DSN, help="PostgreSQL server (a database is made and dropped)")
    parser.add_argument("--side", choices=("ours", "original"), default=None, help="run one side only")
    parser.add_argument("--profile", default=None, choices=WORKLOADS, help="cProfile this workload (stderr)")
    parser.add_argument("--json-out", default=None, help="also write every report as JSON here")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.profile:
        args.workload = [args.profile]
    sides = [args.side] if args.side else ["original", "ours"]
    pythons = {"ours": ensure_venv(HERE / ".venv-ours", ours_requirements())}
    if "original" in sides:
        pythons["original"] = ensure_venv(HERE / ".venv-original", ORIGINAL_PINS)
    mode = dict(MODES["quick" if args.quick else "full"])
    mode["workloads"] = args.workload or WORKLOADS
    if args.backends:
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        unknown = set(backends) - {"sqlite", "postgres"}
        if unknown:
            print(f"run.py: unknown backend(s) {', '.join(sorted(unknown))}; use sqlite and/or postgres")
            return 2
    else:
        backends = ["sqlite"]
        if not args.quick and dataset_cmd(pythons["ours"], "pg-ping", args.pg_dsn, check=False):
            backends.append("postgres")
    started = datetime.datetime.now()
    all_reports: dict[str, Any] = {"mode": "quick" if args.quick else "full", "runs": []}
    table: list[list[str]] = []
    for backend in backends:
        reports = run_backend(backend, pythons, mode, sides, args)
        all_reports["runs"].append({"backend": backend, "messages": mode["messages"], "reports": reports})
        table += rows_for("", backend, reports, mode["workloads"])
        if args.big:
            big = dict(MODES["big"])
            big["workloads"] = [w for w in BIG_WORKLOADS if w in mode["workloads"]]
            reports = run_backend(backend, pythons, big, sides, args)
            all_reports["runs"].append({"backend": backend, "messages": big["messages"], "reports": reports})
            table += rows_for(" (1M rows)", backend, reports, big["workloads"])
    if args.profile:
        return 0
    versions = {side: report["versions"] for side, report in all_reports["runs"][0]["reports"].items()}
    print()
    print(f"{started:%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, {mode['messages']:,} messages, medians in ms")
    for side, found in versions.items():
        print(f"{side}: " + ", ".join(f"{k} {v}" for k, v in found.items()))
    print()
    print(markdown_table(table))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(all_reports, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
