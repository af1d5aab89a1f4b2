"""Login throttling: failed verifications counted per (username, address), per address and per username.

Counters live where every worker process sees them: the app's database by default (the
``fp_login_throttle`` table), or Redis when ``FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND`` is
``"redis"``.

The rules (docs/security.rst repeats them):

- Only a failed verification counts. A refused request (429), a successful one and one that
  fails for another reason (a database error, an exception) count nothing.
- A request is refused when its address has ``ADDRESS_LIMIT`` failures, when this username
  has ``USERNAME_LIMIT`` failures from this address, or when this username has
  ``ACCOUNT_LIMIT`` failures from all addresses together *and* the address has failures of
  its own. So nobody can lock an account from elsewhere: a correct password from an address
  without failures always gets in.
- The counters are read before the password is checked and a failure is added after it,
  so requests running at the same moment all see the same counts: at most as many extra
  guesses as there are concurrent requests get through (documented bound).
- A successful login clears the counter of its (username, address) pair.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import peewee
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from flask_peewee.auth import _settings
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils.internal import Periodic, backend_name, redis_client

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "AuthUnavailable",
    "LoginThrottle",
    "LoginThrottled",
    "ThrottleSettings",
    "retry_after_header",
    "settings_from_config",
]

PREFIX = "FLASK_PEEWEE_LOGIN_THROTTLE"
DEFAULTS: dict[str, Any] = {s.key: s.default for s in _settings.SETTINGS if s.key.startswith(PREFIX)}
_BACKENDS = ("database", "redis")
#: seconds a client is asked to wait when the user store cannot be reached
UNAVAILABLE_RETRY_AFTER = 30


class LoginThrottled(TooManyRequests):
    """Too many failed logins: a 429 with ``Retry-After`` (``retry_after`` seconds)."""

    def __init__(self, retry_after: int) -> None:
        self.wait = max(1, math.ceil(retry_after))
        super().__init__("Too many login attempts", retry_after=self.wait)


class AuthUnavailable(ServiceUnavailable):
    """The users (or the throttle's counters) cannot be read right now: a 503 with ``Retry-After``.

    Raised by :meth:`Auth.authenticate` instead of answering "wrong password"; nothing is counted.
    """

    def __init__(self, retry_after: int = UNAVAILABLE_RETRY_AFTER) -> None:
        self.wait = retry_after
        super().__init__("The login service is temporarily unavailable. Please try again.", retry_after=retry_after)


@dataclass(frozen=True)
class ThrottleSettings:
    """The throttle configuration of one app, read from its ``FLASK_PEEWEE_LOGIN_THROTTLE_*`` keys."""

    enabled: bool = _settings.THROTTLE_ENABLED.default
    username_limit: int = _settings.THROTTLE_USERNAME_LIMIT.default
    address_limit: int = _settings.THROTTLE_ADDRESS_LIMIT.default
    account_limit: int = _settings.THROTTLE_ACCOUNT_LIMIT.default
    window: int = _settings.THROTTLE_WINDOW.default
    backend: str = _settings.THROTTLE_BACKEND.default
    redis_url: str = _settings.THROTTLE_REDIS_URL.default


def _positive_int(config: Mapping[str, Any], name: str) -> int:
    value = config.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, got {value!r}")
    return value


def settings_from_config(config: Mapping[str, Any]) -> ThrottleSettings:
    """Validate and read the throttle keys; a bad value raises :class:`ImproperlyConfigured`."""
    backend = _settings.THROTTLE_BACKEND.get(config)
    if backend not in _BACKENDS:
        raise ImproperlyConfigured(f"{PREFIX}_BACKEND must be one of {_BACKENDS}, got {backend!r}")
    redis_url = _settings.THROTTLE_REDIS_URL.get(config)
    if not isinstance(redis_url, str) or not redis_url:
        raise ImproperlyConfigured(f"{PREFIX}_REDIS_URL must be a redis:// URL, got {redis_url!r}")
    return ThrottleSettings(
        enabled=bool(_settings.THROTTLE_ENABLED.get(config)),
        username_limit=_positive_int(config, f"{PREFIX}_USERNAME_LIMIT"),
        address_limit=_positive_int(config, f"{PREFIX}_ADDRESS_LIMIT"),
        account_limit=_positive_int(config, f"{PREFIX}_ACCOUNT_LIMIT"),
        window=_positive_int(config, f"{PREFIX}_WINDOW"),
        backend=backend,
        redis_url=redis_url,
    )


class _Store(Protocol):
    def counts(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]: ...
    def hit(self, keys: Sequence[str], window: int) -> None: ...
    def reset(self, key: str) -> None: ...


def _sqlite_version() -> tuple[int, ...]:
    import sqlite3

    return sqlite3.sqlite_version_info


def _strategy(database: Any) -> str:
    """How :class:`_DatabaseStore` counts a failure on ``database``.

    ``"upsert"``: one ``INSERT ... ON CONFLICT DO UPDATE`` of all keys (PostgreSQL, SQLite 3.24+).
    ``"mysql"``: one upsert per key, in autocommit: InnoDB picks deadlock victims among
    transactions inserting the same new keys at once, single-row statements only wait.
    ``"update"``: per key an UPDATE, and an INSERT for a new key (other databases).
    """
    backend = backend_name(database)
    if backend == "postgres" or (backend == "sqlite" and _sqlite_version() >= (3, 24, 0)):
        return "upsert"
    return "mysql" if backend == "mysql" else "update"


class _DatabaseStore:
    """Counters in a table, one row per key; the database does the arithmetic, never Python.

    A row whose window has passed, or whose counter a successful login cleared, starts a new
    window at 1 on its next failure. Such rows are deleted once every :attr:`PURGE_EVERY`
    failures counted by this process, so usernames and addresses sprayed by an attacker do
    not stay in the table.
    """

    #: Failures counted between two purges of the rows that read as 0.
    PURGE_EVERY = 200

    def __init__(self, model: type[peewee.Model]) -> None:
        self.model = model
        self.purge_due = Periodic(self.PURGE_EVERY)
        self._sql: dict[tuple[Any, int], str] = {}

    def counts(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]:
        model: Any = self.model
        now = int(time.time())
        params = list(keys)
        cursor = model._meta.database.execute_sql(self._counts_sql(len(params)), params)
        rows = {key: (int(attempts), int(start)) for key, attempts, start in cursor.fetchall()}
        result = []
        for key in keys:
            attempts, start = rows.get(key, (0, now))
            live = attempts > 0 and start > now - window
            result.append((attempts if live else 0, max(1, start + window - now) if live else window))
        return result

    def _counts_sql(self, size: int) -> str:
        """The SQL of the counters' read for ``size`` keys, built once per database (the read runs at every login)."""
        model: Any = self.model
        bound = model._meta.database
        database = bound.obj if isinstance(bound, peewee.DatabaseProxy) else bound
        cached = self._sql.get((database, size))
        if cached is None:
            placeholders = [f"key-{i}" for i in range(size)]
            query = model.select(model.key, model.attempts, model.window_start).where(model.key.in_(placeholders))
            cached, params = query.sql()
            if params != placeholders:  # pragma: no cover - a key column that converts its values
                raise ImproperlyConfigured("the login throttle's key column must store its values unchanged")
            self._sql[(database, size)] = cached
        return cached

    def hit(self, keys: Sequence[str], window: int) -> None:
        model: Any = self.model
        database = model._meta.database
        strategy = _strategy(database)
        now = int(time.time())
        fresh = (model.window_start <= now - window) | (model.attempts <= 0)
        # MySQL evaluates the assignments left to right, so there ``window_start`` sees the new
        # ``attempts``: which is 1 exactly when the row started afresh.
        restarted = (model.attempts == 1) if backend_name(database) == "mysql" else fresh
        update = {
            model.attempts: peewee.Case(None, [(fresh, 1)], model.attempts + 1),
            model.window_start: peewee.Case(None, [(restarted, now)], model.window_start),
        }
        if strategy == "upsert":
            self._insert(keys, now).on_conflict(conflict_target=[model.key], update=update).execute()
        elif strategy == "mysql":
            for key in keys:  # ON DUPLICATE KEY UPDATE takes no conflict target
                self._insert([key], now).on_conflict(update=update).execute()
        else:
            self._update_or_insert(keys, now, update)
        if self.purge_due.due():
            self.purge(window, now)

    def purge(self, window: int, now: int | None = None) -> int:
        """Delete the rows that read as 0 (window passed, or cleared by a success); how many."""
        model: Any = self.model
        now = int(time.time()) if now is None else now
        stale = (model.window_start <= now - window) | (model.attempts <= 0)
        return int(model.delete().where(stale).execute())

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

    def reset(self, key: str) -> None:
        model: Any = self.model
        model.update({model.attempts: 0}).where(model.key == key, model.attempts > 0).execute()


# KEYS: the counters; ARGV[1]: the window. Reads each count and its TTL; a key left without
# an expiry (by an older version) gets one, and a negative count reads as 0.
_REDIS_COUNTS = """
local result = {}
for i, key in ipairs(KEYS) do
    local value = tonumber(redis.call('GET', key) or '0') or 0
    local ttl = redis.call('TTL', key)
    if ttl == -1 then
        redis.call('EXPIRE', key, ARGV[1])
        ttl = tonumber(ARGV[1])
    end
    if value < 0 then value = 0 end
    result[#result + 1] = value
    result[#result + 1] = ttl
end
return result
"""

# Count one failure on each key: a missing (or negative, or expiry-less) counter starts a
# window of ARGV[1] seconds at 1; never leaves a key without an expiry.
_REDIS_HIT = """
for i, key in ipairs(KEYS) do
    local value = tonumber(redis.call('GET', key) or '0') or 0
    if value < 0 or redis.call('TTL', key) < 0 then
        redis.call('SET', key, 1, 'EX', ARGV[1])
    else
        redis.call('INCR', key)
    end
end
return 1
"""


class _RedisStore:
    """Counters in Redis keys that expire with their window; every change is one atomic script."""

    def __init__(self, url: str, prefix: str = "fp:login-throttle:") -> None:
        self.client = redis_client(url, setting=f"{PREFIX}_BACKEND", extra="auth[redis]")
        self.prefix = prefix
        self._counts = self.client.register_script(_REDIS_COUNTS)
        self._hit = self.client.register_script(_REDIS_HIT)

    def _names(self, keys: Sequence[str]) -> list[str]:
        return [f"{self.prefix}{key}" for key in keys]

    def counts(self, keys: Sequence[str], window: int) -> list[tuple[int, int]]:
        replies = self._counts(keys=self._names(keys), args=[window])
        result = []
        for i in range(0, len(replies), 2):
            value, ttl = int(replies[i]), int(replies[i + 1])
            result.append((value, max(1, ttl)) if value > 0 and ttl > 0 else (0, window))
        return result

    def hit(self, keys: Sequence[str], window: int) -> None:
        self._hit(keys=self._names(keys), args=[window])

    def reset(self, key: str) -> None:
        self.client.delete(f"{self.prefix}{key}")  # deleting never recreates an expired key


def _key(kind: str, *values: str) -> str:
    digest = hashlib.sha256("\0".join(values).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


@dataclass
class LoginOutcome:
    """What the code inside :meth:`LoginThrottle.guard` reports: :meth:`failed` or :meth:`succeeded`."""

    result: bool | None = None

    def failed(self) -> None:
        """The credentials were wrong: count one failure."""
        self.result = False

    def succeeded(self) -> None:
        """The credentials were right: count nothing and clear this pair's failures."""
        self.result = True

    def report(self, user: Any) -> None:
        """:meth:`succeeded` when ``user`` is truthy, else :meth:`failed`."""
        self.result = bool(user)


@functools.cache
def _store_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [peewee.DatabaseError, peewee.InterfaceError]
    try:
        import redis
    except ImportError:
        pass
    else:
        errors.append(redis.RedisError)
    return tuple(errors)


class LoginThrottle:
    """Refuse logins after too many failures (see the module's rules); one per app and Auth."""

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

    def keys(self, username: str, address: str | None) -> tuple[str, str, str]:
        """The ``(pair, address, username)`` counter keys: hashes, so no username is stored."""
        name = username.strip().casefold()
        where = address or "unknown"
        return _key("p", name, where), _key("a", where), _key("u", name)

    def check(self, username: str, address: str | None) -> tuple[int | None, int]:
        """``(seconds to wait or None, failures of the pair)``, counting nothing."""
        pair, by_address, by_name = self.store.counts(self.keys(username, address), self.settings.window)
        waits = []
        if pair[0] >= self.settings.username_limit:
            waits.append(pair[1])
        if by_address[0] >= self.settings.address_limit:
            waits.append(by_address[1])
        if by_name[0] >= self.settings.account_limit and (by_address[0] > 0 or pair[0] > 0):
            waits.append(by_name[1])
        return (max(waits) if waits else None), pair[0]

    def failed(self, username: str, address: str | None) -> None:
        """Count one failed verification on all three counters."""
        self.store.hit(self.keys(username, address), self.settings.window)

    def succeeded(self, username: str, address: str | None) -> None:
        """Clear the (username, address) pair's counter."""
        self.store.reset(self.keys(username, address)[0])

    @contextlib.contextmanager
    def guard(self, username: str, address: str | None) -> Iterator[LoginOutcome]:
        """Refuse with :class:`LoginThrottled` when over a limit, else run the body and count its outcome.

        Only an outcome reported as failed counts; when the body raises, or reports nothing,
        nothing is counted. A store that cannot be reached raises :class:`AuthUnavailable`.
        """
        errors = _store_errors()
        try:
            wait, pair_failures = self.check(username, address)
        except errors as exc:
            raise AuthUnavailable() from exc
        if wait is not None:
            raise LoginThrottled(wait)
        outcome = LoginOutcome()
        yield outcome
        if outcome.result is False:
            try:
                self.failed(username, address)
            except errors as exc:  # an uncounted guess is not let through as a plain failure
                raise AuthUnavailable() from exc
        elif outcome.result is True and pair_failures > 0:
            try:
                self.succeeded(username, address)
            except errors:  # the login itself worked; the counter expires with its window
                logging.getLogger(__name__).warning("flask-peewee-auth: could not clear a login throttle counter")


def retry_after_header(seconds: int) -> str:
    """The ``Retry-After`` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
