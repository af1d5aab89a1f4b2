"""API rate limits: requests per resource, method and client in fixed windows, counted where every worker sees them.

A limit reads ``"30/minute"`` (also ``"100/hour"``, ``"5/10 seconds"``, ``"1000 per day"``).
It is set per method in ``RestResource.rate_limits``, for every resource by
``RestAPI(rate_limits=...)`` or by ``FLASK_PEEWEE_REST_RATE_LIMITS``; the first of those
that is set wins. With none set, nothing here runs: no table, no query.

Counting is one atomic statement per request: an upsert of the ``fp_rate_limit`` row of
(resource, method, client) that restarts the row at 1 when its window has ended and
returns the new count (``RETURNING`` on PostgreSQL and SQLite, ``LAST_INSERT_ID(expr)`` on
MySQL/MariaDB), or an ``INCR`` of a key named after the window's start in Redis
(``FLASK_PEEWEE_REST_RATE_LIMIT_BACKEND = "redis"``). Windows start at multiples of their
length (the fixed-window algorithm of the ``limits`` library): a client gets at most
``limit`` requests between two such moments, whatever the number of workers or hosts.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import peewee
from flask import Flask, current_app, g, has_app_context, request

from flask_peewee.db import Database, ImproperlyConfigured, connection, create_tables_when_reachable
from flask_peewee.rest._errors import json_response
from flask_peewee.rest._settings import (
    RATE_LIMIT_BACKEND,
    RATE_LIMIT_KEY,
    RATE_LIMIT_REDIS_PREFIX,
    RATE_LIMIT_REDIS_URL,
    RATE_LIMITS,
)
from flask_peewee.utils.internal import Periodic, backend_name, redis_client

if TYPE_CHECKING:
    from flask import Response

    from flask_peewee.rest._api import RestAPI
    from flask_peewee.rest._resource import RestResource

__all__ = [
    "RATE_LIMIT_TABLE",
    "Rate",
    "RateLimitHooks",
    "Verdict",
    "check_rate_limit",
    "create_rate_limit_table",
    "get_rate_limit_model",
    "parse_rate",
    "parse_rate_limits",
    "prepare_rate_limits",
    "purge_expired",
    "rate_for",
    "rate_limits_configured",
]

RATE_LIMIT_TABLE = "fp_rate_limit"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "*")
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE_RE = re.compile(r"\s*(\d+)\s*(?:/|\bper\b)\s*(\d+)?\s*(second|minute|hour|day)s?\s*", re.IGNORECASE)
_KEYS = ("user", "token", "address")
_MARK = "__flask_peewee_rest_rate_limit__"
_CACHE = "flask_peewee.rest.rate_limits"


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``window`` seconds (``text`` is how it was written)."""

    limit: int
    window: int
    text: str


def parse_rate(text: str) -> Rate:
    """``"30/minute"`` as a :class:`Rate`; anything else raises :class:`ImproperlyConfigured`."""
    match = _RATE_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None or int(match.group(1)) < 1 or (match.group(2) is not None and int(match.group(2)) < 1):
        raise ImproperlyConfigured(f"a rate limit reads like '30/minute', '100/hour' or '5/10 seconds', got {text!r}")
    window = int(match.group(2) or 1) * _UNITS[match.group(3).lower()]
    return Rate(int(match.group(1)), window, text.strip())


@functools.lru_cache(maxsize=256)
def _parse_items(items: tuple[tuple[str, str], ...]) -> dict[str, Rate]:
    rates = {}
    for method, text in items:
        name = method.upper() if isinstance(method, str) else method
        if name not in _METHODS:
            raise ImproperlyConfigured(f"rate limits are set per method ({', '.join(_METHODS)}), got {method!r}")
        rates[name] = parse_rate(text)
    return rates


