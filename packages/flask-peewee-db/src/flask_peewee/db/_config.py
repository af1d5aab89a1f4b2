"""Turn the app's ``DATABASE`` setting into a peewee database."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import peewee
from playhouse import db_url
from playhouse.pool import PooledDatabase

from flask_peewee.db._exceptions import ImproperlyConfigured
from flask_peewee.db._settings import DATABASE, DATABASE_URL
from flask_peewee.db.typed import driver_module, untyped

__all__ = ["config_key", "database_from_config", "describe_config", "load_class", "load_engine"]

#: Keys of the original flask-peewee that peewee 3+ no longer needs (it always keeps
#: connection state per thread); they are accepted and ignored.
_DROPPED_KEYS = frozenset({"threadlocals"})

#: Options the sqlite3 driver takes besides the ones peewee passes itself.
_SQLITE_DRIVER_KEYS = frozenset({"detect_types", "check_same_thread", "factory", "cached_statements", "uri"})


def load_class(path: str) -> Any:
    """Import the object a dotted ``path`` names (``"peewee.SqliteDatabase"``), as the original's ``load_class``.

    Raises ``ImportError`` when the module cannot be imported and ``AttributeError`` when it
    has no such attribute (the original's exceptions), ``ValueError`` for a path without a dot.
    """
    if not isinstance(path, str) or "." not in path.strip("."):
        raise ValueError(f"load_class() needs a dotted path such as 'peewee.SqliteDatabase', got {path!r}")
    module_name, _, attr = path.rpartition(".")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise AttributeError(f"module {module_name!r} has no attribute {attr!r} (from {path!r})") from None


def load_engine(path: str | type[peewee.Database]) -> type[peewee.Database]:
    """Import the dotted ``path`` (or take the class) and check it is a peewee.Database subclass."""
    if isinstance(path, type):
        engine: Any = path
    elif not isinstance(path, str) or "." not in path:
        raise ImproperlyConfigured(
            f"DATABASE 'engine' must be a dotted path such as 'peewee.SqliteDatabase', got {path!r}"
        )
    else:
        module_name, _, attr = path.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ImproperlyConfigured(f"DATABASE engine {path!r} cannot be imported: {exc}") from exc
        try:
            engine = getattr(module, attr)
        except AttributeError:
            raise ImproperlyConfigured(
                f"DATABASE engine {path!r} cannot be imported: module {module_name!r} has no attribute {attr!r}"
            ) from None
    if not (isinstance(engine, type) and issubclass(engine, peewee.Database)):
        raise ImproperlyConfigured(f"DATABASE engine {path!r} is not a subclass of peewee.Database")
    return engine


def _driver_class(database: peewee.Database) -> type | None:
    """The class whose ``_connect`` talks to the driver (pool and extension wrappers call up)."""
    passthrough: set[type] = {PooledDatabase}
    try:
        from playhouse.postgres_ext import PostgresqlExtDatabase

        passthrough.add(PostgresqlExtDatabase)
    except ImportError:  # pragma: no cover - postgres_ext imports without a driver
        pass
    for klass in type(database).__mro__:
        if "_connect" in klass.__dict__ and klass not in passthrough:
            return klass
    return None  # pragma: no cover - every peewee.Database defines _connect


def _unknown_driver_keys(database: peewee.Database) -> list[str]:
    """Driver options of ``database`` its driver would refuse, for the drivers we can inspect."""
    keys = set(database.connect_params)
    if not keys:
        return []
    driver = _driver_class(database)
    if driver is peewee.SqliteDatabase:
        return sorted(keys - _SQLITE_DRIVER_KEYS)
    if driver is peewee.MySQLDatabase and getattr(driver_module("mysql"), "__name__", "") == "pymysql":
        from pymysql.connections import Connection

        accepted = set(inspect.signature(Connection.__init__).parameters) - {"self", "database", "autocommit"}
        return sorted(keys - accepted)
    if driver is peewee.PostgresqlDatabase and type(untyped(database)._adapter).__name__.startswith("Psycopg2"):
        import psycopg2.extensions

        own = {"dsn", "connection_factory", "cursor_factory", "async", "async_"}
        unknown = []
        for key in sorted(keys - own):
            try:
                psycopg2.extensions.parse_dsn(f"{key}=x")
            except psycopg2.ProgrammingError:
                unknown.append(key)
        return unknown
    return []


def _build(engine: type[peewee.Database], name: Any, options: dict[str, Any], source: str) -> peewee.Database:
    if issubclass(engine, peewee.MySQLDatabase) and "passwd" in options:
        # The docs spell the MySQL password the MySQLdb way; PyMySQL deprecates that name.
        options.setdefault("password", options.pop("passwd"))
    try:
        database = engine(name, **options)
    except (TypeError, peewee.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{source}: options not accepted by {engine.__name__}: {exc}") from exc
    unknown = _unknown_driver_keys(database)
    if unknown:
        raise ImproperlyConfigured(
            f"{source}: unknown option(s) {', '.join(map(repr, unknown))} for {engine.__name__}; "
            "check the spelling against the peewee and database driver documentation"
        )
    return database


def _parse_mapping(config: Mapping[Any, Any]) -> tuple[type[peewee.Database], Any, dict[str, Any]]:
    bad = [k for k in config if not isinstance(k, str)]
    if bad:
        raise ImproperlyConfigured(f"DATABASE keys must be strings, got {bad!r}")
    # "replicas" is read by flask_peewee.db._replicas, never passed to the driver
    options = {k: v for k, v in config.items() if k not in _DROPPED_KEYS and k != "replicas"}
    missing = [key for key in ("name", "engine") if options.get(key) in (None, "")]
    if missing:
        raise ImproperlyConfigured(
            f"DATABASE is missing {' and '.join(repr(m) for m in missing)}: "
            "give a dict such as {'name': 'example.db', 'engine': 'peewee.SqliteDatabase'}"
        )
    name = options.pop("name")
    engine = load_engine(options.pop("engine"))
    return engine, name, options


def _redact(url: str) -> str:
    """``url`` with its password hidden, for error messages."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


def _parse_url(url: str, setting: str) -> tuple[type[peewee.Database], Any, dict[str, Any]]:
    parsed = urlparse(url)
    if not parsed.scheme or "://" not in url:
        raise ImproperlyConfigured(
            f"{setting} {_redact(url)!r} is not a database URL; use e.g. 'sqlite:///example.db' or "
            "'postgresql://user@host/name', or a dict with 'name' and 'engine'"
        )
    engine = db_url.schemes.get(parsed.scheme)
    if engine is None:
        known = ", ".join(sorted(db_url.schemes))
        raise ImproperlyConfigured(f"Unknown database URL scheme {parsed.scheme!r} in {setting}; known: {known}")
    options = db_url.parseresult_to_dict(parsed, unquote_password=True, unquote_user=True)
    name = options.pop("database", "")
    if not name:
        raise ImproperlyConfigured(
            f"{setting} {_redact(url)!r} names no database: local databases take three slashes "
            f"('{parsed.scheme}:///name'), remote ones '{parsed.scheme}://host/name'"
        )
    for key in _DROPPED_KEYS:
        options.pop(key, None)
    return engine, name, options


def _setting(config: Mapping[str, Any]) -> tuple[str, Any]:
    for setting in (DATABASE, DATABASE_URL):
        value = setting.get(config)
        if value is not None:
            return setting.key, value
    raise ImproperlyConfigured(
        "Set DATABASE (a dict with 'name' and 'engine', a database URL or a peewee.Database) "
        "or DATABASE_URL in the app config to use flask_peewee.db.Database"
    )


def _parse(config: Mapping[str, Any]) -> tuple[str, Any]:
    """Validate the setting; return a hashable-ish description and what is needed to build it."""
    setting, value = _setting(config)
    if isinstance(value, peewee.Database):
        return setting, value
    if isinstance(value, str):
        return setting, _parse_url(value, setting)
    if isinstance(value, Mapping):
        return setting, _parse_mapping(value)
    raise ImproperlyConfigured(
        f"{setting} must be a dict, a database URL or a peewee.Database, not {type(value).__name__}"
    )


def database_from_config(config: Mapping[str, Any]) -> peewee.Database:
    """Build the peewee database that ``config`` (a Flask config) describes.

    ``DATABASE`` may be a dict with ``name`` and ``engine`` (other keys go to the
    driver), a database URL, or a peewee.Database instance; ``DATABASE_URL`` is
    read when ``DATABASE`` is absent. Mistakes raise :class:`ImproperlyConfigured`.
    """
    setting, parsed = _parse(config)
    if isinstance(parsed, peewee.Database):
        return parsed
    engine, name, options = parsed
    return _build(engine, name, dict(options), setting)


def describe_config(config: Mapping[str, Any]) -> tuple[str, Any, dict[str, Any]]:
    """``(engine, name, options)`` of the configured database, as the original kept them on ``Database``.

    ``engine`` is the dotted path of the engine class, ``name`` the database name and
    ``options`` what goes to the engine besides the name (dropped keys such as
    ``threadlocals`` left out).
    """
    setting, parsed = _parse(config)
    if isinstance(parsed, peewee.Database):
        engine, name, options = type(parsed), parsed.database, dict(parsed.connect_params)
    else:
        engine, name, options = parsed
    written = config[setting].get("engine") if isinstance(config[setting], Mapping) else None
    path = written if isinstance(written, str) else f"{engine.__module__}.{engine.__qualname__}"
    return path, name, dict(options)


def config_key(config: Mapping[str, Any]) -> object:
    """A comparable description of the configured database, so two apps can be told apart.

    A URL and the equivalent dict describe the same database; an instance is itself.
    """
    _setting_name, parsed = _parse(config)
    if isinstance(parsed, peewee.Database):
        return ("instance", id(parsed))
    engine, name, options = parsed
    if issubclass(engine, peewee.MySQLDatabase) and "passwd" in options:
        options = {**options, "password": options["passwd"]}
        del options["passwd"]
    return (engine, str(name), tuple(sorted((k, repr(v)) for k, v in options.items())))
