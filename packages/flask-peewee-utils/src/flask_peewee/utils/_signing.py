"""Keyed signatures under the current app's ``SECRET_KEY``, one salt per purpose (itsdangerous underneath).

Every signature flask-peewee makes (session tokens, remember-me cookies, REST cursors, object
versions) goes through these four functions, so a value signed for one purpose is never
accepted for another. Signing without a key raises :class:`MissingSecretKey` at that moment,
never earlier: an app without ``SECRET_KEY`` still starts. Checking without a key finds
nothing valid (nothing can have been signed). Checks also accept the keys of Flask's
``SECRET_KEY_FALLBACKS`` (a key rotation), and compare in constant time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Signer

from flask_peewee.utils._settings import SECRET_KEY_FALLBACKS

__all__ = ["MissingSecretKey", "digest_matches", "keyed_digest", "sign", "unsign"]


class MissingSecretKey(RuntimeError):
    """Something had to be signed and the app has no ``SECRET_KEY``.

    Raised when signing, never at ``init_app``: set ``app.config['SECRET_KEY']`` to a long
    random string kept out of the repository.
    """

    def __init__(self, salt: str = "") -> None:
        purpose = f" (to sign {salt!r})" if salt else ""
        super().__init__(
            f"flask-peewee needs a secret key{purpose}: set app.config['SECRET_KEY'] to a long random string"
        )


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _signing_key(salt: str) -> list[Any]:
    key = current_app.secret_key
    if not key:
        raise MissingSecretKey(salt)
    return [key]


def _checking_keys() -> list[Any]:
    """The fallback keys, then the current one (itsdangerous's order: the last one signs); empty without a key."""
    key = current_app.secret_key
    if not key:
        return []
    fallbacks = SECRET_KEY_FALLBACKS.get(current_app.config) or []
    if isinstance(fallbacks, (str, bytes)):
        fallbacks = [fallbacks]
    return [*(k for k in fallbacks if k), key]


def _signer(keys: list[Any], salt: str) -> Signer:
    return Signer(keys, salt=salt, key_derivation="hmac", digest_method=hashlib.sha256)


@functools.lru_cache(maxsize=64)
def _derived_key(key: str | bytes, salt: str) -> bytes:
    """itsdangerous's key for ``salt`` under ``key`` (an HMAC of the salt): derived once per key and salt."""
    return _signer([key], salt).derive_key(key)


def _digest(key: Any, salt: str, message: bytes) -> str:
    """The hex HMAC-SHA256 itsdangerous's signer of ``salt`` under ``key`` makes of ``message``."""
    try:
        derived = _derived_key(key, salt)
    except TypeError:  # a key that cannot be hashed (a bytearray): derived each time
        derived = _signer([key], salt).derive_key(key)
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def keyed_digest(message: str | bytes, *, salt: str) -> str:
    """The hex HMAC-SHA256 of ``message`` under the app's ``SECRET_KEY`` and ``salt`` (the purpose).

    Raises :class:`MissingSecretKey` when the app has no key.

    >>> keyed_digest("user 1", salt="myapp.invite")  # doctest: +SKIP
    '5f0c...'
    """
    keys = _signing_key(salt)
    return _digest(keys[-1], salt, _bytes(message))


def digest_matches(digest: str, message: str | bytes, *, salt: str) -> bool:
    """Whether ``digest`` is :func:`keyed_digest` of ``message`` under the current or a fallback key.

    Constant-time; False (not an error) when the app has no key.
    """
    keys = _checking_keys()
    if not keys or not isinstance(digest, str):
        return False
    data, given = _bytes(message), _bytes(digest)
    found = False
    for key in reversed(keys):  # every key is tried: the time does not say which one matched
        found |= hmac.compare_digest(given, _digest(key, salt, data).encode("ascii"))
    return found


def sign(value: str, *, salt: str) -> str:
    """``value`` followed by ``.`` and its signature (URL-safe); read it back with :func:`unsign`.

    Raises :class:`MissingSecretKey` when the app has no key.
    """
    return _signer(_signing_key(salt), salt).sign(_bytes(value)).decode("utf-8", "surrogatepass")


def unsign(signed: str, *, salt: str) -> str | None:
    """The value :func:`sign` signed with this ``salt``, or None when the signature is wrong or missing.

    None too when the app has no key (nothing can have been signed).
    """
    keys = _checking_keys()
    if not keys or not isinstance(signed, str):
        return None
    try:
        value = _signer(keys, salt).unsign(_bytes(signed))
    except BadSignature:
        return None
    return value.decode("utf-8", "surrogatepass")
