"""What a login stores in the session, and the token that ties it to the stored password hash."""

from __future__ import annotations

import time
from typing import Any

from flask import session

from flask_peewee.utils import digest_matches, keyed_digest

__all__ = [
    "current_sid",
    "current_since",
    "drop_login",
    "end_login",
    "restamp",
    "session_token",
    "start_login",
    "stored_login",
    "token_matches",
]

# ``logged_in`` and ``user_pk`` are the keys the original flask-peewee used; apps may read them.
LOGGED_IN = "logged_in"
USER_PK = "user_pk"
TOKEN = "_fp_auth_token"  # noqa: S105 (a session key, not a secret)
LOGIN_TIME = "_fp_auth_time"
REMEMBERED = "_fp_auth_remembered"
SESSION_ID = "_fp_auth_sid"
SINCE = "_fp_auth_since"  # when an unlisted session started (microseconds); absent for a listed one
_KEYS = (LOGGED_IN, USER_PK, TOKEN, LOGIN_TIME, REMEMBERED, SESSION_ID, SINCE)
_SALT = "flask-peewee-auth.session-token"


def session_token(user_pk: Any, password_hash: str | None) -> str:
    """A keyed digest (:func:`~flask_peewee.utils.keyed_digest`) of the user's id and stored password hash.

    Any change of the hash (a new password, an upgraded hash) changes the token, so every
    session made before the change stops matching and is ended at its next request. Raises
    :class:`~flask_peewee.utils.MissingSecretKey` when the app has no ``SECRET_KEY``.
    """
    return keyed_digest(_token_message(user_pk, password_hash), salt=_SALT)


def _token_message(user_pk: Any, password_hash: str | None) -> str:
    return f"{user_pk}\0{password_hash or ''}"


def start_login(
    user_pk: Any, password_hash: str | None, *, fresh: bool = True, sid: str | None = None, since: int | None = None
) -> None:
    """Renew the session (clear it) and store the login in it.

    A login restored from a remember-me cookie is not ``fresh``: it has no login time, so
    ``fresh_login_required`` asks for the password again.
    """
    token = session_token(user_pk, password_hash)  # first: without a key, MissingSecretKey says what to do
    session.clear()
    session[LOGGED_IN] = True
    session[USER_PK] = user_pk
    session[TOKEN] = token
    if sid is not None:
        session[SESSION_ID] = sid
    if since is not None:
        session[SINCE] = since
    if fresh:
        session[LOGIN_TIME] = int(time.time())
    else:
        session[REMEMBERED] = True


def stored_login() -> tuple[Any, str, int, str | None, int | None] | None:
    """The ``(user_pk, token, login_time, session id, since)`` of the session, or None when it holds no login."""
    if not session.get(LOGGED_IN):
        return None
    user_pk = session.get(USER_PK)
    token = session.get(TOKEN)
    if user_pk is None or not isinstance(token, str):
        return None
    login_time = session.get(LOGIN_TIME)
    return user_pk, token, login_time if isinstance(login_time, int) else 0, current_sid(), current_since()


def current_sid() -> str | None:
    """The server-side session id this session holds, if any."""
    sid = session.get(SESSION_ID)
    return sid if isinstance(sid, str) else None


def current_since() -> int | None:
    """When this session started, for an unlisted one (microseconds since the epoch); None when listed."""
    since = session.get(SINCE)
    return since if isinstance(since, int) and not isinstance(since, bool) else None


def restamp(since: int) -> None:
    """Give this (unlisted) session a new start, after a cut-off that must not end it."""
    if SINCE in session:
        session[SINCE] = since


def token_matches(token: str, user_pk: Any, password_hash: str | None) -> bool:
    """Constant-time check of a session's token against the user's current hash (``SECRET_KEY_FALLBACKS`` too)."""
    return digest_matches(token, _token_message(user_pk, password_hash), salt=_SALT)


def end_login() -> None:
    """Forget the whole session: the login, its CSRF token and anything else it held."""
    session.clear()


def drop_login() -> None:
    """Remove only the login from the session (a stale or revoked one), keeping the rest."""
    for key in _KEYS:
        session.pop(key, None)
