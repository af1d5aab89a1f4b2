"""A REST API over peewee models for Flask apps: ``RestAPI``, ``RestResource`` and API authentication."""

from __future__ import annotations

from flask_peewee.rest.__about__ import __version__
from flask_peewee.rest._api import RestAPI
from flask_peewee.rest._authentication import (
    AdminAuthentication,
    APIKeyAuthentication,
    Authentication,
    UserAuthentication,
)
from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._owner import RestrictOwnerResource
from flask_peewee.rest._resource import RestResource

__all__ = [
    "APIKeyAuthentication",
    "AdminAuthentication",
    "ApiError",
    "Authentication",
    "RestAPI",
    "RestResource",
    "RestrictOwnerResource",
    "UserAuthentication",
    "__version__",
]
