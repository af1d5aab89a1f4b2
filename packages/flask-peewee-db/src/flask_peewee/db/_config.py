"""Turn the app's ``DATABASE`` setting into a peewee database."""

from __future__ import annotations

import importlib
from typing import Any, Mapping

import peewee
from playhouse import db_url

from flask_peewee.db._exceptions import ImproperlyConfigured

__all__ = ["database_from_config", "load_engine"]

_DROPPED_KEYS = frozenset({"threadlocals"})


def load_engine(path: str) -> type[peewee.Database]:
    """Import the dotted ``path`` and check it names a peewee.Database subclass."""
    if not isinstance(path, str) or "." not in path:
        raise ImproperlyConfigured(
            f"DATABASE 'engine' must be a dotted path such as 'peewee.SqliteDatabase', got {path!r}"
        )
    module_name, _, attr = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        engine = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise ImproperlyConfigured(f"DATABASE engine {path!r} cannot be imported: {exc}") from exc
    if not (isinstance(engine, type) and issubclass(engine, peewee.Database)):
        raise ImproperlyConfigured(f"DATABASE engine {path!r} is not a subclass of peewee.Database")
    return engine


def _from_mapping(config: Mapping[str, Any]) -> peewee.Database:
    options = {k: v for k, v in config.items() if k not in _DROPPED_KEYS}
    missing = [key for key in ("name", "engine") if not options.get(key)]
    if missing:
        raise ImproperlyConfigured(f"DATABASE is missing {' and '.join(repr(m) for m in missing)}")
    name = options.pop("name")
    engine = load_engine(options.pop("engine"))
    if issubclass(engine, peewee.MySQLDatabase):
        # The docs spell MySQL options the MySQLdb way; PyMySQL wants the new names.
        for old, new in (("passwd", "password"), ("db", "database")):
            if old in options and new not in options:
                options[new] = options.pop(old)
    try:
        return engine(name, **options)
    except TypeError as exc:
        raise ImproperlyConfigured(f"DATABASE options are not accepted by {engine.__name__}: {exc}") from exc


def _from_url(url: str) -> peewee.Database:
    try:
        return db_url.connect(url)
    except RuntimeError as exc:
        scheme = url.split(":", 1)[0]
        raise ImproperlyConfigured(f"Unknown database URL scheme {scheme!r} in {url!r}") from exc


def database_from_config(config: Mapping[str, Any]) -> peewee.Database:
    """Build the peewee database that ``config`` (a Flask config) describes.

    ``DATABASE`` may be a dict with ``name`` and ``engine`` (other keys go to the
    driver), a database URL, or a peewee.Database instance; ``DATABASE_URL`` is
    read when ``DATABASE`` is absent.
    """
    value = config.get("DATABASE")
    if value is None:
        value = config.get("DATABASE_URL")
    if value is None:
        raise ImproperlyConfigured("Set DATABASE (or DATABASE_URL) in the app config to use flask_peewee.db.Database")
    if isinstance(value, peewee.Database):
        return value
    if isinstance(value, str):
        return _from_url(value)
    if isinstance(value, Mapping):
        return _from_mapping(value)
    raise ImproperlyConfigured(
        f"DATABASE must be a dict, a database URL or a peewee.Database, not {type(value).__name__}"
    )


def describe(config: Mapping[str, Any]) -> object:
    """A comparable description of the configured database (to spot a second, different app)."""
    value = config.get("DATABASE")
    if value is None:
        value = config.get("DATABASE_URL")
    if isinstance(value, Mapping):
        return tuple(sorted((k, repr(v)) for k, v in value.items() if k not in _DROPPED_KEYS))
    if isinstance(value, peewee.Database):
        return ("instance", id(value))
    return value
