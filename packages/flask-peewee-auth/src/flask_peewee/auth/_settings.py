"""The configuration keys flask-peewee-auth reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = [
    "FRESH_LOGIN_AGE",
    "REMEMBER_ME",
    "REMEMBER_ME_COOKIE_NAME",
    "REMEMBER_ME_DURATION",
    "SESSIONS_PAGE",
    "SETTINGS",
    "THROTTLE_ACCOUNT_LIMIT",
    "THROTTLE_ADDRESS_LIMIT",
    "THROTTLE_BACKEND",
    "THROTTLE_ENABLED",
    "THROTTLE_REDIS_URL",
    "THROTTLE_USERNAME_LIMIT",
    "THROTTLE_WINDOW",
    "TRUSTED_ORIGINS",
]

THROTTLE_ENABLED = Setting("FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED", True, "False turns login throttling off.")
THROTTLE_USERNAME_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT", 10, "Failed attempts per username from one address per window."
)
THROTTLE_ADDRESS_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_ADDRESS_LIMIT", 20, "Failed attempts per client address per window."
)
THROTTLE_ACCOUNT_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_ACCOUNT_LIMIT", 100, "Failed attempts per username from all addresses per window."
)
THROTTLE_WINDOW = Setting("FLASK_PEEWEE_LOGIN_THROTTLE_WINDOW", 900, "Throttle window length in seconds.")
THROTTLE_BACKEND = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND", "database", 'Where the counters live: "database" or "redis".'
)
THROTTLE_REDIS_URL = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis server of the redis backend."
)
TRUSTED_ORIGINS = Setting(
    "FLASK_PEEWEE_TRUSTED_ORIGINS", (), "Other origins (https://host) allowed to POST to the auth views."
)
FRESH_LOGIN_AGE = Setting(
    "FLASK_PEEWEE_FRESH_LOGIN_AGE", 900, "Seconds a login counts as fresh for fresh_login_required."
)
REMEMBER_ME = Setting("FLASK_PEEWEE_REMEMBER_ME", False, "True adds a Remember me box to the login form.")
REMEMBER_ME_DURATION = Setting(
    "FLASK_PEEWEE_REMEMBER_ME_DURATION", 30 * 24 * 3600, "Lifetime of a remember-me cookie, in seconds."
)
REMEMBER_ME_COOKIE_NAME = Setting(
    "FLASK_PEEWEE_REMEMBER_ME_COOKIE_NAME", "fp_remember", "Name of the remember-me cookie."
)
SESSIONS_PAGE = Setting(
    "FLASK_PEEWEE_AUTH_SESSIONS_PAGE", False, "True adds the Your sessions page (/accounts/sessions/)."
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (
    THROTTLE_ENABLED,
    THROTTLE_USERNAME_LIMIT,
    THROTTLE_ADDRESS_LIMIT,
    THROTTLE_ACCOUNT_LIMIT,
    THROTTLE_WINDOW,
    THROTTLE_BACKEND,
    THROTTLE_REDIS_URL,
    TRUSTED_ORIGINS,
    FRESH_LOGIN_AGE,
    REMEMBER_ME,
    REMEMBER_ME_DURATION,
    REMEMBER_ME_COOKIE_NAME,
    SESSIONS_PAGE,
)
