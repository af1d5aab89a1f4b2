"""Login throttling: failed attempts counted per username and per client address.

Counters live where every worker process sees them: the app's database by default (the
``fp_login_throttle`` table), or Redis when ``FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND`` is
``"redis"``. Each attempt is counted before the password is verified, so concurrent
requests cannot slip past the limit; a successful login takes its attempt back and clears
the username's counter. On PostgreSQL and SQLite that is two statements per successful
login: one upsert counting both keys and returning their counts, and one UPDATE.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import peewee

from flask_peewee.db import ImproperlyConfigured

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["LoginThrottle", "ThrottleSettings", "settings_from_config"]

PREFIX = "FLASK_PEEWEE_LOGIN_THROTTLE"
DEFAULTS: dict[str, Any] = {
    f"{PREFIX}_ENABLED": True,
    f"{PREFIX}_USERNAME_LIMIT": 10,
    f"{PREFIX}_ADDRESS_LIMIT": 20,
    f"{PREFIX}_WINDOW": 900,
    f"{PREFIX}_BACKEND": "database",
    f"{PREFIX}_REDIS_URL": "redis://127.0.0.1:6379/0",
}
_BACKENDS = ("database", "redis")


@dataclass(frozen=True)
class ThrottleSettings:
    """The throttle configuration of one app, read from its ``FLASK_PEEWEE_LOGIN_THROTTLE_*`` keys."""

    enabled: bool = True
    username_limit: int = 10
    address_limit: int = 20
    window: int = 900
    backend: str = "database"
    redis_url: str = "redis://127.0.0.1:6379/0"


def _positive_int(config: Mapping[str, Any], name: str) -> int:
    value = config.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, got {value!r}")
    return value


def settings_from_config(config: Mapping[str, Any]) -> ThrottleSettings:
    """Validate and read the throttle keys; a bad value raises :class:`ImproperlyConfigured`."""
    backend = config.get(f"{PREFIX}_BACKEND", DEFAULTS[f"{PREFIX}_BACKEND"])
    if backend not in _BACKENDS:
        raise ImproperlyConfigured(f"{PREFIX}_BACKEND must be one of {_BACKENDS}, got {backend!r}")
    redis_url = config.get(f"{PREFIX}_REDIS_URL", DEFAULTS[f"{PREFIX}_REDIS_URL"])
    if not isinstance(redis_url, str) or not redis_url:
        raise ImproperlyConfigured(f"{PREFIX}_REDIS_URL must be a redis:// URL, got {redis_url!r}")
    return ThrottleSettings(
        enabled=bool(config.get(f"{PREFIX}_ENABLED", True)),
        username_limit=_positive_int(config, f"{PREFIX}_USERNAME_LIMIT"),
        address_limit=_positive_int(config, f"{PREFIX}_ADDRESS_LIMIT"),
        window=_positive_int(config, f"{PREFIX}_WINDOW"),
        backend=backend,
        redis_url=redis_url,
    )


class _Store(Protocol):
    def hit(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]: ...
    def succeeded(self, reset_key: str, undo_key: str) -> None: ...


def _sqlite_version() -> tuple[int, ...]:
    import sqlite3

    return sqlite3.sqlite_version_info


def _strategy(database: peewee.Database) -> str:
    """How :class:`_DatabaseStore` counts an attempt on ``database``.

    ``"returning"``: one upsert of all keys that returns the new counts (PostgreSQL, SQLite 3.35+).
    ``"upsert"``: that upsert, then a SELECT, in one transaction (SQLite 3.24 to 3.34).
    ``"mysql"``: one upsert per key, then a SELECT. Not in one transaction: InnoDB picks
    deadlock victims among transactions inserting the same new key at once (measured with 24
    workers), while single-row statements in autocommit only wait for each other.
    ``"update"``: per key an UPDATE, and an INSERT for a new key, then a SELECT (other databases).
    """
    if isinstance(database, peewee.PostgresqlDatabase):
        return "returning"
    if isinstance(database, peewee.MySQLDatabase):
        return "mysql"
    if isinstance(database, peewee.SqliteDatabase):
        version = _sqlite_version()
        if version >= (3, 35, 0):
            return "returning"
        return "upsert" if version >= (3, 24, 0) else "update"
    return "update"


class _DatabaseStore:
    """Counters in a table; an attempt is counted by one upsert where the database allows.

    A row whose window has passed, or whose counter a successful login cleared, starts a new
    window at 1. Counts are computed by the database, never in Python, so concurrent workers
    cannot lose an attempt; with ``"returning"`` and ``"upsert"`` each worker also reads exactly
    its own count, elsewhere the count read back may include a concurrent worker's attempt
    (which can only refuse sooner, never later).
    """

    def __init__(self, model: type[peewee.Model]) -> None:
        self.model = model

    def hit(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]:
        model: Any = self.model
        database = model._meta.database
        real = getattr(database, "obj", database)  # the app's database behind db.Model's proxy
        strategy = _strategy(real)
        now = int(time.time())
        fresh = (model.window_start <= now - window) | (model.attempts <= 0)
        # MySQL evaluates the assignments left to right, so there ``window_start`` sees the new
        # ``attempts``: which is 1 exactly when the row started afresh.
        restarted = (model.attempts == 1) if isinstance(real, peewee.MySQLDatabase) else fresh
        update = {
            model.attempts: peewee.Case(None, [(fresh, 1)], model.attempts + 1),
            model.window_start: peewee.Case(None, [(restarted, now)], model.window_start),
        }
        columns = (model.key, model.attempts, model.window_start)
        if strategy == "returning":
            insert = self._insert(keys, now).on_conflict(conflict_target=[model.key], update=update)
            rows = list(insert.returning(*columns).tuples().execute())
        else:
            with database.atomic() if strategy == "upsert" else contextlib.nullcontext():
                if strategy == "upsert":
                    self._insert(keys, now).on_conflict(conflict_target=[model.key], update=update).execute()
                elif strategy == "mysql":
                    for key in keys:  # ON DUPLICATE KEY UPDATE takes no conflict target
                        self._insert([key], now).on_conflict(update=update).execute()
                else:
                    self._update_or_insert(keys, now, update)
                rows = list(model.select(*columns).where(model.key.in_(list(keys))).tuples())
        counts = {key: (attempts, window_start) for key, attempts, window_start in rows}
        return [(counts[key][0], max(1, counts[key][1] + window - now)) for key in keys]

    def _insert(self, keys: Sequence[str], now: int) -> Any:
        model: Any = self.model
        rows = [(key, 1, now) for key in keys]
        return model.insert_many(rows, fields=[model.key, model.attempts, model.window_start])

    def _update_or_insert(self, keys: Sequence[str], now: int, update: dict[Any, Any]) -> None:
        model: Any = self.model
        for key in keys:
            query = model.update(update).where(model.key == key)
            if query.execute() == 0:
                try:
                    with model._meta.database.atomic():
                        model.insert(key=key, attempts=1, window_start=now).execute()
                except peewee.IntegrityError:  # another worker inserted it first
                    query.execute()

    def succeeded(self, reset_key: str, undo_key: str) -> None:
        """Clear ``reset_key``'s counter and take one attempt back from ``undo_key``, in one UPDATE."""
        model: Any = self.model
        attempts = peewee.Case(None, [(model.key == reset_key, 0)], model.attempts - 1)
        model.update({model.attempts: attempts}).where(
            model.key.in_([reset_key, undo_key]), model.attempts > 0
        ).execute()


