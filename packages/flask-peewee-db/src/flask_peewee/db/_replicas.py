"""Read replicas: send the reads that may be a little stale to a replica, everything else to the primary.

Nothing here runs for an app without replicas: :func:`install_router` gives the primary a
routing subclass of its own class only when replicas are configured.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import peewee

from flask_peewee.db._config import _build, _parse_mapping, _parse_url
from flask_peewee.db._exceptions import ImproperlyConfigured
from flask_peewee.db._settings import DATABASE, REPLICA_COOLDOWN, REPLICA_MAX_LAG, REPLICA_STRATEGY, REPLICAS

__all__ = [
    "SAFE_METHODS",
    "STRATEGIES",
    "ReplicaRouter",
    "install_router",
    "parse_replicas",
    "replica_lag",
    "replicas_key",
    "router_from_config",
    "routing_replicas",
    "use_primary",
]

logger = logging.getLogger("flask_peewee.db.replicas")

#: Request methods whose reads may come from a replica; any other method reads from the primary.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STRATEGIES = ("round_robin", "random")

#: How deep the current context is inside :func:`use_primary` blocks (0: reads may go to a replica).
_FORCED: ContextVar[int] = ContextVar("flask_peewee.db.use_primary", default=0)

#: The first word of SQL that never changes data, so running it on the primary is not a write.
_NOT_WRITES = frozenset(
    (
        "SELECT",
        "WITH",
        "SHOW",
        "PRAGMA",
        "EXPLAIN",
        "VALUES",
        "BEGIN",
        "START",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "SET",
    )
)


@contextlib.contextmanager
def use_primary() -> Iterator[None]:
    """Read from the primary database in this block (or, as a decorator, this function).

    For reads that must see the latest data, such as a session or token check. It applies to
    every :class:`~flask_peewee.db.Database` in the current thread or task, nests, and costs a
    context-variable set and reset (nothing else) when no replica is configured::

        with use_primary():
            user = User.get_by_id(user_id)
    """
    token = _FORCED.set(_FORCED.get() + 1)
    try:
        yield
    finally:
        _FORCED.reset(token)


def parse_replicas(value: Any, setting: str) -> list[Any]:
    """The replicas a setting lists: URLs, dicts like ``DATABASE`` or peewee databases.

    A string holds URLs separated by commas or whitespace (handy when it comes from the
    environment); ``None`` and an empty list mean no replica.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, (Mapping, peewee.Database)):
        value = [value]
    if not isinstance(value, Sequence):
        raise ImproperlyConfigured(
            f"{setting} must be a list of database URLs, dicts or peewee databases, got {value!r}"
        )
    for item in value:
        if not isinstance(item, (str, Mapping, peewee.Database)):
            raise ImproperlyConfigured(
                f"{setting}: each replica is a database URL, a dict with 'name' and 'engine' or a "
                f"peewee.Database, got {item!r}"
            )
    return list(value)


def replica_lag(database: peewee.Database) -> float | None:
    """Seconds a replica is behind its primary, ``0`` when it is not behind, ``None`` when unknown.

    PostgreSQL compares the WAL received with the WAL replayed; MySQL and MariaDB read
    ``Seconds_Behind_Master`` (``None`` while replication is stopped); other databases are
    taken as never behind.
    """
    if isinstance(database, peewee.PostgresqlDatabase):
        row = database.execute_sql(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND NOT pg_is_wal_replay_paused() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        ).fetchone()
        return float(row[0])
    if isinstance(database, peewee.MySQLDatabase):
        for statement in ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS"):
            try:
                cursor = database.execute_sql(statement)
            except peewee.ProgrammingError:  # an older server without the first spelling
                continue
            row = cursor.fetchone()
            if row is None:
                return 0.0  # not a replica of anything
            names = [column[0] for column in cursor.description]
            for name in ("Seconds_Behind_Source", "Seconds_Behind_Master"):
                if name in names:
                    value = row[names.index(name)]
                    return None if value is None else float(value)
        return None
    return 0.0


def _describe(database: peewee.Database) -> str:
    """A replica's name for log messages, without credentials."""
    host = database.connect_params.get("host")
    port = database.connect_params.get("port")
    where = f"{host}:{port}/" if host and port else f"{host}/" if host else ""
    return f"{where}{database.database}"


