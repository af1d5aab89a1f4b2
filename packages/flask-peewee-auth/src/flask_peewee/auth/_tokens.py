"""Signed, expiring links for the account views (itsdangerous), bound to the state they change.

A token holds ``[purpose-specific values..., state digest]``, signed with the app's
``SECRET_KEY`` (``SECRET_KEY_FALLBACKS`` are accepted when reading) and a salt per purpose,
with its time of signing. The state digest is a keyed digest of what the link may change
(the current password hash for a reset, the current email for an email change): once that
changed, the link stops working, so each link works once.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from flask_peewee.utils import MissingSecretKey, digest_matches, keyed_digest

__all__ = ["make_token", "read_token", "state_digest", "state_matches"]

_SALT = "flask-peewee-auth.account."
_MAX_TOKEN = 1024


def _serializer(purpose: str, *, signing: bool) -> URLSafeTimedSerializer | None:
    key = current_app.secret_key
    if not key:
        if signing:
            raise MissingSecretKey(_SALT + purpose)
        return None
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, (str, bytes)):
        fallbacks = [fallbacks]
    # itsdangerous signs with the last key and accepts every one when reading
    keys = [_bytes(k) for k in (*fallbacks, key) if k] if not signing else [_bytes(key)]
    return URLSafeTimedSerializer(keys, salt=_SALT + purpose)


def _bytes(key: Any) -> bytes:
    return key if isinstance(key, bytes) else str(key).encode("utf-8")


def make_token(purpose: str, values: list[Any]) -> str:
    """A URL-safe signed token of ``values`` (JSON) for ``purpose``, stamped with the time."""
    serializer = _serializer(purpose, signing=True)
    assert serializer is not None  # signing raised without a key
    return str(serializer.dumps(values))


def read_token(purpose: str, token: str, max_age: int) -> list[Any] | None:
    """The values of a token made for ``purpose`` at most ``max_age`` seconds ago, else None."""
    serializer = _serializer(purpose, signing=False)
    if serializer is None or not isinstance(token, str) or len(token) > _MAX_TOKEN:
        return None
    try:
        values = serializer.loads(token, max_age=max_age)
    except BadData:
        return None
    return values if isinstance(values, list) else None


def _message(purpose: str, user_pk: Any, *state: Any) -> str:
    return "\0".join([purpose, str(user_pk), *("" if part is None else str(part) for part in state)])


def state_digest(purpose: str, user_pk: Any, *state: Any) -> str:
    """A keyed digest of the user's current ``state`` (no secret readable from the token)."""
    return keyed_digest(_message(purpose, user_pk, *state), salt=_SALT + purpose + ".state")


def state_matches(digest: Any, purpose: str, user_pk: Any, *state: Any) -> bool:
    """Whether ``digest`` is the :func:`state_digest` of this state (constant time)."""
    if not isinstance(digest, str):
        return False
    return digest_matches(digest, _message(purpose, user_pk, *state), salt=_SALT + purpose + ".state")