def parse_rate_limits(value: Mapping[str, str] | None) -> dict[str, Rate]:
    """``{"POST": "30/minute", ...}`` as ``{"POST": Rate(30, 60, ...)}``; a bad method or rate raises."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f'rate limits are a mapping like {{"POST": "30/minute"}}, got {value!r}')
    try:
        return _parse_items(tuple(value.items()))
    except TypeError:  # an unhashable value: not a rate anyway
        raise ImproperlyConfigured(f"a rate limit is a string like '30/minute', got {value!r}") from None


def _limits_of(resource: RestResource) -> Mapping[str, str] | None:
    if resource.rate_limits is not None:
        return resource.rate_limits
    if resource.api.rate_limits is not None:
        return resource.api.rate_limits
    if not has_app_context():
        return None
    value: Mapping[str, str] | None = RATE_LIMITS.get(current_app.config)
    return value


def rate_for(resource: RestResource, method: str) -> Rate | None:
    """The limit on ``method`` requests to ``resource`` (HEAD as GET; PATCH falls back to PUT, any to ``"*"``)."""
    limits = _limits_of(resource)
    if not limits:
        return None
    rates = parse_rate_limits(limits)
    method = "GET" if method == "HEAD" else method
    rate = rates.get(method)
    if rate is None and method == "PATCH":
        rate = rates.get("PUT")
    return rate if rate is not None else rates.get("*")


class RateLimitHooks:
    """The rate-limit settings and hooks of a :class:`~flask_peewee.rest.RestResource`."""

    #: requests allowed per method, e.g. ``{"POST": "30/minute", "GET": "600/minute"}``; None uses the API's
    #: default (``RestAPI(rate_limits=...)``, else ``FLASK_PEEWEE_REST_RATE_LIMITS``); ``{}`` means no limit
    rate_limits: Mapping[str, str] | None = None

    def is_rate_limit_exempt(self) -> bool:
        """Whether this request is not counted (runs after authentication: ``g.user`` is known); none is here."""
        return False

    def get_rate_limit_key(self) -> str:
        """Who is counted: by ``FLASK_PEEWEE_REST_RATE_LIMIT_KEY``, the user, the token or the client address.

        ``"user"`` (the default) counts the signed-in user, else the API token or key, else
        the address; ``"token"`` the token or key first; ``"address"`` only the address
        (``request.remote_addr``: behind a proxy, set up ``ProxyFix``).
        """
        kind = RATE_LIMIT_KEY.get(current_app.config)
        if kind not in _KEYS:
            raise ImproperlyConfigured(f"{RATE_LIMIT_KEY.key} must be one of {_KEYS}, got {kind!r}")
        user, token = _user_id(), _token_id()
        order = {"user": (user, token), "token": (token, user), "address": ()}[kind]
        for found in order:
            if found is not None:
                return found
        return f"address:{request.remote_addr or 'unknown'}"


def _user_id() -> str | None:
    user = g.get("user")
    if user is None:
        return None
    value = user.get_id() if hasattr(user, "get_id") else getattr(user, "_pk", user)
    return f"user:{value}"


def _token_id() -> str | None:
    token = g.get("api_token")
    if token is not None:
        return f"token:{token.token_id}"
    key = g.get("api_key")
    if key is not None:
        return f"key:{type(key).__name__}:{getattr(key, '_pk', key)}"
    return None


# -- stores -------------------------------------------------------------------------------------


def _make_model(db: Database) -> type[peewee.Model]:
    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class RateLimitCounter(base):
        """Requests of one (resource, method, client) in its current window, which ends at ``window_end``."""

        key = peewee.CharField(max_length=64, primary_key=True)
        # ``hits`` before ``window_end``: peewee writes SET in field order, and MySQL assigns
        # left to right, so the new count must be computed while ``window_end`` is still the old one
        hits = peewee.IntegerField()
        window_end = peewee.BigIntegerField(index=True)

        class Meta:
            table_name = RATE_LIMIT_TABLE

    setattr(RateLimitCounter, _MARK, True)
    return RateLimitCounter


def get_rate_limit_model(db: Database) -> Any:
    """The counters' model of ``db`` (made once per ``Database``, so ``flask fp create-tables`` knows it)."""
    for model in db.models:
        if model.__dict__.get(_MARK):
            return model
    return _make_model(db)


