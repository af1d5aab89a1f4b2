"""Password hashing through passlib, plus verification of the formats older apps stored.

New hashes use the app's ``FLASK_PEEWEE_PASSWORD_SCHEMES`` (first entry is the default) or,
outside an app context, argon2, with the cost of ``FLASK_PEEWEE_ARGON2_*``. Every real
verification goes through :func:`verify`, so a test can count verifications by wrapping that
one function.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from werkzeug.security import generate_password_hash

from flask_peewee.db import ImproperlyConfigured
from flask_peewee.db.typed import untyped
from flask_peewee.utils import _credentials
from flask_peewee.utils._settings import ARGON2_MEMORY_COST, ARGON2_PARALLELISM, ARGON2_TIME_COST, PASSWORD_SCHEMES

if TYPE_CHECKING:
    from flask import Flask
    from passlib.context import CryptContext

__all__ = [
    "ARGON2_MEMORY_COST_KEY",
    "ARGON2_PARALLELISM_KEY",
    "ARGON2_TIME_COST_KEY",
    "CONFIG_KEY",
    "DEFAULT_ARGON2",
    "DEFAULT_SCHEMES",
    "check_password",
    "dummy_verify",
    "get_password_context",
    "make_password",
    "needs_rehash",
    "password_scheme",
    "verify",
]

CONFIG_KEY = PASSWORD_SCHEMES.key
DEFAULT_SCHEMES: tuple[str, ...] = PASSWORD_SCHEMES.default
ARGON2_TIME_COST_KEY = ARGON2_TIME_COST.key
ARGON2_MEMORY_COST_KEY = ARGON2_MEMORY_COST.key
ARGON2_PARALLELISM_KEY = ARGON2_PARALLELISM.key
#: argon2id's default cost: time cost (passes), memory cost (KiB) and parallelism (lanes); the
#: RFC 9106 "low memory" profile, as argon2-cffi and passlib use
DEFAULT_ARGON2: tuple[int, int, int] = (
    ARGON2_TIME_COST.default,
    ARGON2_MEMORY_COST.default,
    ARGON2_PARALLELISM.default,
)
_EXTENSION_KEY = "flask_peewee.utils.passwords"

_SHA1_HEX = re.compile(r"[0-9a-fA-F]{40}")
_SALTED_SHA1 = re.compile(r"([^$]*)\$([0-9a-fA-F]{40})")
_WERKZEUG_PREFIXES = ("pbkdf2:", "scrypt:")


@dataclass
class _PasswordState:
    """A CryptContext built from one scheme list and argon2 cost, and a lazily made hash for dummy verifications."""

    schemes: tuple[str, ...]
    argon2: tuple[int, int, int]
    context: CryptContext
    _dummy_hash: str | None = field(default=None, repr=False)

    def dummy_hash(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.context.hash(secrets.token_urlsafe(16))
        return self._dummy_hash


def _schemes_from_config(value: object) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_SCHEMES
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) and s for s in value) or not value:
        raise ImproperlyConfigured(
            f"{CONFIG_KEY} must be a non-empty list of passlib scheme names such as ['argon2'], got {value!r}"
        )
    return tuple(value)


def _argon2_from_config(config: Mapping[str, object]) -> tuple[int, int, int]:
    """The ``(time_cost, memory_cost, parallelism)`` of the ``FLASK_PEEWEE_ARGON2_*`` keys, validated."""
    values = []
    for key, default, least in zip(
        (ARGON2_TIME_COST_KEY, ARGON2_MEMORY_COST_KEY, ARGON2_PARALLELISM_KEY), DEFAULT_ARGON2, (1, 8, 1), strict=True
    ):
        value = config.get(key)
        if value is None:
            value = default
        elif isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ImproperlyConfigured(f"{key} must be a whole number >= {least}, got {value!r}")
        values.append(value)
    time_cost, memory_cost, parallelism = values
    if memory_cost < 8 * parallelism:
        raise ImproperlyConfigured(
            f"{ARGON2_MEMORY_COST_KEY} ({memory_cost} KiB) must be at least 8 * {ARGON2_PARALLELISM_KEY} "
            f"({8 * parallelism})"
        )
    return time_cost, memory_cost, parallelism


def _build_state(schemes: tuple[str, ...], argon2: tuple[int, int, int] = DEFAULT_ARGON2) -> _PasswordState:
    from passlib.context import CryptContext

    # The library default stays verifiable, so hashes made with no app context (scripts,
    # fixtures) still check inside an app that chose another scheme.
    all_schemes = list(dict.fromkeys(schemes + DEFAULT_SCHEMES))
    time_cost, memory_cost, parallelism = argon2
    try:
        context = CryptContext(
            schemes=all_schemes,
            default=schemes[0],
            deprecated="auto",
            # a hash made with another cost is reported by needs_rehash() and upgraded at login
            argon2__time_cost=time_cost,
            argon2__memory_cost=memory_cost,
            argon2__parallelism=parallelism,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{CONFIG_KEY} names a scheme passlib cannot use: {exc}") from exc
    return _PasswordState(schemes, argon2, context)


@functools.lru_cache(maxsize=1)
def _default_state() -> _PasswordState:
    return _build_state(DEFAULT_SCHEMES, DEFAULT_ARGON2)


def _state(app: Flask | None = None) -> _PasswordState:
    if app is None:
        if not has_app_context():
            return _default_state()
        app = untyped(current_app)._get_current_object()
    schemes = _schemes_from_config(PASSWORD_SCHEMES.get(app.config))
    argon2 = _argon2_from_config(app.config)
    if schemes == DEFAULT_SCHEMES and argon2 == DEFAULT_ARGON2:
        return _default_state()
    state = app.extensions.get(_EXTENSION_KEY)
    if state is None or state.schemes != schemes or state.argon2 != argon2:
        state = app.extensions[_EXTENSION_KEY] = _build_state(schemes, argon2)
    return state


def get_password_context(app: Flask | None = None) -> CryptContext:
    """The passlib ``CryptContext`` used for ``app`` (the current app, or the library default).

    Its default scheme is the first of ``FLASK_PEEWEE_PASSWORD_SCHEMES``; the other listed
    schemes and argon2 are still verified but marked deprecated, so :func:`needs_rehash`
    reports hashes made with them.
    """
    return _state(app).context


def _werkzeug_method() -> str | None:
    """The original's ``flask_peewee.utils.PASSWORD_HASH_METHOD`` when an app has set it."""
    utils = sys.modules.get("flask_peewee.utils")
    method = getattr(utils, "PASSWORD_HASH_METHOD", None)
    return method if isinstance(method, str) and method else None


