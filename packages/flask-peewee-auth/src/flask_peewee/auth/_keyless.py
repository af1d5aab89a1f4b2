"""An app without ``SECRET_KEY`` starts; a page that must sign (a login form, a login) answers a clear 503."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from flask_peewee.utils import MissingSecretKey

__all__ = ["register_missing_key_page", "require_secret_key"]

_log = logging.getLogger("flask_peewee.auth")
MESSAGE = "Service unavailable: the server has no SECRET_KEY configured, so it cannot sign sessions or forms."


def _missing_key(exc: MissingSecretKey) -> tuple[str, int, dict[str, str]]:
    _log.error("%s", exc)
    return MESSAGE, 503, {"Content-Type": "text/plain; charset=utf-8"}


def register_missing_key_page(app: Any) -> None:
    """Answer :class:`~flask_peewee.utils.MissingSecretKey` with a plain 503 page, unless the app handles it itself."""
    if MissingSecretKey not in app.error_handler_spec[None][None]:
        app.register_error_handler(MissingSecretKey, _missing_key)


def require_secret_key() -> None:
    """Before every auth view: they all keep state in the signed session, so without a key they answer the 503 page."""
    if not current_app.secret_key:
        raise MissingSecretKey("the login session")