def create_rate_limit_table(app: Flask, db: Database) -> None:
    """``CREATE TABLE IF NOT EXISTS fp_rate_limit`` on ``db`` (when bound), outside any request."""
    model = get_rate_limit_model(db)
    try:
        database = db.database
    except (ImproperlyConfigured, RuntimeError):
        return
    if create_tables_when_reachable(app, database, [model]):
        purge_expired(model)


def purge_expired(model: Any) -> int:
    """Delete the counters whose window has ended (done when an app starts; they would restart at 1 anyway)."""
    try:
        with connection(model._meta.database):
            return _delete_ended(model)
    except (peewee.OperationalError, peewee.InterfaceError):
        return 0


def _delete_ended(model: Any) -> int:
    return int(model.delete().where(model.window_end <= int(_now())).execute())


class _DatabaseCounters:
    """Counters in ``fp_rate_limit``; the database adds, never Python.

    Rows whose window has ended are deleted when an app starts and once every
    :attr:`PURGE_EVERY` requests counted by this process, so clients seen once (or
    addresses sprayed by an attacker) do not stay in the table.
    """

    #: Requests counted between two purges of the ended windows.
    PURGE_EVERY = 1000

    def __init__(self, model: Any) -> None:
        self.model = model
        self.ready = False
        self.lock = threading.Lock()
        self.purge_due = Periodic(self.PURGE_EVERY)

    def hit(self, key: str, end: int) -> int:
        count = self._count(key, end)
        if self.purge_due.due():
            _delete_ended(self.model)
        return count

    def _count(self, key: str, end: int) -> int:
        model = self.model
        database = model._meta.database
        if not self.ready:
            self._create_table()
        same = model.window_end == end
        backend = backend_name(database)
        if backend == "mysql":
            # ``LAST_INSERT_ID(expr)`` hands the new count back on this connection; the
            # assignments run left to right, so ``hits`` still sees the old ``window_end``.
            count = peewee.fn.LAST_INSERT_ID(peewee.Case(None, [(same, model.hits + 1)], 1))
            query = model.insert(key=key, window_end=end, hits=peewee.fn.LAST_INSERT_ID(1))
            query.on_conflict(update={model.hits: count, model.window_end: end}).execute()
            return int(database.execute_sql("SELECT LAST_INSERT_ID()").fetchone()[0])
        if backend == "postgres" or (backend == "sqlite" and _sqlite_version() >= (3, 35, 0)):
            update = {model.hits: peewee.Case(None, [(same, model.hits + 1)], 1), model.window_end: end}
            query = model.insert(key=key, window_end=end, hits=1).on_conflict(
                conflict_target=[model.key], update=update
            )
            cursor = database.execute(query.returning(model.hits))
            return int(cursor.fetchone()[0])
        return self._in_transaction(key, end)

    def _create_table(self) -> None:
        """A limit first met in a request (its resource registered after ``init_app``): make the table once."""
        with self.lock:
            if self.ready:
                return
            # another process may make it at the same moment (PostgreSQL then says its type exists)
            with contextlib.suppress(peewee.IntegrityError, peewee.ProgrammingError):
                self.model._meta.database.create_tables([self.model], safe=True)
            self.ready = True

    def _in_transaction(self, key: str, end: int) -> int:
        """Other databases: update or insert, then read, in one transaction."""
        model = self.model
        with model._meta.database.atomic():
            same = model.window_end == end
            update = {model.hits: peewee.Case(None, [(same, model.hits + 1)], 1), model.window_end: end}
            if model.update(update).where(model.key == key).execute() == 0:
                try:
                    with model._meta.database.atomic():
                        model.insert(key=key, window_end=end, hits=1).execute()
                except peewee.IntegrityError:  # another worker inserted it first
                    model.update(update).where(model.key == key).execute()
            return int(model.select(model.hits).where(model.key == key).scalar())


def _sqlite_version() -> tuple[int, ...]:
    import sqlite3

    return sqlite3.sqlite_version_info


class _RedisCounters:
    """One key per (resource, method, client) and window start, expiring with its window."""

    def __init__(self, url: str, prefix: str = "fp:rate-limit:") -> None:
        self.client = redis_client(url, setting=RATE_LIMIT_BACKEND.key, extra="rest[redis]")
        self.prefix = prefix

    def hit(self, key: str, start: int, window: int) -> int:
        name = f"{self.prefix}{key}:{start}"
        pipe = self.client.pipeline(transaction=True)  # MULTI/EXEC: one atomic step
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count, _ = pipe.execute()
        return int(count)