def make_password(raw_password: str) -> str:
    """Create a salted hash of ``raw_password`` with the current default scheme.

    An app that sets the original's ``flask_peewee.utils.PASSWORD_HASH_METHOD`` gets werkzeug
    hashes of that method instead, as the original made them.
    """
    if not isinstance(raw_password, str):
        raise TypeError(f"make_password() needs the password as a str, not {type(raw_password).__name__}")
    method = _werkzeug_method()
    if method is not None:
        try:
            return generate_password_hash(raw_password, method=method)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"flask_peewee.utils.PASSWORD_HASH_METHOD = {method!r} is not a werkzeug hashing method: {exc}"
            ) from exc
    return _state().context.hash(raw_password)


# -- legacy formats --------------------------------------------------------------------


def _legacy_kind(enc_password: str) -> str | None:
    if enc_password.startswith(_WERKZEUG_PREFIXES):
        return "werkzeug"
    if _SHA1_HEX.fullmatch(enc_password):
        return "sha1"
    if _SALTED_SHA1.fullmatch(enc_password):
        return "salted_sha1"
    return None


def _werkzeug_digest(raw: bytes, method: str, salt: str) -> str | None:
    """Recompute a werkzeug ``generate_password_hash`` digest; None when the method is unusable."""
    name, *args = method.split(":")
    if name == "pbkdf2":
        if len(args) != 2:
            return None
        hash_name, iterations = args[0], int(args[1])
        if iterations < 1 or hash_name not in hashlib.algorithms_available:
            return None
        return hashlib.pbkdf2_hmac(hash_name, raw, salt.encode(), iterations).hex()
    if name == "scrypt":
        n, r, p = (int(a) for a in args) if len(args) == 3 else (2**15, 8, 1)
        if min(n, r, p) < 1:
            return None
        return hashlib.scrypt(raw, salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p, dklen=64).hex()
    return None


