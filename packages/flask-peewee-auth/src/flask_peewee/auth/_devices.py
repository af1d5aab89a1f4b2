"""What the "Your sessions" page needs recorded: when, from where and with what browser a login was used.

With ``FLASK_PEEWEE_AUTH_SESSIONS_PAGE`` on, the rows of ``fp_auth_session`` and
``fp_remember_token`` get ``last_used``, ``remote_addr`` and ``user_agent``. Off, nothing
reads or writes those columns, so a table created by an earlier version (without them)
keeps working untouched. Turned on, ``init_app`` adds the missing columns to such a table
(``ALTER TABLE ... ADD COLUMN``, nullable, outside any request), as
``CREATE TABLE IF NOT EXISTS`` never would.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import peewee
from flask import Flask, current_app, has_request_context, request, session
from playhouse.migrate import SchemaMigrator, migrate

from flask_peewee.auth._settings import SESSIONS_PAGE
from flask_peewee.db import connection

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["DEVICE_COLUMNS", "TOUCH_INTERVAL", "add_missing_columns", "device_values", "enabled", "prepare", "touch"]

_log = logging.getLogger("flask_peewee.auth")

#: The columns the sessions page adds to ``fp_auth_session`` and ``fp_remember_token``.
DEVICE_COLUMNS = ("last_used", "remote_addr", "user_agent")
#: A session's ``last_used`` is written at most once per this many seconds.
TOUCH_INTERVAL = 60
_SEEN = "_fp_auth_seen"  # when this session last wrote its last_used (unix time), in the cookie session


def enabled() -> bool:
    """Whether the current app has the sessions page (``FLASK_PEEWEE_AUTH_SESSIONS_PAGE``)."""
    return bool(SESSIONS_PAGE.get(current_app.config))


def device_values(now: datetime.datetime) -> dict[str, Any]:
    """The device columns of a new session or token row: empty when the page is off (nothing extra written)."""
    if not has_request_context() or not enabled():
        return {}
    address = request.remote_addr
    agent = request.user_agent.string or None
    return {
        "last_used": now,
        "remote_addr": address[:100] if address else None,
        "user_agent": agent[:255] if agent else None,
    }


def touch(model: Any, key: str, now: datetime.datetime) -> None:
    """Write the session ``key``'s ``last_used`` when the page is on, at most once per :data:`TOUCH_INTERVAL`.

    When it was last written is kept in the cookie session, so a request reads nothing more.
    """
    if not enabled():
        return
    seen = session.get(_SEEN)
    moment = int(time.time())
    if isinstance(seen, int) and 0 <= moment - seen < TOUCH_INTERVAL:
        return
    model.update(last_used=now).where(model.key == key).execute()
    session[_SEEN] = moment


def add_missing_columns(
    bound: peewee.Database | peewee.DatabaseProxy, models: Iterable[type[peewee.Model]]
) -> list[str]:
    """Add the :data:`DEVICE_COLUMNS` that the tables of ``models`` lack; the ``table.column`` names added."""
    database: Any = bound.obj if isinstance(bound, peewee.DatabaseProxy) else bound
    added = []
    migrator = None
    for model in models:
        table = model._meta.table_name
        have = {column.name for column in database.get_columns(table)}
        for name in DEVICE_COLUMNS:
            if name in have:
                continue
            migrator = migrator or SchemaMigrator.from_database(database)
            try:
                with database.atomic():
                    migrate(migrator.add_column(table, name, model._meta.fields[name]))
            except peewee.DatabaseError:
                if name not in {column.name for column in database.get_columns(table)}:
                    raise
                continue  # another worker added it at the same moment
            added.append(f"{table}.{name}")
    return added


def prepare(app: Flask, auth: Auth) -> None:
    """At ``init_app`` with the page on: add the columns an older table lacks (later if the database is down)."""
    if not SESSIONS_PAGE.get(app.config):
        return
    models = [auth.AuthSession, auth.RememberToken]

    def run() -> None:
        with connection(auth.db) as database:
            for name in add_missing_columns(database, models):
                _log.warning("flask-peewee-auth: added the column %s for the sessions page", name)

    try:
        run()
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        _log.warning("The database cannot be reached (%s); the sessions page's columns are checked later", exc)
        pending = [True]

        def run_pending() -> None:
            if pending:
                run()
                pending.clear()

        app.before_request(run_pending)
