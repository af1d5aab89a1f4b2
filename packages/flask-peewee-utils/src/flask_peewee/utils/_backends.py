"""Which database server a peewee database talks to, for the few places that must differ by backend."""

from __future__ import annotations

from typing import Any

import peewee

from flask_peewee.db import Database

__all__ = ["backend_name"]


def backend_name(database: Any) -> str:
    """``"sqlite"``, ``"postgres"``, ``"mysql"`` or ``"other"`` for ``database``.

    ``database`` is a peewee ``Database``, a ``DatabaseProxy`` (an unbound one is ``"other"``)
    or a :class:`flask_peewee.db.Database`. Subclasses count as their base: CockroachDB's
    peewee class is ``"postgres"``, a MariaDB connector's ``MySQLDatabase`` is ``"mysql"``.
    """
    if isinstance(database, Database):
        database = database.database
    while isinstance(database, peewee.DatabaseProxy):
        database = database.obj
    if isinstance(database, peewee.SqliteDatabase):
        return "sqlite"
    if isinstance(database, peewee.PostgresqlDatabase):
        return "postgres"
    if isinstance(database, peewee.MySQLDatabase):
        return "mysql"
    return "other"
