"""A throwaway PostgreSQL primary with one streaming replica, for tests of replica routing.

Built from the machine's server binaries (``pg_config --bindir``): ``initdb`` makes the
primary, ``pg_basebackup -R`` copies it into a standby, ``pg_ctl`` starts both on free ports of
127.0.0.1 with their sockets in a temporary folder. Run as root, the binaries run as the
``postgres`` user (the folder is handed to it). Everything is removed by :meth:`stop`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["ReplicaCluster", "UnavailableCluster", "find_bindir"]

_SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    " -c shared_buffers=16MB -c max_connections=40 -c wal_level=replica -c max_wal_senders=4"
    " -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=-1"
)


class UnavailableCluster(RuntimeError):
    """The replica pair cannot be started here (no server binaries, no ``postgres`` user...)."""


def find_bindir() -> str | None:
    """The folder of the PostgreSQL server binaries, or None when they are not installed."""
    pg_config = shutil.which("pg_config")
    candidates = []
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(  # noqa: S603  # pg_config found on PATH, a fixed argument
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(out.stdout.strip())
    candidates += sorted(
        (os.path.join("/usr/lib/postgresql", v, "bin") for v in _listdir("/usr/lib/postgresql")), reverse=True
    )
    for folder in candidates:
        if all(os.access(os.path.join(folder, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return folder
    return None


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ReplicaCluster:
    """A PostgreSQL primary and a streaming replica of it, started by :meth:`start`.

    ``primary_url`` and ``replica_url`` name the database ``dbname`` on each (the replica
    is read-only). :meth:`sync` waits until the replica has replayed everything the primary
    wrote; :meth:`replay_paused` holds the replica behind the primary for a block.
    """

    def __init__(self, dbname: str = "fp_replica_test") -> None:
        self.dbname = dbname
        self.base = ""
        self.primary_port = 0
        self.replica_port = 0
        self._bindir = ""
        self._started: list[str] = []  # data folders of the servers running

    @property
    def primary_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.primary_port}/{self.dbname}"

    @property
    def replica_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.replica_port}/{self.dbname}"

    # -- starting and stopping -----------------------------------------------------------------

    def _run(self, tool: str, *args: str) -> None:
        command = [os.path.join(self._bindir, tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # the server binaries of pg_config --bindir, with arguments this class builds
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.base)  # noqa: S603
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise UnavailableCluster(f"{tool} failed ({result.returncode}): {output[-2000:]}")

    def start(self) -> None:
        """Start the pair; on any failure what was started is stopped and the error raised."""
        bindir = find_bindir()
        if bindir is None:
            raise UnavailableCluster("the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed")
        self._bindir = bindir
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise UnavailableCluster("running as root and there is no 'postgres' user to run the servers") from None
            if shutil.which("runuser") is None:
                raise UnavailableCluster("running as root and 'runuser' is missing")
        self.base = tempfile.mkdtemp(prefix="fp-replica-")
        try:
            if owner is not None:
                os.chown(self.base, owner.pw_uid, owner.pw_gid)
            os.chmod(self.base, 0o700)
            self._start_pair()
        except BaseException:
            self.stop()
            raise

    def _start_pair(self) -> None:
        primary, replica = os.path.join(self.base, "primary"), os.path.join(self.base, "replica")
        self._run("initdb", "-D", primary, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale")
        self.primary_port = _free_port()
        self._server("primary", primary, self.primary_port)
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", replica, "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        self.replica_port = _free_port()
        self._server("replica", replica, self.replica_port)
        with self.connect("primary", "postgres") as conn, conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.dbname}"')
        self.sync()

    def _server(self, name: str, data: str, port: int) -> None:
        options = f"-p {port} -c unix_socket_directories={self.base} {_SERVER_OPTIONS}"
        log = os.path.join(self.base, f"{name}.log")
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start")
        self._started.append(data)

    def stop(self) -> None:
        """Stop both servers and remove their files (safe to call twice, and after a failed start)."""
        while self._started:
            data = self._started.pop()
            with contextlib.suppress(UnavailableCluster, OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = ""

    # -- using the pair --------------------------------------------------------------------------

    @contextlib.contextmanager
    def connect(self, which: str = "primary", dbname: str | None = None) -> Iterator[Any]:
        """A psycopg2 connection (autocommit) to the ``"primary"`` or the ``"replica"``."""
        import psycopg2

        port = self.primary_port if which == "primary" else self.replica_port
        conn = psycopg2.connect(
            host="127.0.0.1", port=port, user="postgres", dbname=dbname or self.dbname, connect_timeout=5
        )
        conn.autocommit = True
        try:
            yield conn
        finally:
            conn.close()

    def sync(self, timeout: float = 30.0) -> None:
        """Wait until the replica has replayed all the primary wrote so far (replay must not be paused)."""
        with self.connect("primary", "postgres") as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()")
            target = cursor.fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect("replica", "postgres") as conn, conn.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))
                if cursor.fetchone()[0]:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {target} within {timeout}s")
                time.sleep(0.02)

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        """Hold the replica where it is for the block (what the primary writes meanwhile is not seen there)."""
        self.sync()
        with self.connect("replica", "postgres") as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
            try:
                yield
            finally:
                cursor.execute("SELECT pg_wal_replay_resume()")
        self.sync()

    def clear(self) -> None:
        """Drop every table of the test database on the primary, and wait for the replica to follow."""
        with self.connect("primary") as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [row[0] for row in cursor.fetchall()]
            if tables:
                cursor.execute("SET lock_timeout = '30s'")
                cursor.execute("DROP TABLE IF EXISTS {} CASCADE".format(", ".join(f'"{t}"' for t in tables)))
        self.sync()
