"""The configuration keys flask-peewee-utils reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = [
    "ARGON2_MEMORY_COST",
    "ARGON2_PARALLELISM",
    "ARGON2_TIME_COST",
    "CREDENTIALS_CACHE_SECONDS",
    "CREDENTIALS_CACHE_SIZE",
    "PASSWORD_SCHEMES",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "SETTINGS",
    "UPLOADS_DELETE_WITH_OBJECT",
    "UPLOADS_MAX_PIXELS",
    "UPLOADS_MAX_SIZE",
    "UPLOADS_PUBLIC_URL",
    "UPLOADS_ROOT",
]

PASSWORD_SCHEMES = Setting(
    "FLASK_PEEWEE_PASSWORD_SCHEMES",
    ("argon2",),
    "passlib schemes (a list or comma-separated string); the first hashes new passwords.",
)

ARGON2_TIME_COST = Setting("FLASK_PEEWEE_ARGON2_TIME_COST", 3, "argon2 time cost (passes) of new hashes.")
ARGON2_MEMORY_COST = Setting("FLASK_PEEWEE_ARGON2_MEMORY_COST", 65536, "argon2 memory cost of new hashes, in KiB.")
ARGON2_PARALLELISM = Setting("FLASK_PEEWEE_ARGON2_PARALLELISM", 4, "argon2 parallelism (lanes) of new hashes.")
CREDENTIALS_CACHE_SECONDS = Setting(
    "FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS",
    60,
    "how long a verified HTTP Basic password is remembered in process memory; 0 turns the cache off.",
)
CREDENTIALS_CACHE_SIZE = Setting(
    "FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE", 1024, "the most credentials the cache remembers; 0 turns it off."
)

SECRET_KEY = Setting(
    "SECRET_KEY",
    None,
    "Flask's key; signs sessions, session tokens, CSRF tokens, remember-me cookies, REST cursors and object versions.",
    required=True,
)
SECRET_KEY_FALLBACKS = Setting(
    "SECRET_KEY_FALLBACKS", None, "Flask's list of older keys, still accepted when checking a signature."
)

UPLOADS_ROOT = Setting(
    "FLASK_PEEWEE_UPLOADS_ROOT",
    None,
    "directory of the uploaded files of fields that name no storage (default: the app's instance path + /uploads).",
)
UPLOADS_PUBLIC_URL = Setting(
    "FLASK_PEEWEE_UPLOADS_PUBLIC_URL",
    None,
    "URL prefix the web server serves that directory at; unset, files are served by the admin's and API's views.",
)
UPLOADS_MAX_SIZE = Setting(
    "FLASK_PEEWEE_UPLOADS_MAX_SIZE", 5 * 1024 * 1024, "largest uploaded file accepted, in bytes (413 past it)."
)
UPLOADS_MAX_PIXELS = Setting(
    "FLASK_PEEWEE_UPLOADS_MAX_PIXELS", 25_000_000, "largest image accepted, in pixels (width times height)."
)
UPLOADS_DELETE_WITH_OBJECT = Setting(
    "FLASK_PEEWEE_UPLOADS_DELETE_WITH_OBJECT",
    True,
    "delete an object's stored files when the admin or the API deletes the object.",
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (
    SECRET_KEY,
    SECRET_KEY_FALLBACKS,
    PASSWORD_SCHEMES,
    ARGON2_TIME_COST,
    ARGON2_MEMORY_COST,
    ARGON2_PARALLELISM,
    CREDENTIALS_CACHE_SECONDS,
    CREDENTIALS_CACHE_SIZE,
    UPLOADS_ROOT,
    UPLOADS_PUBLIC_URL,
    UPLOADS_MAX_SIZE,
    UPLOADS_MAX_PIXELS,
    UPLOADS_DELETE_WITH_OBJECT,
)
