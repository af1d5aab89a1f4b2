"""Measuring helpers shared by the three workers (stdlib only: it runs in any of the virtualenvs).

A worker declares its workloads as ``{name: setup}`` where ``setup(ctx)`` returns a
:class:`Workload` (a callable doing one operation and returning a :class:`Result`) or a
string saying why this side cannot run it ("n/a"). :func:`main` runs the chosen ones and
writes the numbers as JSON for ``run.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Page size and other constants both sides use, so the work is the same.
PAGE_SIZE = 20
SERIALIZE_COUNT = 1000
FILTER_USERNAME = "user7"
BENCH_PASSWORD = "bench-secret"
EXPORT_FIELDS = ("id", "content", "pub_date", "user__username")
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432"
# Requests both sides send (the admin filter differs: the original's filter form has its own parameters).
REST_LIST_URL = "/api/message/"
REST_FILTERED_URL = f"/api/message/?user__username={FILTER_USERNAME}&ordering=-pub_date"
LOGIN_URL = "/accounts/login/"
ADMIN_INDEX_URL = "/admin/message/"
CREATE_BODY = {"content": "A new message from the benchmark", "pub_date": "2024-06-01T12:00:00"}


@dataclass
class Result:
    """What one operation produced: enough to compare the two sides' answers, not to time them."""

    status: int = 200
    shape: Any = None
    rows: int | None = None  # rows in an export or list
    nbytes: int | None = None  # bytes of a streamed body


@dataclass
class Workload:
    """One operation to time; ``memory`` asks for a tracemalloc peak as well."""

    run: Callable[[], Result]
    memory: bool = False
    warmup: int | None = None  # overrides the mode's defaults (slow workloads)
    repeats: int | None = None
    note: str = ""
    # Called before each call, outside the timed part (a fresh client, a login form's token).
    before: Callable[[], Any] | None = None