class _ThreadState(threading.local):
    """What the current thread's unit of work (a request, a script) did so far."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.wrote = False  # a write ran on the primary: later reads go there too
        self.pinned = False  # a request with an unsafe method: every read goes to the primary
        self.skipped: set[int] = set()  # replicas found lagging in this unit of work


class ReplicaRouter:
    """Chooses where each read of one primary database runs, and remembers what went wrong.

    :param replicas: the replica databases, of the same kind as the primary.
    :param strategy: ``"round_robin"`` or ``"random"``.
    :param max_lag: skip a replica more than this many seconds behind (checked once per
        connection to it); ``None`` checks nothing.
    :param cooldown: seconds a replica that failed is left out before it is tried again.
    :param lag: measures a replica's lag (:func:`replica_lag` by default).
    """

    def __init__(
        self,
        replicas: Sequence[peewee.Database],
        *,
        strategy: str = "round_robin",
        max_lag: float | None = None,
        cooldown: float = 30.0,
        lag: Callable[[peewee.Database], float | None] = replica_lag,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ImproperlyConfigured(f"replica strategy must be one of {STRATEGIES}, got {strategy!r}")
        self.replicas = list(replicas)
        self.strategy = strategy
        self.max_lag = max_lag
        self.cooldown = cooldown
        self.lag = lag
        self._down_until: dict[int, float] = {}
        self._turn = itertools.count()
        self._state = _ThreadState()

    # -- the unit of work ---------------------------------------------------------------

    def begin(self, method: str | None = None) -> None:
        """Start a unit of work (a request): forget earlier writes; pin an unsafe method to the primary."""
        self._state.reset()
        self._state.pinned = method is not None and method.upper() not in SAFE_METHODS

    def end(self) -> None:
        """End the unit of work: close this thread's replica connections and forget its writes."""
        self._state.reset()
        for replica in self.replicas:
            if not replica.is_closed():
                with contextlib.suppress(peewee.PeeweeException):
                    replica.close()

    def wrote(self) -> None:
        """Note a write: the rest of the unit of work reads from the primary (read-your-writes)."""
        self._state.wrote = True

    @property
    def reads_from_primary(self) -> bool:
        """Whether the current thread's reads go to the primary for now."""
        state = self._state
        return state.wrote or state.pinned or _FORCED.get() > 0

    # -- choosing ---------------------------------------------------------------------------

    def candidates(self) -> list[tuple[int, peewee.Database]]:
        """The replicas to try for one read, in order: not known to be down or lagging."""
        now = time.monotonic()
        skipped = self._state.skipped
        usable = [
            (index, replica)
            for index, replica in enumerate(self.replicas)
            if index not in skipped and self._down_until.get(index, 0.0) <= now
        ]
        if len(usable) > 1:
            if self.strategy == "random":
                random.shuffle(usable)
            else:
                start = next(self._turn) % len(usable)
                usable = usable[start:] + usable[:start]
        return usable

    def mark_down(self, index: int, replica: peewee.Database, exc: BaseException) -> None:
        self._down_until[index] = time.monotonic() + self.cooldown
        logger.warning(
            "flask-peewee-db: replica %s failed (%s); left out for %ss, the read goes elsewhere",
            _describe(replica),
            " ".join(str(exc).split()) or type(exc).__name__,
            self.cooldown,
        )
        with contextlib.suppress(Exception):
            replica.close()

    def _usable(self, index: int, replica: peewee.Database) -> bool:
        """Connect ``replica`` unless this thread has it open, checking its lag on a new connection."""
        try:
            opened = replica.connect(reuse_if_open=True)
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            self.mark_down(index, replica, exc)
            return False
        if not opened or self.max_lag is None:
            return True
        try:
            lag = self.lag(replica)
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            self.mark_down(index, replica, exc)
            return False
        if lag is None or lag > self.max_lag:
            self._state.skipped.add(index)
            logger.warning(
                "flask-peewee-db: replica %s is %s behind (limit %ss); skipped until the unit of work ends",
                _describe(replica),
                "an unknown time" if lag is None else f"{lag:.1f}s",
                self.max_lag,
            )
            with contextlib.suppress(Exception):
                replica.close()
            return False
        return True

    def read(self, query: Any, **context_options: Any) -> Any:
        """Run a read on the first usable replica; ``None`` when it must run on the primary.

        A replica that cannot be reached, or fails the query with a connection error, is left
        out for :attr:`cooldown` seconds and logged; the read then runs once on the primary.
        """
        for index, replica in self.candidates():
            if not self._usable(index, replica):
                continue
            try:
                return replica.execute(query, **context_options)
            except (peewee.OperationalError, peewee.InterfaceError) as exc:
                self.mark_down(index, replica, exc)
                return None
            except peewee.ProgrammingError as exc:  # e.g. a table the replica has not replayed yet
                logger.warning(
                    "flask-peewee-db: replica %s refused a read (%s); reading from the primary",
                    _describe(replica),
                    " ".join(str(exc).split()),
                )
                return None
        return None


