"""The server-side record of live login sessions (``fp_auth_session``), so that a logout ends a session."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

import peewee
from flask import current_app

from flask_peewee.auth._devices import device_values, touch
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._permissions import user_id_of
from flask_peewee.auth._throttle import AuthUnavailable
from flask_peewee.utils.internal import Periodic, RowLookup, backend_name, insert_row

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["LiveSessions", "session_key"]


def session_key(sid: str) -> str:
    """What the table stores for the session id ``sid``: its SHA-256, never the id itself."""
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


class LiveSessions:
    """Adds a row per login, deletes it at logout, and finds the user of a live session in one query."""

    #: Logins (per process) between two deletions of the expired rows.
    PURGE_EVERY = 100

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self.purge_due = Periodic(self.PURGE_EVERY)
        self._lookup: tuple[Any, Any, RowLookup] | None = None

    @property
    def model(self) -> Any:
        return self.auth.AuthSession

    def start(self, user: Any, previous_sid: str | None = None) -> str:
        """Record a new session of ``user`` and end ``previous_sid``'s; its id.

        A login without a previous session writes one row, in one statement. Expired rows
        (which log nobody in: :meth:`user` checks ``expires``) are deleted once every
        :attr:`PURGE_EVERY` logins of this process (:meth:`purge`), not at each login.
        """
        user_id = user_id_of(user)
        if user_id is None:
            raise TypeError(f"flask-peewee-auth sessions need a user with an integer primary key, got {user!r}")
        sid = secrets.token_urlsafe(32)
        model, now = self.model, utcnow()
        database = self.auth.db.database
        # the row with its defaults filled in, inserted by a statement built once (insert_row)
        row = model(
            key=session_key(sid),
            user_id=user_id,
            expires=now + current_app.permanent_session_lifetime,
            **device_values(now),
        ).__data__
        postgres = backend_name(database) == "postgres"
        try:
            if previous_sid or postgres:
                with database.atomic():
                    if postgres:
                        # Losing this row in a server crash only logs the user out (it fails closed), so
                        # the commit need not wait for the WAL flush. Ending a session stays durable.
                        database.execute_sql("SET LOCAL synchronous_commit TO OFF")
                    if previous_sid:
                        model.delete().where(model.key == session_key(previous_sid)).execute()
                    insert_row(model, row)
            else:
                insert_row(model, row)
            if self.purge_due.due():
                self.purge(now)
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            raise AuthUnavailable() from exc
        return sid

    def purge(self, now: datetime.datetime | None = None) -> int:
        """Delete the expired session rows (of every user); how many."""
        model = self.model
        now = utcnow() if now is None else now
        return int(model.delete().where(model.expires <= now).execute())  # indexed

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

    def _user_lookup(self) -> RowLookup:
        user_model, model = self.auth.User, self.model
        cached = self._lookup
        if cached is None or cached[0] is not user_model or cached[1] is not model:
            pk = user_model._meta.primary_key

            def build(user_pk: Any, key: Any, now: Any) -> Any:
                return (
                    user_model.select()
                    .join(model, on=(model.user_id == pk))
                    .where(pk == user_pk, model.key == key, model.expires > now)
                    .limit(1)
                )

            cached = self._lookup = (user_model, model, RowLookup(user_model, build, 3))
        return cached[2]

    def user(self, user_pk: Any, sid: str) -> Any:
        """The user of the live session ``sid`` for ``user_pk``, or None: one indexed query, a join.

        Run on every request of a logged-in user: its SQL is built once (:class:`RowLookup`).
        """
        key, now = session_key(sid), utcnow()
        user = self._user_lookup().first(user_pk, key, now)
        model = self.model
        if user is not None:
            touch(model, key, now)  # the sessions page's "last used" (nothing when it is off)
        return user
