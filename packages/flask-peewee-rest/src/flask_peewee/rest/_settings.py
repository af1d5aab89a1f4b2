"""The configuration keys flask-peewee-rest reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = ["DOCS", "MAX_BODY_SIZE", "SETTINGS", "TRUSTED_ORIGINS"]

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

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (MAX_BODY_SIZE, TRUSTED_ORIGINS, DOCS)
