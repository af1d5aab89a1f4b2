"""Use a connection for a block: open one unless one is open, and close only what was opened.

It imports no other module of the package: ``_database`` (through ``_cli``) and ``_migrations``
use it, so it must not import them back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import peewee

if TYPE_CHECKING:
    from flask import Flask

    from flask_peewee.db._database import Database

__all__ = ["connection", "create_tables_when_reachable"]

_log = logging.getLogger("flask_peewee.db")


@contextlib.contextmanager
def connection(
    database: peewee.Database | peewee.DatabaseProxy | Database,
) -> Iterator[peewee.Database | peewee.DatabaseProxy]:
    """Connect ``database`` for the block unless a connection is open in this thread.

    ``database`` is a peewee database, a ``DatabaseProxy`` or a :class:`~flask_peewee.db.Database`
    (its ``database`` is used). A connection that was already open (a request's, a test's, a
    shell's) is reused and left open; a connection opened here is closed when the block ends,
    also when it raised. Yields the database (or proxy) used.
    """
    # A flask_peewee.db.Database is told apart by what it is not (no import of _database here).
    bound = database if isinstance(database, (peewee.Database, peewee.DatabaseProxy)) else database.database
    opened = bound.connect(reuse_if_open=True)
    try:
        yield bound
    finally:
        if opened and not bound.is_closed():
            bound.close()


def create_tables_when_reachable(
    app: Flask, database: peewee.Database | peewee.DatabaseProxy | Database, models: Iterable[type[peewee.Model]]
) -> bool:
    """``CREATE TABLE IF NOT EXISTS`` for ``models`` now, or, if the database cannot be reached, later.

    For tables an extension creates in its ``init_app``: an app started while its database
    is down logs a warning and starts anyway; before each of its requests the tables are
    tried again until that works (meanwhile the requests answer 503), so it recovers
    without a restart. Returns whether the tables were created now.
    """
    pending = list(models)
    try:
        with connection(database) as bound:
            bound.create_tables(pending, safe=True)
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        names = ", ".join(model._meta.table_name for model in pending)
        _log.warning(
            "The database cannot be reached (%s); the tables %s will be created on a later request", exc, names
        )
    else:
        return True

    def create_pending_tables() -> None:
        if pending:
            with connection(database) as bound:
                bound.create_tables(pending, safe=True)
            pending.clear()

    app.before_request(create_pending_tables)
    return False