class _Counters:
    """The counters of one app and API: the database's or Redis."""

    def __init__(self, database: _DatabaseCounters | None, redis: _RedisCounters | None) -> None:
        self.database = database
        self.redis = redis

    def hit(self, key: str, start: int, window: int) -> int:
        if self.redis is not None:
            return self.redis.hit(key, start, window)
        assert self.database is not None
        return self.database.hit(key, start + window)


def _build_counters(api: RestAPI, app: Flask) -> _Counters:
    backend = RATE_LIMIT_BACKEND.get(app.config)
    if backend == "redis":
        url, prefix = RATE_LIMIT_REDIS_URL.get(app.config), RATE_LIMIT_REDIS_PREFIX.get(app.config)
        return _Counters(None, _RedisCounters(url, prefix))
    if backend != "database":
        raise ImproperlyConfigured(f"{RATE_LIMIT_BACKEND.key} must be 'database' or 'redis', got {backend!r}")
    db = api._find_database(app)
    if db is None:
        raise ImproperlyConfigured("rate limits in the database need a flask_peewee Database (or the redis backend)")
    return _Counters(_DatabaseCounters(get_rate_limit_model(db)), None)


def _counters(api: RestAPI) -> _Counters:
    cache = current_app.extensions.setdefault(_CACHE, {})
    counters = cache.get(api.name)
    if counters is None:
        counters = cache[api.name] = _build_counters(api, current_app)
    return counters


def prepare_rate_limits(api: RestAPI, app: Flask) -> None:
    """At ``init_app``: check the config's limits and, when any limit is set, make the counters (and their table)."""
    parse_rate_limits(RATE_LIMITS.get(app.config))
    if not rate_limits_configured(api, app):
        return  # off: no table; a resource limited later makes it on its first request
    cache = app.extensions.setdefault(_CACHE, {})
    if api.name in cache and (cache[api.name].database is None or cache[api.name].database.ready):
        return
    counters = _build_counters(api, app)
    if counters.database is not None:
        db = api._find_database(app)
        assert db is not None
        create_rate_limit_table(app, db)
        counters.database.ready = True
    cache[api.name] = counters


def _now() -> float:
    return time.time()


def _key(api: RestAPI, resource: RestResource, method: str, rate: Rate, who: str) -> str:
    text = "\0".join((api.name, resource.get_api_name(), method, str(rate.window), who))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """One counted request: the limit, what is left and the seconds until the window ends."""

    rate: Rate
    count: int
    reset: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.rate.limit

    def headers(self) -> dict[str, str]:
        """The ``RateLimit-*`` headers (IETF draft), plus ``Retry-After`` when refused."""
        headers = {
            "RateLimit-Limit": str(self.rate.limit),
            "RateLimit-Remaining": str(max(0, self.rate.limit - self.count)),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers

    def refusal(self) -> Response:
        """429 in the API's JSON error format."""
        return json_response({"error": "Too many requests"}, 429, self.headers())


def check_rate_limit(api: RestAPI, resource: RestResource) -> Verdict | None:
    """Count this request against ``resource``'s limit for its method; None when it has none or is exempt."""
    method = request.method
    rate = rate_for(resource, method)
    if rate is None or resource.is_rate_limit_exempt():
        return None
    method = "GET" if method == "HEAD" else method
    now = _now()
    start = int(now // rate.window) * rate.window
    count = _counters(api).hit(_key(api, resource, method, rate, resource.get_rate_limit_key()), start, rate.window)
    reset = max(1, math.ceil(start + rate.window - now))
    return Verdict(rate, count, reset)


def rate_limits_configured(api: RestAPI, app: Flask) -> bool:
    """Whether ``api`` on ``app`` has any limit now (its default, the config's or a resource's)."""
    if api.rate_limits or RATE_LIMITS.get(app.config):
        return True
    return any(resource.rate_limits for resource in api.resources.values())
