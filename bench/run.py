#!/usr/bin/env python3
"""Benchmark our flask-peewee packages against the original flask-peewee 4.0.1 and a hand-written floor.

    python3 bench/run.py [--quick] [--big] [--table] [--workload NAME ...] [--backends sqlite,postgres]
    python3 bench/run.py --profile NAME [--side ours|original|floor]   cProfile one workload
    python3 bench/run.py --instructions [--table | --workload NAME ...]  CPU instructions per request (callgrind)

Stdlib only. It makes two virtualenvs unless they exist with the same pins (installed
side by side the original's ``flask_peewee/__init__.py`` would shadow our namespace):
bench/.venv-ours (our five packages editable) and bench/.venv-original (flask-peewee==4.0.1).
The floor (workloads_floor.py: Flask + peewee by hand, no flask-peewee imported) runs in
bench/.venv-ours, on the same pins as ours. It builds one data set with plain peewee
(SQLite files in bench/.data/, and a PostgreSQL database when the server answers), gives
each side its own copy, runs the same workloads through the sides' workers taking turns
(workload by workload, in rotating order) and prints the median times, the ratios ours /
floor, original / floor and ours / original (medians of per-round ratios), the SQL
statements per request of each side and, for serialization and export, the peak traced
memory. Numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import contextlib
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

# The workloads in report order; the workers define them. Logins and creates add rows, so they run last.
WORKLOADS = [
    "rest_list",
    "rest_last_page",
    "rest_cursor_first",
    "rest_cursor_last",
    "rest_list_filtered",
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
    "login_form",
    "rest_create",
    "rest_create_no_throttle",
]
# The rows of issue 16's table (bench/README.md): what --table runs.
TABLE_WORKLOADS = [
    "rest_list",
    "rest_last_page",
    "rest_cursor_first",
    "rest_cursor_last",
    "rest_detail",
    "rest_list_filtered",
    "rest_create",
    "login_form",
    "admin_index",
    "admin_index_filter",
    "export_csv",
]
SIDES = ["original", "ours", "floor"]
# The floor imports no flask-peewee; it runs on ours' pins (Flask, Werkzeug, peewee, passlib).
VENV_OF = {"original": "original", "ours": "ours", "floor": "ours"}
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


def users_for(messages: int) -> int:
    """1,000 users for 100,000 messages (issue 16's data), fewer for small runs: 100 messages each."""
    return max(10, min(1000, messages // 100))


def sqlite_dataset(python: Path, messages: int) -> Path:
    """The SQLite data set with ``messages`` rows, built once per version of dataset.py."""
    tag = hashlib.sha256((HERE / "dataset.py").read_bytes()).hexdigest()[:10]
    users = users_for(messages)
    path = DATA / f"messages-{messages}-users-{users}-{tag}.db"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        print(f"run.py: building {path.relative_to(ROOT)} ...", flush=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [str(python), "dataset.py", "sqlite", str(partial), "--messages", str(messages), "--users", str(users)],
            cwd=HERE,
            check=True,
        )
        partial.rename(path)
    return path


def dataset_cmd(python: Path, *args: str, check: bool = True) -> bool:
    return subprocess.run([str(python), "dataset.py", *args], cwd=HERE, check=check).returncode == 0


def worker_command(python: Path, side: str, backend: str, database: str, opts: dict[str, Any], args: Any) -> list[str]:
    """The command line of one side's worker on ``database`` (see _harness.parse_args)."""
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
    ]
    for name in opts["workloads"]:
        command += ["--workload", name]
    if args.served:
        command.append("--served")
    return command


def profile_worker(python: Path, side: str, backend: str, database: str, opts: dict[str, Any], args: Any) -> None:
    """Run one side's worker alone with ``--profile`` (its cProfile report goes to stderr)."""
    print(f"run.py: profiling {side} on {backend} ({opts['messages']:,} messages) ...", flush=True)
    command = [*worker_command(python, side, backend, database, opts, args), "--profile", args.profile]
    subprocess.run([*command, "--out", os.devnull], cwd=HERE, check=True)


class Worker:
    """One side's worker kept alive for a round, taking orders one JSON line at a time (_harness.interleaved)."""

    def __init__(self, python: Path, side: str, backend: str, database: str, opts: dict[str, Any], args: Any):
        self.side = side
        command = [*worker_command(python, side, backend, database, opts, args), "--interleaved"]
        self.process = subprocess.Popen(command, cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hello = self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"the {self.side} worker stopped (exit {code}); its stderr is above")
        return json.loads(line)

    def ask(self, **order: Any) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(order) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"the {self.side} worker: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError, RuntimeError):  # it stopped already
                self.ask(op="quit")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


#: Each round, a workload's timed calls are split in this many parts, the sides taking turns.
PARTS = 3


def run_round(
    pythons: dict[str, Path], sides: list[str], backend: str, databases: dict[str, str], opts: dict[str, Any], args: Any
) -> dict[str, dict]:
    """One round: a worker per side on its own data, taking turns workload by workload; a report per side.

    For each workload the sides run part 1 of its timed calls one after another, then part 2
    in the next order, and so on (original, ours, floor; ours, floor, original; ...), so the
    calls being compared are seconds apart and each side holds each place in the turn once.
    """
    print(f"run.py: a round on {backend} ({opts['messages']:,} messages): {', '.join(sides)} ...", flush=True)
    workers: dict[str, Worker] = {}
    try:
        for side in sides:
            workers[side] = Worker(pythons[side], side, backend, databases[side], opts, args)
        reports = {side: {**worker.hello, "workloads": {}} for side, worker in workers.items()}
        order = list(sides)
        for name in opts["workloads"]:
            for part in range(PARTS):
                for side in order:
                    workers[side].ask(op="time", workload=name, part=part, parts=PARTS)
                order = order[1:] + order[:1]
            for side in sides:
                reports[side]["workloads"][name] = workers[side].ask(op="report", workload=name)
        return reports
    finally:
        for worker in workers.values():
            worker.close()


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
        entry["round_medians"] = [e["median"] for e in entries]
        entry["cpu_round_medians"] = [e["cpu_median"] for e in entries if e.get("cpu_median") is not None]
        entry["statements"] = max(e.get("statements") or 0 for e in entries)
        peaks = [e["peak_bytes"] for e in entries if e.get("peak_bytes") is not None]
        if peaks:
            entry["peak_bytes"] = max(peaks)
        merged["workloads"][name] = entry
    return merged


def run_backend(backend: str, pythons: dict[str, Path], opts: dict[str, Any], sides: list[str], args: Any) -> dict:
    """The sides on one backend, in ``opts["rounds"]`` rounds (:func:`run_round`): ``{side: merged report}``.

    Each round gives each side a fresh copy of the data and starts the turns with the next
    side. With ``--profile`` each side's worker instead runs alone, once, and nothing is reported.
    """
    rounds: dict[str, list[dict]] = {side: [] for side in sides}
    order = list(sides)

    def one_round(databases: dict[str, str]) -> None:
        if args.profile:
            for side in sides:
                profile_worker(pythons[side], side, backend, databases[side], opts, args)
            return
        for side, report in run_round(pythons, order, backend, databases, opts, args).items():
            rounds[side].append(report)

    if backend == "sqlite":
        source = sqlite_dataset(pythons["ours"], opts["messages"])
        for _ in range(opts["rounds"]):
            copies = {side: DATA / f"run-{os.getpid()}-{side}.db" for side in sides}
            try:
                for copy in copies.values():
                    shutil.copyfile(source, copy)
                one_round({side: str(copy) for side, copy in copies.items()})
            finally:
                for copy in copies.values():
                    copy.unlink(missing_ok=True)
            order = order[1:] + order[:1]
    else:
        python = pythons["ours"]
        base = f"fp_bench_{os.getpid()}_base"
        clones = {side: f"fp_bench_{os.getpid()}_{side}" for side in sides}
        try:
            print(f"run.py: building PostgreSQL database {base} ...", flush=True)
            users = str(users_for(opts["messages"]))
            dataset_cmd(python, "pg-create", args.pg_dsn, base, "--messages", str(opts["messages"]), "--users", users)
            for _ in range(opts["rounds"]):
                for name in clones.values():
                    dataset_cmd(python, "pg-clone", args.pg_dsn, base, name)
                one_round(clones)
                dataset_cmd(python, "pg-drop", args.pg_dsn, *clones.values())
                order = order[1:] + order[:1]
        finally:
            dataset_cmd(python, "pg-drop", args.pg_dsn, base, *clones.values(), check=False)
    return {side: _merge(reports) for side, reports in rounds.items() if reports}


# -- the report -----------------------------------------------------------------------


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.2f}" if ms < 100 else f"{ms:,.0f}"


def _mib(nbytes: int | None) -> str:
    return "" if nbytes is None else f"{nbytes / 1048576:.1f}"


def _ok(entry: dict | None) -> bool:
    """A measured entry whose answer was a success (a login answers with a 302 redirect)."""
    return bool(entry) and "na" not in entry and (entry.get("status") or 0) < 400


def _cell(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if "na" in entry:
        return "n/a"
    if not _ok(entry):
        return f"HTTP {entry.get('status')}"
    return _ms(entry["median"])


# Where the original cannot run a workload, the ratio is taken against its nearest equivalent
# (marked with * in the table): keyset pages against the original's page-number pages.
FALLBACK_BASELINE = {
    "rest_cursor": "rest_deep_page",
    "rest_cursor_first": "rest_list",
    "rest_cursor_last": "rest_last_page",
}


def ratio(top: dict | None, bottom: dict | None, key: str = "") -> float | None:
    """``top / bottom``: the median of the per-round ratios (each round's medians), or None.

    ``key="cpu_"`` compares the calling process's CPU time instead of the wall clock.
    """
    if not (_ok(top) and _ok(bottom)):
        return None
    tops = top.get(f"{key}round_medians") or ([top[f"{key}median"]] if top.get(f"{key}median") else [])
    bottoms = bottom.get(f"{key}round_medians") or ([bottom[f"{key}median"]] if bottom.get(f"{key}median") else [])
    per_round = [t / b for t, b in zip(tops, bottoms, strict=False) if b > 0]
    return statistics.median(per_round) if per_round else None


def _fmt_ratio(value: float | None, mark: str = "") -> str:
    return "" if value is None else f"{value:.2f}{mark}"


def rows_for(
    label: str, backend: str, reports: dict[str, dict], names: list[str], footnotes: dict[str, str]
) -> list[list[str]]:
    """Table rows for one run; n/a reasons and workload notes go to ``footnotes`` (shown under the table)."""
    rows = []

    def entry(side: str, name: str) -> dict | None:
        return reports.get(side, {}).get("workloads", {}).get(name)

    for name in names:
        orig, ours, floor = entry("original", name), entry("ours", name), entry("floor", name)
        if orig is None and ours is None and floor is None:
            continue
        baseline, mark = orig, ""
        if orig is not None and "na" in orig and name in FALLBACK_BASELINE:
            baseline, mark = entry("original", FALLBACK_BASELINE[name]), "*"
            footnotes[f"{name}*"] = f"the original's figures are its {FALLBACK_BASELINE[name]}"
        for side, found in (("original", orig), ("ours", ours), ("floor", floor)):
            if found and "na" in found:
                footnotes[f"{name} ({side} n/a)"] = found["na"]
            elif found and found.get("note"):
                footnotes[f"{name} ({side})"] = found["note"]
        sql = " / ".join(
            "-" if not _ok(e) or e.get("statements") is None else str(e["statements"])
            for e in (ours, floor, baseline if mark else orig)
        )
        rows.append(
            [
                name + label,
                backend,
                _cell(floor),
                _cell(ours),
                _cell(baseline) + mark if baseline is not None and mark else _cell(orig),
                _fmt_ratio(ratio(ours, floor)),
                _fmt_ratio(ratio(ours, floor, "cpu_")),
                _fmt_ratio(ratio(baseline, floor), mark),
                _fmt_ratio(ratio(ours, baseline), mark),
                sql,
                " / ".join(_mib((e or {}).get("peak_bytes")) for e in (ours, floor, orig))
                if any((e or {}).get("peak_bytes") is not None for e in (ours, floor, orig))
                else "",
                _rows(orig, ours, floor),
            ]
        )
    return rows


def _rows(*entries: dict | None) -> str:
    """The exported row counts, which must agree."""
    counts = [e.get("rows") for e in entries if e and "na" not in e and e.get("bytes") is not None]
    return ", ".join(f"{c:,}" for c in counts if c is not None)


HEADER = [
    "workload",
    "backend",
    "floor ms",
    "ours ms",
    "original ms",
    "ours/floor",
    "ours/floor CPU",
    "orig/floor",
    "ours/orig",
    "SQL ours / floor / orig",
    "MiB ours / floor / orig",
    "rows",
]


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def print_report(all_reports: dict[str, Any]) -> None:
    """The versions, the table (ratios to the floor and to the original) and the footnotes of a run."""
    table: list[list[str]] = []
    footnotes: dict[str, str] = {}
    smallest = min(run["messages"] for run in all_reports["runs"])
    for run in all_reports["runs"]:
        label = "" if run["messages"] == smallest else f" ({run['messages']:,} rows)"
        names = [n for n in WORKLOADS if any(n in r["workloads"] for r in run["reports"].values())]
        table += rows_for(label, run["backend"], run["reports"], names, footnotes)
    print()
    connections = all_reports.get("connections", "one per request")
    print(
        f"{all_reports.get('started', '')}, {all_reports.get('cpus')} CPUs, connections: {connections}, medians in ms"
    )
    for side, report in all_reports["runs"][0]["reports"].items():
        print(f"{side}: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    print()
    print(markdown_table(table))
    print()
    for run in all_reports["runs"]:
        for side in ("ours", "floor"):
            workloads = run["reports"].get(side, {}).get("workloads", {})
            first, last = workloads.get("rest_cursor_first"), workloads.get("rest_cursor_last")
            if _ok(first) and _ok(last):
                print(
                    f"- keyset, last page / first page ({run['backend']}, {side}): "
                    f"{_fmt_ratio(ratio(last, first))} (goal for ours: <= 1.2)"
                )
    for key, text in footnotes.items():
        print(f"- {key}: {text}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 messages, few repeats, SQLite only by default")
    parser.add_argument("--big", action="store_true", help="also export 1,000,000 rows (CSV and JSON)")
    parser.add_argument("--workload", action="append", default=[], choices=WORKLOADS, help="run only these")
    parser.add_argument("--table", action="store_true", help="run the workloads of issue 16's table")
    parser.add_argument("--backends", default=None, help="comma-separated: sqlite,postgres (default: what answers)")
    parser.add_argument("--pg-dsn", default=DEFAULT_PG_DSN, help="PostgreSQL server (a database is made and dropped)")
    parser.add_argument("--side", choices=SIDES, default=None, help="run one side only")
    parser.add_argument("--profile", default=None, choices=WORKLOADS, help="cProfile this workload (stderr)")
    parser.add_argument(
        "--served",
        action="store_true",
        help="every side opens the database as docs/deployment.rst serves it: peewee's pool, SQLite in WAL mode",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count each side's CPU instructions per request with valgrind's callgrind (bench/instructions.py)",
    )
    parser.add_argument("--json-out", default=None, help="also write every report as JSON here")
    parser.add_argument("--from-json", default=None, help="print the table of a saved --json-out, run nothing")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        if "instructions" in saved:
            import instructions

            instructions.print_counts(saved["instructions"])
        else:
            print_report(saved)
        return 0
    if args.profile:
        args.workload = [args.profile]
    sides = [args.side] if args.side else list(SIDES)
    venvs = {"ours": ensure_venv(HERE / ".venv-ours", ours_requirements())}
    if "original" in sides:
        venvs["original"] = ensure_venv(HERE / ".venv-original", ORIGINAL_PINS)
    pythons = {"ours": venvs["ours"], **{side: venvs[VENV_OF[side]] for side in sides}}
    mode = dict(MODES["quick" if args.quick else "full"])
    if args.profile:
        mode["rounds"] = 1  # one profile per side is enough
    chosen = list(args.workload) + ([w for w in TABLE_WORKLOADS if w not in args.workload] if args.table else [])
    mode["workloads"] = [w for w in WORKLOADS if w in chosen] if chosen else WORKLOADS
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
    if args.instructions:
        import instructions

        args.messages = mode["messages"]
        counted = instructions.count(backends, pythons, sides, mode["workloads"], args)
        if args.json_out:
            Path(args.json_out).write_text(
                json.dumps({"started": f"{started:%Y-%m-%d %H:%M}", "instructions": counted})
            )
        instructions.print_counts(counted)
        return 0
    all_reports: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "connections": "pool, SQLite in WAL mode" if args.served else "one per request",
        "cpus": os.cpu_count(),
        "runs": [],
    }
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
