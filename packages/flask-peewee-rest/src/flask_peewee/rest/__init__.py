"""A REST API over peewee models for Flask apps: ``RestAPI``, ``RestResource`` and API authentication."""

from __future__ import annotations

from flask_peewee.rest.__about__ import __version__
from flask_peewee.rest._api import RestAPI
from flask_peewee.rest._authentication import (
    AdminAuthentication,
    APIKeyAuthentication,
    Authentication,
    TokenAuthentication,
    UserAuthentication,
)
from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._owner import RestrictOwnerResource
from flask_peewee.rest._resource import RestResource
from flask_peewee.rest._tokens import check_token, get_token_model, issue_token, revoke_token, revoke_tokens

__all__ = [
    "APIKeyAuthentication",
    "AdminAuthentication",
    "ApiError",
    "Authentication",
    "RestAPI",
    "RestResource",
    "RestrictOwnerResource",
    "TokenAuthentication",
    "UserAuthentication",
    "__version__",
    "check_token",
    "get_token_model",
    "issue_token",
    "revoke_token",
    "revoke_tokens",
]
