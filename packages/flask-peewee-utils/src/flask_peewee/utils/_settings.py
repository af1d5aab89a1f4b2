"""The configuration keys flask-peewee-utils reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = ["PASSWORD_SCHEMES", "SETTINGS"]

PASSWORD_SCHEMES = Setting(
    "FLASK_PEEWEE_PASSWORD_SCHEMES",
    ("argon2",),
    "passlib schemes (a list or comma-separated string); the first hashes new passwords.",
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (PASSWORD_SCHEMES,)
