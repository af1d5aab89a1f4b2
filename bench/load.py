#!/usr/bin/env python3
"""Load and faults: the example app under gunicorn on PostgreSQL's pooled database, driven for a while.

    python3 bench/load.py                                  # 2 sync workers, 60 s, no faults
    python3 bench/load.py --worker-class gthread --duration 30
    python3 bench/load.py --faults                 # terminate the DB's connections, kill -9 a worker, cut the DB off
    python3 bench/load.py --hosts 2 --throttle redis --faults   # two gunicorn instances sharing PostgreSQL + Redis

It creates a PostgreSQL database of its own (``fp_load_i18_<pid>_<hex>``), loads the demo data
and a load user, starts gunicorn (2 workers per host) on 127.0.0.1 with the app connecting
through a TCP relay the script controls, and drives a mix of REST reads and writes, admin list
pages, public pages and logins from ``--clients`` threads for ``--duration`` seconds (and at
most ``--max-requests``). Each REST write carries a unique sequence number; afterwards every
write answered 2xx must be in the database exactly once with its audit entry, and no write
answered with an error may be half there (a message without its audit entry or the reverse).
It prints requests/s, p50/p99 latency, the statuses, the faults injected and the writes
lost, exits 1 when a write was lost or half written, a 5xx came without a fault, or a
traceback reached the server log, and drops the database and stops its processes.

Stdlib only; on first use it makes ``.dev/load-venv`` with the packages from ``packages/``
(editable) and ``bench/load-requirements.txt``, and reruns itself there.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import secrets
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "examples" / "twitter"
VENV = ROOT / ".dev" / "load-venv"
REQUIREMENTS = HERE / "load-requirements.txt"
PACKAGES = ["db", "utils", "auth", "admin", "rest"]
MIX = {"rest_read": 40, "rest_write": 25, "admin_list": 15, "public_page": 15, "login": 5}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# The app module gunicorn loads: the example with the extra config of this run (throttle backend).
WSGI = """
import json, os
import app as example
example.app.config.update(json.loads(os.environ["FP_LOAD_CONFIG"]))
from main import app  # noqa: E402
"""


# -- the virtualenv --------------------------------------------------------------------------


def _ensure_venv() -> None:
    """Rerun this script in .dev/load-venv (made or refreshed when the pins change)."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    stamp = VENV / "pins.sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"making {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True, clear=True)
        editable = [arg for part in PACKAGES for arg in ("-e", str(ROOT / "packages" / f"flask-peewee-{part}"))]
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS), *editable], check=True)
        stamp.write_text(wanted)
    rerun = [str(python), str(Path(__file__).resolve()), *sys.argv[1:]]
    os.execv(str(python), rerun)  # noqa: S606 - this script again, in its virtualenv


# -- a relay the script can cut ----------------------------------------------------------------


