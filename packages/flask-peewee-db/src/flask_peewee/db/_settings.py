"""The configuration keys flask-peewee-db reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = ["DATABASE", "DATABASE_URL", "EXCLUDED_ROUTES", "MIGRATIONS_DIR", "SETTINGS"]

DATABASE = Setting(
    "DATABASE",
    None,
    "The database: a dict with name and engine, a playhouse.db_url URL or a peewee.Database.",
    required=True,
)
DATABASE_URL = Setting("DATABASE_URL", None, "A database URL, read when DATABASE is absent.")
EXCLUDED_ROUTES = Setting(
    "FLASK_PEEWEE_EXCLUDED_ROUTES", (), "Endpoints (a list or a comma-separated string) that open no connection."
)
MIGRATIONS_DIR = Setting(
    "FLASK_PEEWEE_MIGRATIONS_DIR", "migrations", "Folder of the migration files, relative to app.root_path."
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (DATABASE, DATABASE_URL, EXCLUDED_ROUTES, MIGRATIONS_DIR)
