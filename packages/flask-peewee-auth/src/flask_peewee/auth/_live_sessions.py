"""The server-side record of login sessions, so that a logout ends a session everywhere.

Two records, chosen when a session starts and kept for its whole life (the cookie session
says which, signed like the rest of it):

- **listed** (``fp_auth_session``, with ``FLASK_PEEWEE_AUTH_SESSIONS_PAGE`` on): a login
  adds a row, a logout deletes it, and a session whose row is gone logs nobody in. The
  sessions page lists these rows.
- **unlisted** (the default, the page off): a login writes nothing. The cookie session holds
  when the session started (``since``, microseconds since the epoch); a logout adds a row to
  ``fp_auth_session_end`` until the session would have expired (and :data:`CLOCK_MARGIN`
  more, for hosts whose clocks differ), and ending every session of
  a user adds or moves that user's cut-off (sessions started before it are ended). A session
  logs in while neither says it ended.

Either way the user of a session is found by one indexed query, a join or a ``NOT EXISTS``
(:meth:`LiveSessions.user`), and every session ends after the app's
``PERMANENT_SESSION_LIFETIME`` from its login, whatever its cookie says.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from typing import TYPE_CHECKING, Any, NamedTuple

import peewee
from flask import current_app

from flask_peewee.auth._devices import device_values, enabled, touch
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._permissions import user_id_of
from flask_peewee.auth._throttle import AuthUnavailable
from flask_peewee.utils.internal import Periodic, RowLookup, backend_name, insert_row

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["CLOCK_MARGIN", "LiveSessions", "Started", "cutoff_name", "now_us", "session_key"]


def session_key(sid: str) -> str:
    """What the tables store for the session id ``sid``: its SHA-256, never the id itself."""
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


def cutoff_name(user_id: int) -> str:
    """The name whose :func:`session_key` keys ``user_id``'s cut-off row (no session id holds a NUL)."""
    return f"\0cutoff\0{user_id}"


def now_us() -> int:
    """The current time in whole microseconds since the epoch (what ``since`` and cut-offs hold)."""
    return time.time_ns() // 1000


#: How long an end outlives the session it ends: hosts' clocks may differ by this much.
CLOCK_MARGIN = datetime.timedelta(minutes=5)


def _utc(us: int) -> datetime.datetime:
    """``us`` microseconds since the epoch as auth's tables store times (UTC, no tzinfo)."""
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)


class Started(NamedTuple):
    """A session just started: its id, and when it started for an unlisted one (None when listed)."""

    sid: str
    since: int | None


