"""flask-peewee-db: the peewee database wrapper for Flask apps."""

from __future__ import annotations

from flask_peewee.db._namespace import check_namespace

check_namespace()

from flask_peewee.db.__about__ import __version__  # noqa: E402
from flask_peewee.db._config import database_from_config, load_engine  # noqa: E402
from flask_peewee.db._database import Database, get_database  # noqa: E402
from flask_peewee.db._exceptions import ImproperlyConfigured  # noqa: E402

__all__ = [
    "Database",
    "ImproperlyConfigured",
    "__version__",
    "database_from_config",
    "get_database",
    "load_engine",
]
