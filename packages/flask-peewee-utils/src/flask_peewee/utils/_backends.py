"""Which database server a peewee database talks to, for the few places that must differ by backend."""

from __future__ import annotations

from typing import Any

import peewee

from flask_peewee.db import Database, ImproperlyConfigured

__all__ = ["backend_name", "redis_client"]


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


def redis_client(url: str, *, setting: str, extra: str) -> Any:
    """A ``redis.Redis`` for ``url``; without the redis package, ``ImproperlyConfigured`` naming the
    ``setting`` that asked for it and the install command (``pip install 'flask-peewee-<extra>'``)."""
    try:
        import redis
    except ImportError:
        raise ImproperlyConfigured(
            f"{setting} = 'redis' needs the redis package: pip install 'flask-peewee-{extra}'"
        ) from None
    return redis.Redis.from_url(url)