class LiveSessions:
    """Starts, ends and checks login sessions: listed rows or unlisted ends (see the module)."""

    #: Writes (per process) between two deletions of the expired rows.
    PURGE_EVERY = 100

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self.purge_due = Periodic(self.PURGE_EVERY)
        self._lookup: tuple[Any, Any, RowLookup] | None = None
        self._unlisted_lookup: tuple[Any, Any, RowLookup] | None = None

    @property
    def model(self) -> Any:
        return self.auth.AuthSession

    @property
    def end_model(self) -> Any:
        return self.auth.AuthSessionEnd

    def start(self, user: Any, previous_sid: str | None = None, previous_since: int | None = None) -> Started:
        """Start a session of ``user`` and end the browser's previous one (``previous_sid``, if any).

        With the sessions page on, the session is listed: one INSERT. Off, it is unlisted and
        a first login writes nothing; a login over a previous session ends that one.
        """
        user_id = user_id_of(user)
        if user_id is None:
            raise TypeError(f"flask-peewee-auth sessions need a user with an integer primary key, got {user!r}")
        sid = secrets.token_urlsafe(32)
        if not enabled():
            if previous_sid:
                self.end(previous_sid, previous_since)
            return Started(sid, now_us())
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
                    if postgres and not previous_sid:
                        # Losing this row in a server crash only logs the user out (it fails closed), so
                        # the commit need not wait for the WAL flush. Ending a session stays durable,
                        # the previous one's included.
                        database.execute_sql("SET LOCAL synchronous_commit TO OFF")
                    if previous_sid:
                        self._end(previous_sid, previous_since)
                    insert_row(model, row)
            else:
                insert_row(model, row)
            if self.purge_due.due():
                self.purge(now)
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            raise AuthUnavailable() from exc
        return Started(sid, None)

    def end(self, sid: str | None, since: int | None = None) -> None:
        """End the session ``sid`` on the server: its cookie, copied or not, no longer logs in.

        ``since`` is when an unlisted session started (None for a listed one).
        """
        if not sid:
            return
        try:
            self._end(sid, since)
            if self.purge_due.due():
                self.purge()
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            raise AuthUnavailable() from exc

    def _end(self, sid: str, since: int | None) -> None:
        key = session_key(sid)
        if since is None:
            self.model.delete().where(self.model.key == key).execute()
            return
        expires = _utc(since) + current_app.permanent_session_lifetime + CLOCK_MARGIN
        if expires > utcnow():  # an expired session logs nobody in: nothing to record
            ends = self.end_model
            ends.insert(key=key, before=None, expires=expires).on_conflict_ignore().execute()

    def end_all(self, user: Any, keep_sid: str | None = None) -> int:
        """End every session of ``user`` (a user or its id) on every device but ``keep_sid``'s.

        Deletes the user's listed rows and moves the user's cut-off to now, which ends every
        unlisted session started before it; returns how many listed sessions there were.
        A kept unlisted session must take a new ``since`` (:func:`now_us`) after this.
        """
        user_id = user_id_of(user)
        if user_id is None:
            return 0
        model, ends = self.model, self.end_model
        before = now_us()
        expires = utcnow() + current_app.permanent_session_lifetime + CLOCK_MARGIN
        key = session_key(cutoff_name(user_id))
        query = model.delete().where(model.user_id == user_id)
        if keep_sid:
            query = query.where(model.key != session_key(keep_sid))
        with self.auth.db.database.atomic():
            count = int(query.execute())
            ends.insert(key=key, before=before, expires=expires).on_conflict_ignore().execute()
            # an existing cut-off only ever moves later (two workers ending at once keep the later)
            ends.update(before=before, expires=expires).where(ends.key == key, ends.before < before).execute()
        return count

    def purge(self, now: datetime.datetime | None = None) -> int:
        """Delete the expired rows of both records (of every user); how many."""
        now = utcnow() if now is None else now
        model, ends = self.model, self.end_model
        return int(model.delete().where(model.expires <= now).execute()) + int(
            ends.delete().where(ends.expires <= now).execute()
        )  # both indexed

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

    def _unlisted(self) -> RowLookup:
        user_model, ends = self.auth.User, self.end_model
        cached = self._unlisted_lookup
        if cached is None or cached[0] is not user_model or cached[1] is not ends:
            pk = user_model._meta.primary_key

            def build(user_pk: Any, key: Any, cutoff: Any, since: Any) -> Any:
                ended = ends.select(peewee.SQL("1")).where(
                    (ends.key == key) | ((ends.key == cutoff) & (ends.before > since))
                )
                return user_model.select().where(pk == user_pk, ~peewee.fn.EXISTS(ended)).limit(1)

            cached = self._unlisted_lookup = (user_model, ends, RowLookup(user_model, build, 4))
        return cached[2]

    def user(self, user_pk: Any, sid: str, since: int | None = None) -> Any:
        """The user of the live session ``sid`` for ``user_pk``, or None: one indexed query.

        A listed session (``since`` None) needs its row (a join); an unlisted one, started
        at ``since``, needs no end recorded for it or after it (``NOT EXISTS``), and is
        refused while the sessions page is on (the page lists every session that logs in).
        Run on every request of a logged-in user: its SQL is built once (:class:`RowLookup`).
        """
        key = session_key(sid)
        if since is not None:
            lifetime = current_app.permanent_session_lifetime
            if enabled() or since <= now_us() - lifetime // datetime.timedelta(microseconds=1):
                return None
            user_id = user_id_of(user_pk)
            if user_id is None:
                return None
            return self._unlisted().first(user_pk, key, session_key(cutoff_name(user_id)), since)
        now = utcnow()
        user = self._user_lookup().first(user_pk, key, now)
        if user is not None:
            touch(self.model, key, now)  # the sessions page's "last used" (nothing when it is off)
        return user
