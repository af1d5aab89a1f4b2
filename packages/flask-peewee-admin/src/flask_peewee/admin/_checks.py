"""What the admin adds to ``flask fp check``: sensitive fields named in a ModelAdmin's lists, searches or exports.

A sensitive field in a form is not an exposure: it is rendered as an empty, write-only input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask_peewee.db import checks
from flask_peewee.db.checks import Finding
from flask_peewee.utils.internal import check_secret_like_fields, sensitive_exposures

if TYPE_CHECKING:
    from flask_peewee.admin._admin import Admin

__all__ = ["register_checks"]


def _check_admins(app: Any) -> Iterator[Finding]:
    from flask_peewee.admin._admin import EXTENSION_KEY

    admins: dict[str, Admin] = app.extensions.get(EXTENSION_KEY, {})
    for admin in admins.values():
        for model_admin in admin.get_model_admins():
            yield from sensitive_exposures(
                model_admin.model,
                f"Admin {admin.name!r} {type(model_admin).__name__}",
                {
                    "columns": model_admin.columns,
                    "search_fields": model_admin.search_fields,
                    "filter_fields": model_admin.filter_fields,
                    "export_fields": model_admin.export_fields,
                },
            )


def register_checks(app: Any) -> None:
    """Add the admin's checks to ``flask fp check`` on ``app``."""
    checks.register(app, _check_admins)
    checks.register(app, check_secret_like_fields)
