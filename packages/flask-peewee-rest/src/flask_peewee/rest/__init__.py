"""A REST API over peewee models for Flask apps: ``RestAPI``, ``RestResource`` and API authentication."""

from __future__ import annotations

from flask_peewee.rest.__about__ import __version__
from flask_peewee.rest._api import RestAPI
from flask_peewee.rest._authentication import (
    ALL_METHODS,
    AdminAuthentication,
    APIKeyAuthentication,
    Authentication,
    BearerAuthentication,
    TokenAuthentication,
    UserAuthentication,
    UserBearerAuthentication,
)
from flask_peewee.rest._errors import ApiError, RestForbidden
from flask_peewee.rest._owner import RestrictOwnerResource
from flask_peewee.rest._pagination import CursorPagination, PageNumberPagination, Pagination
from flask_peewee.rest._resource import RestResource
from flask_peewee.rest._tokens import check_token, get_token_model, issue_token, revoke_token, revoke_tokens

__all__ = [
    "ALL_METHODS",
    "APIKeyAuthentication",
    "AdminAuthentication",
    "ApiError",
    "Authentication",
    "BearerAuthentication",
    "CursorPagination",
    "PageNumberPagination",
    "Pagination",
    "RestAPI",
    "RestForbidden",
    "RestResource",
    "RestrictOwnerResource",
    "TokenAuthentication",
    "UserAuthentication",
    "UserBearerAuthentication",
    "__version__",
    "check_token",
    "get_token_model",
    "issue_token",
    "revoke_token",
    "revoke_tokens",
]
