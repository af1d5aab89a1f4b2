"""Utilities for flask-peewee: pagination, lookups, slugs, safe redirects, passwords and the query toolkit."""

from __future__ import annotations

from flask_peewee.utils.__about__ import __version__
from flask_peewee.utils._pagination import PaginatedQuery, object_list
from flask_peewee.utils._passwords import (
    check_password,
    dummy_verify,
    get_password_context,
    make_password,
    needs_rehash,
)
from flask_peewee.utils._shortcuts import get_object_or_404, slugify
from flask_peewee.utils._urls import get_next, is_safe_url, safe_next_url

__all__ = [
    "PaginatedQuery",
    "__version__",
    "check_password",
    "dummy_verify",
    "get_next",
    "get_object_or_404",
    "get_password_context",
    "is_safe_url",
    "make_password",
    "needs_rehash",
    "object_list",
    "safe_next_url",
    "slugify",
]