def _verify_legacy(kind: str, raw: bytes, enc_password: str) -> bool:
    if kind == "sha1":
        expected = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        return hmac.compare_digest(expected, enc_password.lower())
    if kind == "salted_sha1":
        salt, digest = enc_password.split("$", 1)
        expected = hashlib.sha1(salt.encode() + raw, usedforsecurity=False).hexdigest()
        return hmac.compare_digest(expected, digest.lower())
    method, _, rest = enc_password.partition("$")
    salt, sep, digest = rest.partition("$")
    if not sep:
        return False
    computed = _werkzeug_digest(raw, method, salt)
    return computed is not None and hmac.compare_digest(computed, digest.lower())


# -- verification ----------------------------------------------------------------------


def verify(raw_password: str, enc_password: str, context: CryptContext) -> bool:
    """Verify one password against one stored hash: the single place every verification runs.

    Knows passlib's formats (through ``context``), unsalted sha1 hex digests, the original
    flask-peewee ``salt$sha1hex`` and werkzeug's ``pbkdf2:``/``scrypt:`` strings. A malformed
    hash gives False, never an exception.
    """
    try:
        raw = raw_password.encode("utf-8")
        kind = _legacy_kind(enc_password)
        if kind is not None:
            return _verify_legacy(kind, raw, enc_password)
        return bool(context.verify(raw_password, enc_password))
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False


def check_password(raw_password: str, enc_password: str | None) -> bool:
    """Whether ``raw_password`` matches the stored ``enc_password`` (False for a missing or malformed hash).

    Inside :func:`~flask_peewee.utils.use_credentials_cache` (HTTP Basic in the REST API), a
    success is remembered for a short time and the same username, password and stored hash
    are then accepted without verifying again.
    """
    if not isinstance(raw_password, str) or not isinstance(enc_password, str) or not enc_password:
        return False
    scope = _credentials.cache_scope()
    if scope is not None and scope[0].contains(scope[1], raw_password, enc_password):
        return True
    verified = verify(raw_password, enc_password, _state().context)
    if verified and scope is not None:
        scope[0].add(scope[1], raw_password, enc_password)
    return verified


def needs_rehash(enc_password: str) -> bool:
    """Whether a stored hash should be replaced: a legacy format, a deprecated scheme or outdated settings.

    Call it after a successful :func:`check_password` and store ``make_password(raw)`` when True.
    """
    if not isinstance(enc_password, str) or not enc_password:
        return True
    method = _werkzeug_method()
    if method is not None:  # the app chose the original's werkzeug method: its hashes are current
        stored = enc_password.partition("$")[0]  # werkzeug spells out defaults: "scrypt" -> "scrypt:32768:8:1"
        return not (stored == method or stored.startswith(f"{method}:"))
    if _legacy_kind(enc_password) is not None:
        return True
    try:
        return bool(_state().context.needs_update(enc_password))
    except (ValueError, TypeError):
        return True


def dummy_verify(raw_password: str) -> None:
    """Run exactly one verification against a fixed hash of the current default scheme.

    Authentication calls it for unknown usernames so they cost as much as known ones.
    """
    state = _state()
    verify(raw_password if isinstance(raw_password, str) else "", state.dummy_hash(), state.context)


def password_scheme(enc_password: str | None) -> str:
    """The scheme of a stored hash: a passlib name (``argon2``, ``pbkdf2_sha256``, ...), ``sha1``,
    ``salted_sha1`` (the original flask-peewee's), ``werkzeug``, or ``unknown``.

    ``flask fp migrate-check`` counts users by it; each legacy one upgrades at next login.
    """
    if not isinstance(enc_password, str) or not enc_password:
        return "unknown"
    kind = _legacy_kind(enc_password)
    if kind is not None:
        return kind
    try:
        return str(_state().context.identify(enc_password) or "unknown")
    except (ValueError, TypeError):
        return "unknown"
