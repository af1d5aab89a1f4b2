"""The verified-credentials cache: HTTP Basic clients skip the password hash on repeated requests.

A successful verification inside :func:`use_credentials_cache` stores a keyed digest (HMAC with
a random per-process key) of the username, the password and the stored hash it was checked
against, with the time of the check. A later request with the same three values within
``FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS`` skips the hash verification; everything around it
(user lookup, active check, throttle, audit) still runs. The stored hash is read from the
database on every request, so a password changed by any worker or host misses at once.
Failed verifications are never stored. Neither passwords nor hashes are kept, only digests.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

from flask_peewee.db import ImproperlyConfigured
from flask_peewee.db.typed import untyped
from flask_peewee.utils._settings import CREDENTIALS_CACHE_SECONDS, CREDENTIALS_CACHE_SIZE

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "CACHE_SECONDS_KEY",
    "CACHE_SIZE_KEY",
    "DEFAULT_CACHE_SECONDS",
    "DEFAULT_CACHE_SIZE",
    "CredentialsCache",
    "get_credentials_cache",
    "use_credentials_cache",
]

CACHE_SECONDS_KEY = CREDENTIALS_CACHE_SECONDS.key
CACHE_SIZE_KEY = CREDENTIALS_CACHE_SIZE.key
DEFAULT_CACHE_SECONDS = CREDENTIALS_CACHE_SECONDS.default
DEFAULT_CACHE_SIZE = CREDENTIALS_CACHE_SIZE.default
_EXTENSION_KEY = "flask_peewee.utils.credentials_cache"
_SCOPE: contextvars.ContextVar[str | None] = contextvars.ContextVar("flask_peewee_credentials_scope", default=None)
_CREATE_LOCK = threading.Lock()


class CredentialsCache:
    """A bounded, thread-safe LRU map from credential digests to the time they were verified.

    ``seconds`` is how long a verification counts; ``max_entries`` bounds the map (the least
    recently used entry goes first). ``clock`` (``time.monotonic`` by default) can be replaced,
    for tests. Usage::

        cache = CredentialsCache(seconds=60, max_entries=1024)
        if not cache.contains(username, password, user.password):
            if check_password(password, user.password):
                cache.add(username, password, user.password)
    """

    def __init__(
        self,
        seconds: float = DEFAULT_CACHE_SECONDS,
        max_entries: int = DEFAULT_CACHE_SIZE,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def digest(self, username: str, password: str, enc_password: str) -> bytes:
        """HMAC-SHA256 under this cache's random key of the three values, each prefixed by its length."""
        mac = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in (username, password, enc_password):
            data = part.encode("utf-8", "surrogatepass")
            mac.update(len(data).to_bytes(8, "big"))
            mac.update(data)
        return mac.digest()

    def contains(self, username: str, password: str, enc_password: str) -> bool:
        """Whether these credentials were verified less than :attr:`seconds` ago (an expired entry is dropped)."""
        if self.seconds <= 0:
            return False
        digest = self.digest(username, password, enc_password)
        now = self.clock()
        with self._lock:
            verified = self._entries.get(digest)
            if verified is None:
                return False
            if not 0 <= now - verified < self.seconds:
                del self._entries[digest]
                return False
            self._entries.move_to_end(digest)
            return True

    def add(self, username: str, password: str, enc_password: str) -> None:
        """Record that these credentials were just verified, dropping the least recently used beyond the bound."""
        if self.seconds <= 0 or self.max_entries <= 0:
            return
        digest = self.digest(username, password, enc_password)
        now = self.clock()
        with self._lock:
            self._entries[digest] = now
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _number(value: object, key: str, *, integer: bool) -> float:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value) if integer else float(value)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0 or value != value:
        what = "a whole number" if integer else "a number"
        raise ImproperlyConfigured(f"{key} must be {what} >= 0, got {value!r}")
    return value


def _settings(app: Flask) -> tuple[float, int]:
    seconds = _number(CREDENTIALS_CACHE_SECONDS.get(app.config), CACHE_SECONDS_KEY, integer=False)
    size = int(_number(CREDENTIALS_CACHE_SIZE.get(app.config), CACHE_SIZE_KEY, integer=True))
    return seconds, size


def get_credentials_cache(app: Flask | None = None) -> CredentialsCache | None:
    """The verified-credentials cache of ``app`` (the current app), or None when it is off.

    ``FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS`` (default 60; 0 turns the cache off) and
    ``FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE`` (default 1024 entries; 0 turns it off) are read on
    every call, so a change applies at once. Outside an app context there is no cache.
    """
    if app is None:
        if not has_app_context():
            return None
        app = untyped(current_app)._get_current_object()
    seconds, size = _settings(app)
    if seconds <= 0 or size <= 0:
        return None
    cache: CredentialsCache | None = app.extensions.get(_EXTENSION_KEY)
    if cache is None:
        with _CREATE_LOCK:
            cache = app.extensions.get(_EXTENSION_KEY)
            if cache is None:
                cache = app.extensions[_EXTENSION_KEY] = CredentialsCache(seconds, size)
    cache.seconds = seconds
    cache.max_entries = size
    return cache


@contextlib.contextmanager
def use_credentials_cache(username: str) -> Iterator[None]:
    """Within the block, :func:`~flask_peewee.utils.check_password` uses the current app's cache for ``username``.

    A hit (the same username, password and stored hash verified within the configured time)
    returns True without verifying; a miss verifies as usual and a success is stored. The
    REST API's HTTP Basic authentication runs ``auth.authenticate()`` inside it; the login
    form does not::

        with use_credentials_cache(username):
            user = auth.authenticate(username, password)
    """
    marker = _SCOPE.set(username if isinstance(username, str) else None)
    try:
        yield
    finally:
        _SCOPE.reset(marker)


def cache_scope() -> tuple[CredentialsCache, str] | None:
    """The cache and username of the enclosing :func:`use_credentials_cache`, or None (no block, or the cache off)."""
    username = _SCOPE.get()
    if username is None:
        return None
    cache = get_credentials_cache()
    return None if cache is None else (cache, username)
