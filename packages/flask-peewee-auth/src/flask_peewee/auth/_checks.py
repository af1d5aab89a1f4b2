"""What auth adds to ``flask fp check``: login throttling switched off, and models with undeclared secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_peewee.auth._settings import THROTTLE_ENABLED
from flask_peewee.db import checks
from flask_peewee.db.checks import WARNING, Finding
from flask_peewee.utils.internal import check_secret_like_fields

__all__ = ["register_checks"]


def _throttle(app: Any) -> Iterator[Finding]:
    if not THROTTLE_ENABLED.get(app.config):
        yield Finding(
            WARNING,
            "login-throttle",
            "login throttling is off (FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED = False): passwords can be guessed "
            "without limit",
            "remove FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED or set it to True",
        )


def register_checks(app: Any) -> None:
    """Add auth's checks to ``flask fp check`` on ``app``."""
    checks.register(app, _throttle)
    checks.register(app, check_secret_like_fields)
