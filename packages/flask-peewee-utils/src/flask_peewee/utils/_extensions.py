"""The ``app.extensions`` registry of the extensions that may run several named instances on one app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_peewee.db import ImproperlyConfigured

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["register_extension"]


def register_extension(app: Flask, key: str, name: str, extension: Any, *, label: str) -> None:
    """Store ``extension`` as ``app.extensions[key][name]``, refusing a second one of that ``name``.

    Several instances with distinct names share one app (two ``RestAPI`` under different
    prefixes, say). A name already taken raises :class:`~flask_peewee.db.ImproperlyConfigured`
    with ``"<label> named '<name>' is already registered on this app"``, ``label`` being the
    extension with its article (``"An Admin"``).
    """
    registry = app.extensions.setdefault(key, {})
    if name in registry:
        raise ImproperlyConfigured(f"{label} named {name!r} is already registered on this app")
    registry[name] = extension
