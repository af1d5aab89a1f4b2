"""Login throttling: failed attempts counted per username and per client address.

Counters live where every worker process sees them: the app's database by default (the
``fp_login_throttle`` table), or Redis when ``FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND`` is
``"redis"``. Each attempt is counted before the password is verified, so concurrent
requests cannot slip past the limit; a successful login takes its attempt back and clears
the username's counter.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
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
    def hit(self, key: str, window: int) -> tuple[int, int]: ...
    def undo(self, key: str) -> None: ...
    def reset(self, key: str) -> None: ...


class _DatabaseStore:
    """Counters in a table: one atomic UPDATE per attempt (an INSERT for a new key)."""

    def __init__(self, model: type[peewee.Model]) -> None:
        self.model = model

    def hit(self, key: str, window: int) -> tuple[int, int]:
        model: Any = self.model
        now = int(time.time())
        expired = model.window_start <= now - window
        update = model.update(
            attempts=peewee.Case(None, [(expired, 1)], model.attempts + 1),
            window_start=peewee.Case(None, [(expired, now)], model.window_start),
        ).where(model.key == key)
        if update.execute() == 0:
            try:
                with model._meta.database.atomic():
                    model.insert(key=key, attempts=1, window_start=now).execute()
            except peewee.IntegrityError:
                update.execute()
        attempts, window_start = model.select(model.attempts, model.window_start).where(model.key == key).tuples().get()
        return attempts, max(1, window_start + window - now)

    def undo(self, key: str) -> None:
        model: Any = self.model
        model.update(attempts=model.attempts - 1).where(model.key == key, model.attempts > 0).execute()

    def reset(self, key: str) -> None:
        model: Any = self.model
        model.delete().where(model.key == key).execute()


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

    def hit(self, key: str, window: int) -> tuple[int, int]:
        name = f"fp:login-throttle:{key}"
        pipe = self.client.pipeline()
        pipe.set(name, 0, ex=window, nx=True)
        pipe.incr(name)
        pipe.ttl(name)
        _, attempts, ttl = pipe.execute()
        return int(attempts), max(1, int(ttl))

    def undo(self, key: str) -> None:
        name = f"fp:login-throttle:{key}"
        pipe = self.client.pipeline()
        pipe.decr(name)
        pipe.execute()

    def reset(self, key: str) -> None:
        self.client.delete(f"fp:login-throttle:{key}")


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
        window = self.settings.window
        user_count, user_wait = self.store.hit(user_key, window)
        address_count, address_wait = self.store.hit(address_key, window)
        waits = []
        if user_count > self.settings.username_limit:
            waits.append(user_wait)
        if address_count > self.settings.address_limit:
            waits.append(address_wait)
        return max(waits) if waits else None

    def succeeded(self, username: str, address: str | None) -> None:
        """A login worked: clear the username's counter and take back the address's attempt."""
        user_key, address_key = self.keys(username, address)
        self.store.reset(user_key)
        self.store.undo(address_key)


def retry_after_header(seconds: int) -> str:
    """The ``Retry-After`` value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))
