"""Use a connection for a block: open one unless one is open, and close only what was opened.

It imports no other module of the package: ``_database`` (through ``_cli``) and ``_migrations``
use it, so it must not import them back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import peewee

if TYPE_CHECKING:
    from flask_peewee.db._database import Database

__all__ = ["connection"]


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
