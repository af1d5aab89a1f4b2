"""Use a connection for a block: open one unless one is open, and close only what was opened."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

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
    bound = database.database if isinstance(database, Database) else database
    opened = bound.connect(reuse_if_open=True)
    try:
        yield bound
    finally:
        if opened and not bound.is_closed():
            bound.close()