class Relay:
    """127.0.0.1:port -> the database server; :meth:`cut` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.up = True
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not select.select([self.listener], [], [], 0.2)[0]:
                continue
            client, _ = self.listener.accept()
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                for sock in select.select([client, server], [], [], 0.2)[0]:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (server if sock is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._open -= {client, server}
            for sock in (client, server):
                sock.close()

    def cut(self) -> int:
        """Refuse new connections and drop the open ones; return how many were dropped."""
        self.up = False
        with self._lock:
            dropped = list(self._open)
        for sock in dropped:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return len(dropped) // 2

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()


# -- the database ----------------------------------------------------------------------------


def _admin_connection(dsn: str, dbname: str = "postgres") -> Any:
    import psycopg2

    parts = urllib.parse.urlsplit(dsn)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=dbname,
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn


def _terminate_backends(admin: Any, dbname: str) -> int:
    """Terminate every server connection of this run's database (never another database's)."""
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )
        return int(cursor.fetchone()[0])


def _count_backends(admin: Any, dbname: str) -> int:
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        )
        return int(cursor.fetchone()[0])


# -- HTTP clients ----------------------------------------------------------------------------


class Client:
    """One keep-alive connection per host, a cookie jar, and the timing of each request."""

    def __init__(self, ports: list[int], record: Any, backoff: float = 0.5) -> None:
        self.ports = ports
        self.backoff = backoff
        self.record = record
        self.cookies: dict[str, str] = {}
        self.conns: dict[int, http.client.HTTPConnection] = {}
        self.turn = itertools.cycle(range(len(ports)))

    def request(self, kind: str, method: str, path: str, body: bytes | None = None, headers: Any = None) -> Any:
        port = self.ports[next(self.turn)]  # hosts in turn: nothing may assume one process or one host
        headers = {"Connection": "close", **(headers or {})}  # a new connection each time: no stale keep-alive
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            conn = self.conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            self.conns[port] = conn
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            retry_after = response.headers.get("Retry-After")
        except (OSError, http.client.HTTPException) as exc:
            self.conns.pop(port, None)
            self.record(kind, f"error:{type(exc).__name__}", time.perf_counter() - started, None)
            return None, b""
        if response.will_close:
            conn.close()
            self.conns.pop(port, None)
        self.record(kind, status, time.perf_counter() - started, retry_after)
        if status == 503 and retry_after and retry_after.isdigit():
            time.sleep(min(int(retry_after), self.backoff))  # a polite client waits (here at most --backoff)
        return status, data

    def log_in(self, username: str, password: str, kind: str = "login") -> bool:
        status, page = self.request(kind, "GET", "/accounts/login/")
        match = TOKEN.search(page.decode(errors="replace")) if status == 200 else None
        if not match:
            return False
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": match.group(1), "next": "/"}
        ).encode()
        status, _ = self.request(
            kind, "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        return status == 302


class Run:
    """What the clients saw: every request's kind, status and time, and the writes with their numbers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[str, Any, float]] = []
        self.timeline: list[tuple[float, Any]] = []
        self.missing_retry_after = 0
        self.writes: dict[int, Any] = {}
        self.sequence = itertools.count(1)
        self.faults: list[str] = []

    def record(self, kind: str, status: Any, seconds: float, retry_after: str | None) -> None:
        with self.lock:
            self.samples.append((kind, status, seconds))
            self.timeline.append((time.monotonic(), status))
            if status == 503 and not retry_after:
                self.missing_retry_after += 1