class _RedisStore:
    """Counters in Redis keys that expire with their window."""

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise ImproperlyConfigured(
                f"{PREFIX}_BACKEND = 'redis' needs the redis package: pip install 'flask-peewee-auth[redis]'"
            ) from None
        self.client = redis.Redis.from_url(url)

    def hit(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]:
        pipe = self.client.pipeline()
        for key in keys:
            name = f"fp:login-throttle:{key}"
            pipe.set(name, 0, ex=window, nx=True)
            pipe.incr(name)
            pipe.ttl(name)
        replies = pipe.execute()
        return [(int(replies[i + 1]), max(1, int(replies[i + 2]))) for i in range(0, len(replies), 3)]

    def succeeded(self, reset_key: str, undo_key: str) -> None:
        pipe = self.client.pipeline()
        pipe.delete(f"fp:login-throttle:{reset_key}")
        pipe.decr(f"fp:login-throttle:{undo_key}")
        pipe.execute()


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


class LoginThrottle:
    """Refuse logins after too many attempts for one username or from one client address."""

    def __init__(self, settings: ThrottleSettings, store: _Store) -> None:
        self.settings = settings
        self.store = store

    @classmethod
    def for_app(cls, app: Flask, model: type[peewee.Model], cache_key: str) -> LoginThrottle | None:
        """The throttle of ``app`` (built once and cached in ``app.extensions``), None when disabled."""
        cache = app.extensions.setdefault("flask_peewee.auth.throttle", {})
        if cache_key not in cache:
            settings = settings_from_config(app.config)
            if not settings.enabled:
                cache[cache_key] = None
            else:
                store = _RedisStore(settings.redis_url) if settings.backend == "redis" else _DatabaseStore(model)
                cache[cache_key] = cls(settings, store)
        return cache[cache_key]

    def keys(self, username: str, address: str | None) -> tuple[str, str]:
        return _key("u", username.strip().casefold()), _key("a", address or "unknown")

    def attempt(self, username: str, address: str | None) -> int | None:
        """Count one attempt; return seconds to wait when it is over a limit, else None."""
        user_key, address_key = self.keys(username, address)
        (user_count, user_wait), (address_count, address_wait) = self.store.hit(
            (user_key, address_key), self.settings.window
        )
        waits = []
        if user_count > self.settings.username_limit:
            waits.append(user_wait)
        if address_count > self.settings.address_limit:
            waits.append(address_wait)
        return max(waits) if waits else None

    def succeeded(self, username: str, address: str | None) -> None:
        """A login worked: clear the username's counter and take back the address's attempt."""
        user_key, address_key = self.keys(username, address)
        self.store.succeeded(user_key, address_key)


def retry_after_header(seconds: int) -> str:
    """The ``Retry-After`` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
