"""The configuration keys flask-peewee-rest reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = [
    "DOCS",
    "MAX_BODY_SIZE",
    "RATE_LIMITS",
    "RATE_LIMIT_BACKEND",
    "RATE_LIMIT_KEY",
    "RATE_LIMIT_REDIS_PREFIX",
    "RATE_LIMIT_REDIS_URL",
    "SETTINGS",
    "TRUSTED_ORIGINS",
]

MAX_BODY_SIZE = Setting(
    "FLASK_PEEWEE_REST_MAX_BODY_SIZE", 1024 * 1024, "Largest request body the API reads; larger ones get 413."
)
TRUSTED_ORIGINS = Setting(
    "FLASK_PEEWEE_REST_TRUSTED_ORIGINS",
    (),
    "Other origins (https://host) whose pages may write through the API from a browser.",
)
DOCS = Setting(
    "FLASK_PEEWEE_REST_DOCS",
    False,
    "True serves the interactive API reference (Swagger UI) at <prefix>/docs/; read by init_app.",
)

RATE_LIMITS = Setting(
    "FLASK_PEEWEE_REST_RATE_LIMITS",
    None,
    'Default rate limits of every resource, per method: {"POST": "30/minute", "GET": "600/minute"}.',
)
RATE_LIMIT_KEY = Setting(
    "FLASK_PEEWEE_REST_RATE_LIMIT_KEY", "user", 'Who a rate limit counts: "user", "token" or "address".'
)
RATE_LIMIT_BACKEND = Setting(
    "FLASK_PEEWEE_REST_RATE_LIMIT_BACKEND", "database", 'Where the rate-limit counters live: "database" or "redis".'
)
RATE_LIMIT_REDIS_URL = Setting(
    "FLASK_PEEWEE_REST_RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis server of the redis backend."
)
RATE_LIMIT_REDIS_PREFIX = Setting(
    "FLASK_PEEWEE_REST_RATE_LIMIT_REDIS_PREFIX", "fp:rate-limit:", "Prefix of the rate-limit keys in Redis."
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (
    MAX_BODY_SIZE,
    TRUSTED_ORIGINS,
    DOCS,
    RATE_LIMITS,
    RATE_LIMIT_KEY,
    RATE_LIMIT_BACKEND,
    RATE_LIMIT_REDIS_URL,
    RATE_LIMIT_REDIS_PREFIX,
)