@dataclass
class Context:
    """What a workload's setup gets: the worker's app objects and the run's sizes."""

    args: argparse.Namespace
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        return self.args.messages

    @property
    def deep_page(self) -> int:
        """Page 500 of 20, or the last full page when the data set is smaller (quick mode)."""
        return max(1, min(500, self.args.messages // PAGE_SIZE))

    @property
    def last_page(self) -> int:
        """The last full page of 20: page 5,000 of 100,000 messages."""
        return max(1, self.args.messages // PAGE_SIZE)


def json_shape(value: Any) -> Any:
    """The structure of a JSON value: dict keys with their shapes, a list's first item, scalar types."""
    if isinstance(value, dict):
        return {k: json_shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [json_shape(value[0])] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def list_shape(payload: dict[str, Any]) -> dict[str, Any]:
    """A REST list's shape: its envelope keys, the number of objects and one object's shape.

    The ``meta`` keys are recorded but compared by nobody: the original names its counts
    ``object_count``/``page_count``, ours ``count``/``pages``/``limit``.
    """
    objects = payload.get("objects") or []
    return {
        "envelope": sorted(payload),
        "objects": len(objects),
        "object": json_shape(objects[0]) if objects else None,
    }


def drain(response: Any) -> tuple[int, int]:
    """Consume a (streamed) test-client response chunk by chunk: ``(bytes, newlines)``.

    Nothing is kept, so the memory measured is the server side's, not a copy of the body.
    """
    nbytes = newlines = 0
    try:
        for chunk in response.response:
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            nbytes += len(chunk)
            newlines += chunk.count(b"\n")
    finally:
        response.close()
    return nbytes, newlines


def _time(
    workload: Workload, warmup: int, repeats: int, collect: bool = True
) -> tuple[list[float], Result, list[float]]:
    """Wall-clock seconds per call, the last result, and this process's CPU seconds per call.

    The CPU time leaves out waiting (other processes on a loaded machine, a disk sync, and on
    PostgreSQL the server's own work), so it moves much less than the wall clock under load.
    """
    run, before = workload.run, workload.before
    result = Result()
    for _ in range(warmup):
        if before is not None:
            before()
        result = run()
    if collect:
        # The app's long-lived objects (modules, models, routes, cached plans) are moved out of
        # the collector's reach, as a pre-fork server does: the collection before each call
        # then walks only the previous call's garbage. A full collection would walk every
        # object of every module imported, flushing the CPU caches in proportion to how much
        # code a side has loaded rather than to what its request does.
        gc.collect()
        gc.freeze()
    times, cpu = [], []
    try:
        for _ in range(repeats):
            if before is not None:
                before()
            if collect:  # outside the timed part: each call starts without the previous one's garbage
                gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            result = run()
            cpu.append(time.process_time() - start_cpu)
            times.append(time.perf_counter() - start)
    finally:
        if collect:
            gc.unfreeze()
    return times, result, cpu


# Transaction control is not a statement of the workload (peewee 4 sends it past execute_sql anyway).
_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def count_statements(workload: Workload) -> tuple[int, list[str]]:
    """The SQL statements one call sends through ``peewee.Database.execute_sql``: their number and texts.

    The method is wrapped on the class for that one call (not timed), so every database
    object of the side is seen, whatever the framework does with connections.
    """
    import peewee

    original = peewee.Database.execute_sql
    seen: list[str] = []

    def execute_sql(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if not sql.lstrip().upper().startswith(_NOT_COUNTED):
            seen.append(sql)
        return original(self, sql, *args, **kwargs)

    if workload.before is not None:
        workload.before()
    peewee.Database.execute_sql = execute_sql  # type: ignore[method-assign]
    try:
        workload.run()
    finally:
        peewee.Database.execute_sql = original  # type: ignore[method-assign]
    return len(seen), seen


def _peak_memory(workload: Workload) -> int:
    """Peak traced Python memory (bytes) of one run, above what was allocated before it."""
    run = workload.run
    if workload.before is not None:
        workload.before()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(0, peak - base)


def basic_auth_header(username: str, password: str) -> dict[str, str]:
    import base64

    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def html_result(response: Any, marker: bytes = b"<tr") -> Result:
    """An HTML page's status and how many ``marker`` elements (table rows, list items) it has."""
    body = response.get_data()
    return Result(status=response.status_code, shape="html", rows=body.count(marker), nbytes=len(body))


def login_result(response: Any) -> Result:
    """A login POST's answer: a redirect (302) that sets the session cookie, or the status it gave."""
    cookie = any(h.startswith("session=") and "Max-Age=0" not in h for h in response.headers.getlist("Set-Cookie"))
    return Result(status=response.status_code, shape={"redirect": response.status_code == 302, "cookie": cookie})


def versions_of(*names: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    found["python"] = sys.version.split()[0]
    return found


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="One side of the flask-peewee benchmark")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--database", required=True, help="SQLite file path or PostgreSQL database name")
    parser.add_argument("--pg-dsn", default=DEFAULT_PG_DSN, help="server for --backend postgres")
    parser.add_argument("--messages", type=int, required=True, help="rows in the message table")
    parser.add_argument("--workload", action="append", default=[], help="run only these (repeatable)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--slow-repeats", type=int, default=3, help="repeats of the export workloads")
    parser.add_argument("--profile", default=None, help="profile this workload with cProfile instead of timing")
    parser.add_argument("--out", default=None, help="write the results here as JSON (default: stdout)")
    parser.add_argument("--served", action="store_true", help="open the database as docs/deployment.rst serves it")
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        help="under valgrind's callgrind: instrument only this many calls of the one workload (run.py --instructions)",
    )
    parser.add_argument("--instructions-part", choices=("calls", "before"), default="calls")
    parser.add_argument(
        "--interleaved", action="store_true", help="take orders from run.py on stdin (the sides taking turns)"
    )
    return parser.parse_args(argv)


#: What ``--served`` adds on SQLite, as docs/deployment.rst recommends: the write-ahead log, and
#: commits that do not wait for the disk (a power loss can lose the last commits, never corrupt).
SQLITE_SERVED_PRAGMAS = {"journal_mode": "wal", "synchronous": "normal"}


def database_options(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The peewee engine (dotted path) and its options: the same on every side.

    By default a plain engine, opened and closed by each request. With ``--served``, as
    docs/deployment.rst serves an app: peewee's pool keeps the connections open (the
    request's close returns its connection), and SQLite writes ahead to its log (closing the
    last connection to a WAL database would checkpoint it at every request).
    """
    served = getattr(args, "served", False)
    if args.backend == "sqlite":
        if served:
            return "playhouse.pool.PooledSqliteDatabase", {"pragmas": SQLITE_SERVED_PRAGMAS, "max_connections": 4}
        return "peewee.SqliteDatabase", {}
    params = pg_params(args.pg_dsn)
    if served:
        return "playhouse.pool.PooledPostgresqlDatabase", {**params, "max_connections": 4}
    return "peewee.PostgresqlDatabase", params


def pg_params(dsn: str) -> dict[str, Any]:
    """``host``, ``port``, ``user`` (and ``password``) from a ``postgresql://`` URL, for peewee."""
    from urllib.parse import urlsplit

    parts = urlsplit(dsn)
    params: dict[str, Any] = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432}
    if parts.username:
        params["user"] = parts.username
    if parts.password:
        params["password"] = parts.password
    return params


def _counts(workload: Workload, args: argparse.Namespace) -> tuple[int, int]:
    """Warm-up and timed calls of ``workload``: its own, or the mode's (fewer for slow ones)."""
    slow = workload.memory
    warmup = workload.warmup if workload.warmup is not None else (min(1, args.warmup) if slow else args.warmup)
    repeats = workload.repeats if workload.repeats is not None else (args.slow_repeats if slow else args.repeats)
    return warmup, repeats


class _Samples:
    """One workload's timed calls, gathered over one or several parts of a round."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.result = Result()

    def take(self, workload: Workload, warmup: int, repeats: int) -> None:
        if warmup + repeats == 0:
            return
        times, self.result, cpu = _time(workload, warmup, repeats)
        self.times += times
        self.cpu += cpu

    def entry(self, workload: Workload) -> dict[str, Any]:
        """The report of this workload (see :func:`main`); counts statements and memory outside the timing."""
        statements, sql = count_statements(workload)
        result = self.result
        entry: dict[str, Any] = {
            "times": self.times,
            "median": statistics.median(self.times),
            "cpu_median": statistics.median(self.cpu),
            "min": min(self.times),
            "repeats": len(self.times),
            "status": result.status,
            "shape": result.shape,
            "rows": result.rows,
            "bytes": result.nbytes,
            "statements": statements,
            "sql": [text[:300] for text in sql[:12]],
        }
        if workload.note:
            entry["note"] = workload.note
        if workload.memory:
            entry["peak_bytes"] = _peak_memory(workload)
        return entry


def _profile(workload: Workload, warmup: int, repeats: int) -> None:
    profiler = cProfile.Profile()
    _time(workload, warmup, 0)
    profiler.enable()
    _time(workload, 0, repeats, collect=False)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main(side: str, versions: dict[str, str], build: Callable[[Context], dict[str, Callable[[Context], Any]]]) -> int:
    """Run the workloads ``build`` declares and report them (see the module docstring).

    With ``--interleaved`` the worker instead takes its orders from ``run.py`` (see :func:`interleaved`).
    """
    args = parse_args(sys.argv[1:])
    ctx = Context(args)
    setups = build(ctx)
    names = args.workload or list(setups)
    unknown = [n for n in names if n not in setups]
    if unknown:
        print(f"unknown workload(s): {', '.join(unknown)}; known: {', '.join(setups)}", file=sys.stderr)
        return 2
    if args.interleaved:
        return interleaved(side, versions, setups, ctx)
    if args.instructions:
        return instrumented(side, versions, setups, ctx, names)
    report: dict[str, Any] = {"side": side, "backend": args.backend, "versions": versions, "workloads": {}}
    for name in names:
        prepared = setups[name](ctx)
        if isinstance(prepared, str):
            report["workloads"][name] = {"na": prepared}
            continue
        warmup, repeats = _counts(prepared, args)
        if args.profile == name:
            _profile(prepared, warmup, repeats)
        samples = _Samples()
        samples.take(prepared, warmup, repeats)
        report["workloads"][name] = samples.entry(prepared)
    text = json.dumps(report, indent=1, default=str)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text)
    return 0


def interleaved(side: str, versions: dict[str, str], setups: dict[str, Callable[[Context], Any]], ctx: Context) -> int:
    """Measure on orders from ``run.py``, one JSON line in (stdin), one out, so the sides interleave.

    ``run.py`` keeps one worker per side alive for a round and has them take turns: each
    workload's timed calls come in parts, and the sides run each part one after another, in
    rotating order. A side's calls of a workload are then seconds, not minutes, from the
    other sides' calls of the same workload, and a shared machine's drift (another tenant,
    a slower minute) weighs on all sides alike instead of on whichever ran then.

    Orders: ``{"op": "time", "workload": W, "part": k, "parts": n}`` runs part ``k`` of
    ``n`` of W's timed calls (the warm-up with the first); ``{"op": "report", "workload":
    W}`` answers W's entry as :func:`main` reports it; ``{"op": "quit"}`` ends. The first
    line out says who is ready. Anything the app prints goes to stderr.
    """
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def reply(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message, default=str) + "\n")
        channel.flush()

    prepared: dict[str, Any] = {}
    samples: dict[str, _Samples] = {}
    reply({"side": side, "backend": ctx.args.backend, "versions": versions})
    for line in sys.stdin:
        order = json.loads(line)
        if order["op"] == "quit":
            break
        name = order["workload"]
        if name not in setups:
            reply({"error": f"unknown workload {name}"})
            continue
        if name not in prepared:
            prepared[name] = setups[name](ctx)
            samples[name] = _Samples()
        workload = prepared[name]
        if isinstance(workload, str):
            reply({"na": workload})
        elif order["op"] == "time":
            warmup, repeats = _counts(workload, ctx.args)
            part, parts = order["part"], order["parts"]
            share = repeats * (part + 1) // parts - repeats * part // parts
            samples[name].take(workload, warmup if part == 0 else 0, share)
            reply({"done": share})
        else:
            reply(samples[name].entry(workload))
    channel.close()
    return 0


def instrumented(
    side: str, versions: dict[str, str], setups: dict[str, Callable[[Context], Any]], ctx: Context, names: list[str]
) -> int:
    """Under ``valgrind --tool=callgrind --instr-atstart=no``: instrument ``--instructions`` calls of one workload.

    The app is built and warmed up uninstrumented; ``callgrind_control`` then turns the
    instrumentation on for the calls and off again, and valgrind's "Collected" count on
    exit is what they executed. With ``--instructions-part before`` the same loop runs only
    each call's ``before`` (a fresh login form...): ``run.py`` subtracts that run's count,
    which also cancels the toggling's own part. Instructions do not move with the machine's
    load, unlike times; they count this process only (not a database server's work, nor
    waiting).
    """
    import subprocess

    [name] = names
    workload = setups[name](ctx)
    report: dict[str, Any] = {"side": side, "backend": ctx.args.backend, "versions": versions, "workloads": {}}
    if isinstance(workload, str):
        report["workloads"][name] = {"na": workload}
    else:
        warmup, _repeats = _counts(workload, ctx.args)
        result = Result()
        for _ in range(warmup):
            if workload.before is not None:
                workload.before()
            result = workload.run()
        gc.collect()
        gc.freeze()
        pid = str(os.getpid())
        before, run = workload.before, workload.run
        only_before = ctx.args.instructions_part == "before"
        subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
        for _ in range(ctx.args.instructions):
            if before is not None:
                before()
            if not only_before:
                result = run()
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)
        report["workloads"][name] = {"status": result.status, "shape": result.shape, "rows": result.rows}
    text = json.dumps(report, default=str)
    if ctx.args.out:
        with open(ctx.args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text)
    return 0