def _drive(run: Run, ports: list[int], users: dict[str, Any], deadline: float, budget: Any, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    client = Client(ports, run.record, users["backoff"])
    admin_ok = client.log_in("admin", users["admin_password"], kind="login")
    loader = "Basic " + base64.b64encode(f"{users['loader']}:{users['loader_password']}".encode()).decode()
    kinds, weights = list(MIX), list(MIX.values())
    while time.monotonic() < deadline and next(budget) > 0:
        kind = rng.choices(kinds, weights)[0]
        if kind == "rest_read":
            client.request(kind, "GET", rng.choice(["/api/message/?limit=20", "/api/message/?ordering=-id"]))
        elif kind == "rest_write":
            seq = next(run.sequence)
            content = f"{users['tag']} {seq}"
            body = json.dumps({"content": content, "user": users["loader_id"]}).encode()
            status, _data = client.request(
                kind, "POST", "/api/message/", body, {"Content-Type": "application/json", "Authorization": loader}
            )
            with run.lock:
                run.writes[seq] = status
        elif kind == "admin_list":
            if not admin_ok:
                admin_ok = client.log_in("admin", users["admin_password"], kind="login")
                continue
            status, _ = client.request(
                kind, "GET", rng.choice(["/admin/message/", "/admin/message/?ordering=-id", "/admin/user/"])
            )
            if status == 302:  # the session was lost (a 503 during login, say): log in again
                admin_ok = False
        elif kind == "public_page":
            client.request(kind, "GET", rng.choice(["/", "/users/", "/public/"]))
        else:
            Client(ports, run.record, users["backoff"]).log_in(users["loader"], users["loader_password"])


# -- gunicorn --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_gunicorn(args: Any, env: dict[str, str], workdir: Path, index: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers", "2",
        "--worker-class", args.worker_class,
        "--threads", str(args.threads if args.worker_class == "gthread" else 1),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "30",
        "--graceful-timeout", "5",
        "--pythonpath", f"{workdir},{EXAMPLE}",
        "--error-logfile", str(workdir / f"gunicorn-{index}.log"),
        "fp_load_wsgi:app",
    ]  # fmt: skip
    stderr = (workdir / f"stderr-{index}.log").open("wb")  # the app's own warnings ("database unavailable")
    process = subprocess.Popen(command, cwd=EXAMPLE, env=env, stdout=stderr, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {workdir / f'gunicorn-{index}.log'}") from None
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start listening within 30 s")


def _workers(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def _inject_faults(
    args: Any, run: Run, stop: threading.Event, admin: Any, dbname: str, relay: Relay, masters: list[int]
) -> None:
    """Every --fault-every seconds, one fault in turn: terminate the DB's connections, kill -9 a worker, DB cut off."""
    kinds = itertools.cycle(args.fault_kinds.split(","))
    while not stop.wait(args.fault_every):
        kind = next(kinds)
        if kind == "terminate":
            run.faults.append(f"pg_terminate_backend x{_terminate_backends(admin, dbname)}")
        elif kind == "kill-worker":
            victims = [pid for master in masters for pid in _workers(master)]
            if victims:
                victim = random.choice(victims)  # noqa: S311 - any worker will do
                os.kill(victim, signal.SIGKILL)
                run.faults.append(f"kill -9 worker {victim}")
        else:
            dropped = relay.cut()
            time.sleep(args.outage)
            relay.up = True
            run.faults.append(f"database unreachable {args.outage:g} s ({dropped} connections dropped)")
        if args.verbose and run.faults:
            print(f"{time.monotonic():.1f} fault: {run.faults[-1]}", file=sys.stderr, flush=True)


# -- the run ---------------------------------------------------------------------------------


def _setup_data(env: dict[str, str], users: dict[str, Any]) -> None:
    script = f"""
import demo_data
from models import User
demo_data.load({users["admin_password"]!r})
loader = User(username={users["loader"]!r}, email="loader@example.com", active=True)
loader.set_password({users["loader_password"]!r})
loader.save()
print(loader.id)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=EXAMPLE, env=env, check=True, capture_output=True, text=True
    )
    users["loader_id"] = int(out.stdout.split()[-1])


def _check_writes(run: Run, admin: Any, users: dict[str, Any]) -> dict[str, int]:
    with admin.cursor() as cursor:
        cursor.execute("SELECT id, content, user_id FROM message WHERE content LIKE %s", (users["tag"] + " %",))
        rows = cursor.fetchall()
        cursor.execute("SELECT object_pk FROM fp_audit_log WHERE model = 'message' AND action = 'add'")
        audited = {str(pk) for (pk,) in cursor.fetchall()}
    stored: dict[int, list[int]] = {}
    wrong_owner = 0
    for pk, content, user_id in rows:
        stored.setdefault(int(content.rsplit(" ", 1)[1]), []).append(pk)
        wrong_owner += user_id != users["loader_id"]
    acked = {seq for seq, status in run.writes.items() if isinstance(status, int) and 200 <= status < 300}
    failed = set(run.writes) - acked
    return {
        "writes answered 2xx": len(acked),
        "writes answered an error": len(failed),
        "acknowledged writes lost": len(acked - set(stored)),
        "written twice": sum(len(pks) > 1 for pks in stored.values()),
        "failed writes stored anyway (committed, answer lost)": len(failed & set(stored)),
        "half written (row without audit entry)": sum(str(pk) not in audited for pks in stored.values() for pk in pks),
        "rows with the wrong owner": wrong_owner,
    }


def _print_timeline(run: Run) -> None:
    buckets: dict[int, dict[str, int]] = {}
    for moment, status in run.timeline:
        bucket = buckets.setdefault(int(moment), {})
        bucket[str(status)] = bucket.get(str(status), 0) + 1
    for second, counts in sorted(buckets.items()):
        print(f"{second} {dict(sorted(counts.items()))}", file=sys.stderr)


def statuses_503(report: dict[str, Any]) -> int:
    return int(report["statuses"].get("503", 0))


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _report(
    args: Any, run: Run, elapsed: float, checks: dict[str, int], tracebacks: int, backends: tuple[int, int]
) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    for kind, status, seconds in run.samples:
        by_kind.setdefault(kind, []).append(seconds)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    total = [s for _, _, s in run.samples]
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5") or status.startswith("error"))
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "setup": f"{args.hosts} host(s) x 2 {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", pool max {args.pool} / timeout {args.pool_timeout} s, throttle {args.throttle}, {args.clients} clients",
        "seconds": round(elapsed, 1),
        "requests": len(total),
        "requests/s": round(len(total) / elapsed, 1) if elapsed else 0,
        "p50 ms": round(statistics.median(total) * 1000, 1) if total else 0,
        "p99 ms": round(_percentile(total, 0.99) * 1000, 1),
        "per kind (n, p50 ms, p99 ms)": {
            kind: (len(v), round(statistics.median(v) * 1000, 1), round(_percentile(v, 0.99) * 1000, 1))
            for kind, v in sorted(by_kind.items())
        },
        "statuses": dict(sorted(statuses.items())),
        "5xx and connection errors": server_errors,
        "503 without Retry-After": run.missing_retry_after,
        "tracebacks in the server log": tracebacks,
        "faults injected": run.faults,
        "server connections of the app's database before / after": backends,
        **checks,
    }
    for key, value in report.items():
        print(f"{key:>55}: {value}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--hosts", type=int, choices=[1, 2], default=1, help="gunicorn instances sharing PG (+ Redis)")
    parser.add_argument("--throttle", choices=["database", "redis"], default="database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--pool", type=int, default=4, help="max_connections of each worker's pool")
    parser.add_argument("--pool-timeout", type=float, default=5, help="seconds a request waits for a pooled connection")
    parser.add_argument("--faults", action="store_true", help="inject faults while the load runs")
    parser.add_argument("--fault-every", type=float, default=6.0, help="seconds between faults")
    parser.add_argument(
        "--fault-kinds", default="terminate,kill-worker,terminate,outage", help="the faults, in turn (comma-separated)"
    )
    parser.add_argument("--outage", type=float, default=2.0, help="seconds the database stays unreachable")
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--backoff", type=float, default=0.5, help="at most this wait after a 503 (Retry-After)")
    parser.add_argument(
        "--allow-503", action="store_true", help="503s (with Retry-After) are expected: a pool smaller than the threads"
    )
    parser.add_argument("--verbose", action="store_true", help="print the faults and a timeline of the statuses")
    parser.add_argument("--json-out", help="write the report as JSON here")
    args = parser.parse_args()
    _ensure_venv()

    parts = urllib.parse.urlsplit(args.pg_dsn)
    dbname = f"fp_load_i18_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _admin_connection(args.pg_dsn)
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{dbname}"')
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    processes: list[subprocess.Popen[bytes]] = []
    workdir = Path(tempfile.mkdtemp(prefix="fp-load-"))
    try:
        (workdir / "fp_load_wsgi.py").write_text(WSGI)
        user = f"{parts.username or 'postgres'}" + (f":{parts.password}" if parts.password else "")
        query = f"max_connections={args.pool}&timeout={args.pool_timeout:g}&stale_timeout=300"
        config: dict[str, Any] = {"FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND": args.throttle}
        if args.throttle == "redis":
            config["FLASK_PEEWEE_LOGIN_THROTTLE_REDIS_URL"] = args.redis_url
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres+pool://{user}@127.0.0.1:{relay.port}/{dbname}?{query}",
            "SECRET_KEY": secrets.token_hex(32),
            "FP_LOAD_CONFIG": json.dumps(config),
            "PYTHONPATH": f"{workdir}{os.pathsep}{EXAMPLE}",
        }
        users = {
            "admin_password": secrets.token_urlsafe(12),
            "loader": f"loader_{secrets.token_hex(3)}",
            "loader_password": secrets.token_urlsafe(12),
            "tag": f"load-{secrets.token_hex(4)}",
            "backoff": args.backoff,
        }
        _setup_data(env, users)
        ports = []
        for index in range(args.hosts):
            process, port = _start_gunicorn(args, env, workdir, index)
            processes.append(process)
            ports.append(port)
        run = Run()
        budget = itertools.count(args.max_requests, -1)
        started = time.monotonic()
        deadline = started + args.duration
        stop = threading.Event()
        injector = None
        if args.faults:
            masters = [p.pid for p in processes]
            injector = threading.Thread(target=_inject_faults, args=(args, run, stop, admin, dbname, relay, masters))
            injector.start()
        clients = [
            threading.Thread(target=_drive, args=(run, ports, users, deadline, budget, seed))
            for seed in range(args.clients)
        ]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        elapsed = time.monotonic() - started
        stop.set()
        if injector is not None:
            injector.join()
        relay.up = True
        db_admin = _admin_connection(args.pg_dsn, dbname)
        before = _count_backends(db_admin, dbname)
        checks = _check_writes(run, db_admin, users)
        db_admin.close()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        time.sleep(0.5)
        after = _count_backends(admin, dbname)
        logs = "".join(p.read_text(errors="replace") for p in workdir.glob("*.log"))
        if args.verbose:
            _print_timeline(run)
        report = _report(args, run, elapsed, checks, logs.count("Traceback"), (before, after))
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(report, indent=2))
        bad = (
            checks["acknowledged writes lost"]
            or checks["half written (row without audit entry)"]
            or checks["written twice"]
            or report["503 without Retry-After"]
            or report["tracebacks in the server log"]
            or after
            or (
                not args.faults
                and report["5xx and connection errors"] - (statuses_503(report) if args.allow_503 else 0)
            )
        )
        return 1 if bad else 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        relay.close()
        shutil.rmtree(workdir, ignore_errors=True)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
