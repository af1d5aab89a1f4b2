"""Fixtures for the db tests; the database matrix comes from the package's own plugin (flask_peewee.db.testing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playhouse.db_url import parse

from flask_peewee.db.testing import Backend

ENGINES = {
    "sqlite": ("peewee.SqliteDatabase", "playhouse.pool.PooledSqliteDatabase"),
    "postgres": ("peewee.PostgresqlDatabase", "playhouse.pool.PooledPostgresqlDatabase"),
    "mysql": ("peewee.MySQLDatabase", "playhouse.pool.PooledMySQLDatabase"),
}


@pytest.fixture
def database_dict(database_url: str, fp_backend: Backend) -> Callable[..., dict[str, Any]]:
    """Build the documented dict form of ``DATABASE`` for this test's database.

    ``pooled=True`` picks the playhouse.pool engine; extra keywords become driver options.
    """

    def build(*, pooled: bool = False, **extra: Any) -> dict[str, Any]:
        options = parse(database_url)
        config: dict[str, Any] = {
            "name": options.pop("database"),
            "engine": ENGINES[fp_backend.name][1 if pooled else 0],
        }
        config.update(options)
        config.update(extra)
        return config

    return build
