"""API tokens for ``Authorization: Bearer ...``: the ``fp_api_token`` table, issuing, revoking and checking.

A token reads ``fpt_<id>_<secret>``. The table keeps the public ``<id>`` (16 hex digits, the
lookup key) and a SHA-256 of the whole token, never the token itself: a copy of the table
gives no usable token. The plain token is returned once, by :func:`issue_token`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from typing import Any

import peewee
from flask import Flask, current_app, has_app_context

from flask_peewee.auth import utcnow
from flask_peewee.db import Database, ImproperlyConfigured, create_tables_when_reachable, get_database

__all__ = [
    "TOKEN_PREFIX",
    "TOKEN_TABLE",
    "check_token",
    "get_token_model",
    "issue_token",
    "revoke_token",
    "revoke_tokens",
    "utcnow",
]

TOKEN_TABLE = "fp_api_token"  # noqa: S105 (a table name)
TOKEN_PREFIX = "fpt_"  # noqa: S105 (the public prefix of every token)
NAME_LENGTH = 100
_TOKEN_RE = re.compile(r"fpt_([0-9a-f]{16})_([A-Za-z0-9_-]{20,100})")
_ID_RE = re.compile(r"[0-9a-f]{16}")
_MARK = "__flask_peewee_rest_token__"
_DUMMY_HASH = hashlib.sha256(b"flask-peewee-rest unknown token").hexdigest()
#: ``last_used`` is written at most once per this period per token (not on every request)
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _make_model(db: Database) -> type[peewee.Model]:
    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class ApiToken(base):
        """An API token of user ``user_id`` (a plain integer: deleting the user leaves it, unusable)."""

        user_id = peewee.BigIntegerField(index=True)
        name = peewee.CharField(max_length=NAME_LENGTH)
        token_id = peewee.CharField(max_length=16, unique=True)
        token_hash = peewee.CharField(max_length=64)
        created = peewee.DateTimeField(default=utcnow)
        last_used = peewee.DateTimeField(null=True)
        expires = peewee.DateTimeField(null=True)
        revoked = peewee.BooleanField(default=False)

        class Meta:
            table_name = TOKEN_TABLE

        def is_usable(self, now: datetime.datetime | None = None) -> bool:
            """Neither revoked nor expired."""
            now = now or utcnow()
            return not self.revoked and (self.expires is None or self.expires > now)

        def __str__(self) -> str:
            return f"{self.token_id} {self.name} (user {self.user_id})"

    setattr(ApiToken, _MARK, True)
    return ApiToken


def get_token_model(db: Database | None = None) -> Any:
    """The ``ApiToken`` model of ``db`` (the current app's ``Database`` by default), made once per ``Database``.

    It is a ``db.Model`` subclass, so ``flask fp create-tables`` creates its table too.
    """
    if db is None:
        if not has_app_context():
            raise RuntimeError("API tokens need an app context, or pass db=")
        db = get_database(current_app)
    for model in db.models:
        if model.__dict__.get(_MARK):
            return model
    return _make_model(db)


def create_token_table(app: Flask, db: Database) -> None:
    """``CREATE TABLE IF NOT EXISTS fp_api_token`` on ``db``, outside any request (when ``db`` is bound).

    With the database unreachable, the table is created on a later request of ``app``.
    """
    model = get_token_model(db)
    try:
        database = db.database
    except (ImproperlyConfigured, RuntimeError):
        return  # not bound to a database yet: ``flask fp create-tables`` will create it
    create_tables_when_reachable(app, database, [model])


def _user_id(user: Any) -> int:
    value = user.get_id() if isinstance(user, peewee.Model) else user
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"API tokens belong to users with an integer id, not {value!r}")
    return value


def _expiry(expires: datetime.datetime | datetime.timedelta | None) -> datetime.datetime | None:
    if expires is None:
        return None
    now = utcnow()
    if isinstance(expires, datetime.timedelta):
        moment = now + expires
    elif isinstance(expires, datetime.datetime):
        aware = expires.tzinfo is not None
        moment = expires.astimezone(datetime.timezone.utc).replace(tzinfo=None) if aware else expires
    else:
        raise TypeError(f"expires must be a datetime (UTC when naive), a timedelta or None, not {expires!r}")
    if moment <= now:
        raise ValueError("expires must be in the future")
    return moment


def issue_token(
    user: Any,
    name: str,
    expires: datetime.datetime | datetime.timedelta | None = None,
    *,
    db: Database | None = None,
) -> str:
    """Store a new token for ``user`` (a user or its id) and return it: the only time it is seen in full.

    ``name`` says what the token is for (``"deploy script"``); ``expires`` is a moment (naive
    means UTC) or a duration from now, None for a token that lasts until revoked.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a token needs a name (what it is for)")
    name = name.strip()
    if len(name) > NAME_LENGTH:
        raise ValueError(f"a token name has at most {NAME_LENGTH} characters")
    model = get_token_model(db)
    token_id = secrets.token_hex(8)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    model.create(
        user_id=_user_id(user), name=name, token_id=token_id, token_hash=_hash(token), expires=_expiry(expires)
    )
    return token


def check_token(token: str, *, db: Database | None = None) -> Any:
    """The usable ``ApiToken`` row of a plain token, or None (unknown, wrong secret, revoked or expired).

    The row is found by the token's public id; the hash is then compared in constant time
    (against a dummy when the id is unknown, so both cases cost the same).
    """
    match = _TOKEN_RE.fullmatch(token or "")
    if match is None:
        return None
    model = get_token_model(db)
    row = model.get_or_none(model.token_id == match.group(1))
    stored = row.token_hash if row is not None else _DUMMY_HASH
    if not hmac.compare_digest(stored.encode(), _hash(token).encode()) or row is None:
        return None
    now = utcnow()
    if not row.is_usable(now):
        return None
    if row.last_used is None or now - row.last_used >= LAST_USED_RESOLUTION:
        model.update(last_used=now).where(model.id == row.id).execute()
        row.last_used = now
    return row


def revoke_token(token_or_id: str, *, db: Database | None = None) -> bool:
    """Revoke a token given in full or by its id (the 16 hex digits after ``fpt_``); whether one was live."""
    text = (token_or_id or "").strip()
    match = _TOKEN_RE.fullmatch(text)
    if match is not None:
        token_id = match.group(1)
    elif _ID_RE.fullmatch(text):
        token_id = text
    else:
        raise ValueError(f"{token_or_id!r} is neither an API token nor a token id")
    model = get_token_model(db)
    query = model.update(revoked=True).where(model.token_id == token_id, model.revoked == False)  # noqa: E712
    if match is not None:
        query = query.where(model.token_hash == _hash(text))
    return bool(query.execute())


def revoke_tokens(user: Any, name: str | None = None, *, db: Database | None = None) -> int:
    """Revoke every live token of ``user`` (a user or its id), or only those called ``name``; how many."""
    model = get_token_model(db)
    query = model.update(revoked=True).where(model.user_id == _user_id(user), model.revoked == False)  # noqa: E712
    if name is not None:
        query = query.where(model.name == name.strip())
    return int(query.execute())
