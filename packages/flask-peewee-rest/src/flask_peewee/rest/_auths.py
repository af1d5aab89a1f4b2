"""The app's Auth when it has exactly one: what rest falls back to when none was given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_peewee.auth import Auth, get_auth
from flask_peewee.db import ImproperlyConfigured

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["only_auth"]


def only_auth(app: Flask | None = None) -> Auth | None:
    """The only :class:`~flask_peewee.auth.Auth` of ``app`` (the current app), else None."""
    try:
        return get_auth(app)
    except ImproperlyConfigured:
        return None