def _routed_class(klass: type[peewee.Database]) -> type[peewee.Database]:
    """A subclass of ``klass`` that sends reads outside transactions to a replica and notes writes.

    A live database's class is swapped for it, so it adds methods only (no mixin base: the
    memory layout must stay the one of ``klass``).
    """
    base: Any = klass  # a class chosen at run time

    class Routed(base):
        _fp_router: ReplicaRouter

        def execute(self, query: Any, **context_options: Any) -> Any:
            router = self._fp_router
            if isinstance(query, peewee.SelectBase):
                if (
                    not router.reads_from_primary
                    and not self.in_transaction()
                    and getattr(query, "_for_update", None) is None
                ):
                    cursor = router.read(query, **context_options)
                    if cursor is not None:
                        return cursor
            elif not isinstance(query, peewee.RawQuery):
                router.wrote()  # INSERT, UPDATE, DELETE (with or without a WITH clause), DDL
            return super().execute(query, **context_options)

        def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            words = sql.lstrip(" (\n\t").split(None, 1)
            if not words or words[0].upper() not in _NOT_WRITES:
                self._fp_router.wrote()
            return super().execute_sql(sql, params, *args, **kwargs)

        def close(self) -> bool:
            closed = super().close()
            self._fp_router.end()
            return bool(closed)

    Routed.__name__ = Routed.__qualname__ = f"Routed{klass.__name__}"
    Routed.__module__ = __name__
    return Routed


_ROUTED_CLASSES: dict[type, type] = {}


def install_router(database: peewee.Database, router: ReplicaRouter) -> None:
    """Make ``database`` route its reads with ``router`` (its class becomes a routing subclass)."""
    klass = type(database)
    if klass not in _ROUTED_CLASSES.values():
        routed = _ROUTED_CLASSES.get(klass)
        if routed is None:
            routed = _ROUTED_CLASSES[klass] = _routed_class(klass)
        database.__class__ = routed
    untyped_db: Any = database
    untyped_db._fp_router = router


def routing_replicas(database: Any) -> ReplicaRouter | None:
    """The router installed on ``database`` (a peewee database or proxy), or ``None``."""
    if isinstance(database, peewee.DatabaseProxy):
        database = database.obj
    return getattr(database, "_fp_router", None)


def _configured(config: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The setting that lists the replicas and its entries (``DATABASE["replicas"]`` or the key of its own)."""
    database = DATABASE.get(config)
    in_dict = parse_replicas(database.get("replicas"), "DATABASE['replicas']") if isinstance(database, Mapping) else []
    separate = parse_replicas(REPLICAS.get(config), REPLICAS.key)
    if in_dict and separate:
        raise ImproperlyConfigured(
            f"Replicas are listed both in DATABASE['replicas'] and in {REPLICAS.key}: list them in one place"
        )
    return ("DATABASE['replicas']", in_dict) if in_dict else (REPLICAS.key, separate)


def replicas_key(config: Mapping[str, Any]) -> object:
    """A comparable description of the configured replicas, so two apps can be told apart."""
    _setting, entries = _configured(config)
    return tuple(
        ("instance", id(entry))
        if isinstance(entry, peewee.Database)
        else tuple(sorted((str(k), repr(v)) for k, v in entry.items()))
        if isinstance(entry, Mapping)
        else entry
        for entry in entries
    )


def _seconds(value: Any, setting: str, *, allow_none: bool) -> float | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ImproperlyConfigured(f"{setting} must be a number of seconds")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{setting} must be a number of seconds, got {value!r}") from None
    if not seconds >= 0:  # also refuses NaN
        raise ImproperlyConfigured(f"{setting} must be zero or more seconds, got {value!r}")
    return seconds


_FAMILIES = (peewee.PostgresqlDatabase, peewee.MySQLDatabase, peewee.SqliteDatabase)


def router_from_config(
    config: Mapping[str, Any],
    primary: peewee.Database,
    lag: Callable[[peewee.Database], float | None] = replica_lag,
) -> ReplicaRouter | None:
    """The router the config describes for ``primary``, or ``None`` when no replica is configured.

    Bad values raise :class:`ImproperlyConfigured` naming the key.
    """
    setting, entries = _configured(config)
    strategy = REPLICA_STRATEGY.get(config)
    if strategy not in STRATEGIES:
        raise ImproperlyConfigured(f"{REPLICA_STRATEGY.key} must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    max_lag = _seconds(REPLICA_MAX_LAG.get(config), REPLICA_MAX_LAG.key, allow_none=True)
    cooldown = _seconds(REPLICA_COOLDOWN.get(config), REPLICA_COOLDOWN.key, allow_none=False)
    if not entries:
        return None
    family = next((kind for kind in _FAMILIES if isinstance(primary, kind)), type(primary))
    replicas: list[peewee.Database] = []
    for entry in entries:
        if isinstance(entry, peewee.Database):
            replica = entry
        elif isinstance(entry, str):
            replica = _build(*_parse_url(entry, setting), setting)
        else:
            engine, name, options = _parse_mapping(entry)
            replica = _build(engine, name, dict(options), setting)
        if replica is primary:
            raise ImproperlyConfigured(f"{setting}: a replica cannot be the primary database itself")
        if not isinstance(replica, family):
            raise ImproperlyConfigured(
                f"{setting}: replica {type(replica).__name__} is not the same kind of database as the "
                f"primary ({type(primary).__name__}); the queries are written for one SQL dialect"
            )
        replicas.append(replica)
    return ReplicaRouter(replicas, strategy=strategy, max_lag=max_lag, cooldown=cooldown or 0.0, lag=lag)
