"""The configuration keys flask-peewee-db reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = [
    "CHROMIUM_EXECUTABLE",
    "CI",
    "DATABASE",
    "DATABASE_URL",
    "EXCLUDED_ROUTES",
    "MIGRATIONS_DIR",
    "REPLICAS",
    "REPLICA_COOLDOWN",
    "REPLICA_MAX_LAG",
    "REPLICA_STRATEGY",
    "SETTINGS",
    "TEST_DATABASES",
    "TEST_ENVIRONMENT",
    "TEST_MYSQL_URL",
    "TEST_POSTGRES_URL",
]

DATABASE = Setting(
    "DATABASE",
    None,
    "The database: a dict with name and engine, a playhouse.db_url URL or a peewee.Database.",
    required=True,
)
DATABASE_URL = Setting("DATABASE_URL", None, "A database URL, read when DATABASE is absent.")
REPLICAS = Setting(
    "FLASK_PEEWEE_DATABASE_REPLICAS",
    None,
    "Read replicas: a list of URLs (or dicts, or peewee databases), or a comma-separated string of URLs.",
)
REPLICA_STRATEGY = Setting(
    "FLASK_PEEWEE_REPLICA_STRATEGY", "round_robin", "How a read picks its replica: round_robin or random."
)
REPLICA_MAX_LAG = Setting(
    "FLASK_PEEWEE_REPLICA_MAX_LAG", None, "Seconds a replica may be behind before it is skipped; unset checks nothing."
)
REPLICA_COOLDOWN = Setting(
    "FLASK_PEEWEE_REPLICA_COOLDOWN", 30, "Seconds a replica that failed is left out before it is tried again."
)
EXCLUDED_ROUTES = Setting(
    "FLASK_PEEWEE_EXCLUDED_ROUTES", (), "Endpoints (a list or a comma-separated string) that open no connection."
)
MIGRATIONS_DIR = Setting(
    "FLASK_PEEWEE_MIGRATIONS_DIR", "migrations", "Folder of the migration files, relative to app.root_path."
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (
    DATABASE,
    DATABASE_URL,
    REPLICAS,
    REPLICA_STRATEGY,
    REPLICA_MAX_LAG,
    REPLICA_COOLDOWN,
    EXCLUDED_ROUTES,
    MIGRATIONS_DIR,
)

# Environment variables (not app.config keys) read by the pytest plugin, flask_peewee.db.testing.
TEST_DATABASES = Setting(
    "FLASK_PEEWEE_TEST_DATABASES", None, "Comma-separated backends to run; set, every listed one is required."
)
TEST_POSTGRES_URL = Setting(
    "FLASK_PEEWEE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test", "PostgreSQL server for tests."
)
TEST_MYSQL_URL = Setting(
    "FLASK_PEEWEE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test", "MySQL/MariaDB server for tests."
)
CI = Setting("CI", None, "true makes an unreachable test backend, or a missing browser, an error.")
CHROMIUM_EXECUTABLE = Setting(
    "PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium", "The Chromium the fp_browser fixture drives."
)

#: Every environment variable of the pytest plugin, in the order of the documentation's table.
TEST_ENVIRONMENT = (TEST_DATABASES, TEST_POSTGRES_URL, TEST_MYSQL_URL, CI, CHROMIUM_EXECUTABLE)
