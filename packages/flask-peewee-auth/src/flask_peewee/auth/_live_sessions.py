"""The server-side record of live login sessions (``fp_auth_session``), so that a logout ends a session."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

import peewee
from flask import current_app

from flask_peewee.auth._devices import device_values, touch
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._permissions import user_id_of
from flask_peewee.auth._throttle import AuthUnavailable
from flask_peewee.utils.internal import backend_name

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["LiveSessions", "session_key"]


def session_key(sid: str) -> str:
    """What the table stores for the session id ``sid``: its SHA-256, never the id itself."""
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


class LiveSessions:
    """Adds a row per login, deletes it at logout, and finds the user of a live session in one query."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth

    @property
    def model(self) -> Any:
        return self.auth.AuthSession

    def start(self, user: Any, previous_sid: str | None = None) -> str:
        """Record a new session of ``user``, ending ``previous_sid``'s and every expired one; its id."""
        user_id = user_id_of(user)
        if user_id is None:
            raise TypeError(f"flask-peewee-auth sessions need a user with an integer primary key, got {user!r}")
        sid = secrets.token_urlsafe(32)
        model, now = self.model, utcnow()
        database = self.auth.db.database
        try:
            with database.atomic():
                if backend_name(database) == "postgres":
                    # Losing this row in a server crash only logs the user out (it fails closed), so
                    # the commit need not wait for the WAL flush. Ending a session stays durable.
                    database.execute_sql("SET LOCAL synchronous_commit TO OFF")
                stale = model.expires <= now  # indexed: the table holds no more than the live sessions
                if previous_sid:
                    stale |= model.key == session_key(previous_sid)
                model.delete().where(stale).execute()
                model.insert(
                    key=session_key(sid),
                    user_id=user_id,
                    expires=now + current_app.permanent_session_lifetime,
                    **device_values(now),
                ).execute()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            raise AuthUnavailable() from exc
        return sid

    def end(self, sid: str | None) -> None:
        """End the session ``sid`` on the server: its cookie, copied or not, no longer logs in."""
        if not sid:
            return
        try:
            self.model.delete().where(self.model.key == session_key(sid)).execute()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            raise AuthUnavailable() from exc

    def end_all(self, user: Any) -> int:
        """End every session of ``user`` (a user or its id) on every device; how many there were."""
        user_id = user_id_of(user)
        if user_id is None:
            return 0
        return int(self.model.delete().where(self.model.user_id == user_id).execute())

    def user(self, user_pk: Any, sid: str) -> Any:
        """The user of the live session ``sid`` for ``user_pk``, or None: one indexed query, a join."""
        user_model, model = self.auth.User, self.model
        pk = user_model._meta.primary_key
        key, now = session_key(sid), utcnow()
        query = (
            user_model.select()
            .join(model, on=(model.user_id == pk))
            .where(pk == user_pk, model.key == key, model.expires > now)
        )
        user = query.get_or_none()
        if user is not None:
            touch(model, key, now)  # the sessions page's "last used" (nothing when it is off)
        return user
