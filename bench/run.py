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
import statistics
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
    "rest_create_no_throttle",
]
BIG_WORKLOADS = ["export_csv", "export_json"]
MODES = {
    # messages; alternating rounds per side; per round: warm-up calls, timed calls, timed export calls
    "full": {"messages": 100_000, "rounds": 3, "warmup": 10, "repeats": 30, "slow_repeats": 1},
    "quick": {"messages": 2_000, "rounds": 1, "warmup": 2, "repeats": 5, "slow_repeats": 1},
    "big": {"messages": 1_000_000, "rounds": 1, "warmup": 0, "repeats": 1, "slow_repeats": 1},
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


def _merge(reports: list[dict]) -> dict:
    """One report from several rounds of the same side: every sample, the largest memory peak."""
    merged = dict(reports[0])
    merged["workloads"] = {}
    for name, first in reports[0]["workloads"].items():
        entries = [r["workloads"][name] for r in reports]
        if "na" in first:
            merged["workloads"][name] = first
            continue
        entry = dict(entries[-1])
        entry["times"] = [t for e in entries for t in e["times"]]
        entry["median"] = statistics.median(entry["times"])
        entry["min"] = min(entry["times"])
        entry["repeats"] = len(entry["times"])
        entry["status"] = max(e["status"] for e in entries)  # an error in any round shows
        peaks = [e["peak_bytes"] for e in entries if e.get("peak_bytes") is not None]
        if peaks:
            entry["peak_bytes"] = max(peaks)
        merged["workloads"][name] = entry
    return merged


def run_backend(backend: str, pythons: dict[str, Path], opts: dict[str, Any], sides: list[str], args: Any) -> dict:
    """Both sides on one backend, in ``opts["rounds"]`` alternating rounds: ``{side: merged report}``.

    Each round gives each side a fresh copy of the data; alternating the order spreads the
    drift of a shared machine over both sides.
    """
    rounds: dict[str, list[dict]] = {side: [] for side in sides}
    order = list(sides)
    if backend == "sqlite":
        source = sqlite_dataset(pythons["ours"], opts["messages"])
        for _ in range(opts["rounds"]):
            for side in order:
                copy = DATA / f"run-{side}.db"
                shutil.copyfile(source, copy)
                try:
                    rounds[side].append(run_worker(pythons[side], side, backend, str(copy), opts, args))
                finally:
                    copy.unlink(missing_ok=True)
            order.reverse()
        return {side: _merge(reports) for side, reports in rounds.items()}
    python = pythons["ours"]
    base = f"fp_bench_{os.getpid()}_base"
    names = [base] + [f"fp_bench_{os.getpid()}_{side}" for side in sides]
    try:
        print(f"run.py: building PostgreSQL database {base} ...", flush=True)
        dataset_cmd(python, "pg-create", args.pg_dsn, base, "--messages", str(opts["messages"]))
        for _ in range(opts["rounds"]):
            for side in order:
                name = f"fp_bench_{os.getpid()}_{side}"
                dataset_cmd(python, "pg-clone", args.pg_dsn, base, name)
                rounds[side].append(run_worker(pythons[side], side, backend, name, opts, args))
                dataset_cmd(python, "pg-drop", args.pg_dsn, name)
            order.reverse()
    finally:
        dataset_cmd(python, "pg-drop", args.pg_dsn, *names, check=False)
    return {side: _merge(reports) for side, reports in rounds.items()}


# -- the report -----------------------------------------------------------------------


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 100 else f"{ms:,.0f}"


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


# Where the original cannot run a workload, the ratio is taken against its nearest equivalent
# (marked with * in the table): keyset pages against the original's page-number deep page.
FALLBACK_BASELINE = {"rest_cursor": "rest_deep_page"}


def rows_for(
    label: str, backend: str, reports: dict[str, dict], names: list[str], footnotes: dict[str, str]
) -> list[list[str]]:
    """Table rows for one run; n/a reasons and workload notes go to ``footnotes`` (shown under the table)."""
    rows = []

    def entry(side: str, name: str) -> dict | None:
        return reports.get(side, {}).get("workloads", {}).get(name)

    for name in names:
        orig, ours = entry("original", name), entry("ours", name)
        if orig is None and ours is None:
            continue
        ratio, baseline = "", orig
        if orig is not None and "na" in orig and name in FALLBACK_BASELINE:
            baseline = entry("original", FALLBACK_BASELINE[name])
            footnotes[f"{name}*"] = f"ratio against the original's {FALLBACK_BASELINE[name]}"
        usable = [e for e in (baseline, ours) if e and "na" not in e and e.get("status") == 200]
        if len(usable) == 2 and baseline["median"] > 0:
            ratio = f"{ours['median'] / baseline['median']:.2f}" + ("*" if baseline is not orig else "")
        for side, found in (("original", orig), ("ours", ours)):
            if found and "na" in found:
                footnotes[f"{name} ({side} n/a)"] = found["na"]
            elif found and found.get("note"):
                footnotes[f"{name} ({side})"] = found["note"]
        rows.append(
            [
                name + label,
                backend,
                _cell(orig),
                _cell(ours),
                ratio,
                _mib((orig or {}).get("peak_bytes")),
                _mib((ours or {}).get("peak_bytes")),
                _rows(orig, ours),
            ]
        )
    return rows


def _rows(orig: dict | None, ours: dict | None) -> str:
    """The exported row counts, which must agree."""
    counts = [e.get("rows") for e in (orig, ours) if e and "na" not in e and e.get("bytes") is not None]
    return ", ".join(f"{c:,}" for c in counts if c is not None)


def markdown_table(rows: list[list[str]]) -> str:
    header = ["workload", "backend", "original ms", "ours ms", "ours/orig", "orig MiB", "ours MiB", "rows"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def print_report(all_reports: dict[str, Any]) -> None:
    """The versions, the table (ours / original) and the footnotes of a run."""
    table: list[list[str]] = []
    footnotes: dict[str, str] = {}
    smallest = min(run["messages"] for run in all_reports["runs"])
    for run in all_reports["runs"]:
        label = "" if run["messages"] == smallest else f" ({run['messages']:,} rows)"
        names = [n for n in WORKLOADS if any(n in r["workloads"] for r in run["reports"].values())]
        table += rows_for(label, run["backend"], run["reports"], names, footnotes)
    print()
    print(f"{all_reports.get('started', '')}, {all_reports.get('cpus')} CPUs, medians in ms")
    for side, report in all_reports["runs"][0]["reports"].items():
        print(f"{side}: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print()
    print(markdown_table(table))
    print()
    for key, text in footnotes.items():
        print(f"- {key}: {text}")


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
    parser.add_argument("--from-json", default=None, help="print the table of a saved --json-out, run nothing")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.from_json:
        print_report(json.loads(Path(args.from_json).read_text()))
        return 0
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
    all_reports: dict[str, Any] = {"mode": "quick" if args.quick else "full", "cpus": os.cpu_count(), "runs": []}
    for backend in backends:
        reports = run_backend(backend, pythons, mode, sides, args)
        all_reports["runs"].append({"backend": backend, "messages": mode["messages"], "reports": reports})
        if args.big:
            big = dict(MODES["big"])
            big["workloads"] = [w for w in BIG_WORKLOADS if w in mode["workloads"]]
            reports = run_backend(backend, pythons, big, sides, args)
            all_reports["runs"].append({"backend": backend, "messages": big["messages"], "reports": reports})
    if args.profile:
        return 0
    all_reports["started"] = f"{started:%Y-%m-%d %H:%M}"
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(all_reports, indent=1))
    print_report(all_reports)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
