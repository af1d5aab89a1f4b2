"""The audit log of REST writes, through the auth layer's ``AuditLog`` (the same rules as the admin's)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, cast

import peewee
from flask import current_app, has_app_context

from flask_peewee.auth import object_changed, object_created, object_deleted
from flask_peewee.rest._m2m import many_to_many_fields
from flask_peewee.rest._writes import find_auth

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["delete_object", "record_audit", "send_written", "snapshot"]

SOURCE = "rest"


def _relation_names(resource: RestResource, relations: Collection[str] | None) -> list[str]:
    """The many-to-many fields of ``resource`` among ``relations`` (every one it serializes when None)."""
    fields = many_to_many_fields(resource)
    return list(fields) if relations is None else [name for name in relations if name in fields]


def snapshot(
    resource: RestResource, instance: peewee.Model, relations: Collection[str] | None = None
) -> dict[str, Any] | None:
    """The values of ``instance`` before a write, for the audit log (None without an ``Auth``).

    Besides the fields, it holds the current ids of the many-to-many fields named in
    ``relations`` (every one the resource serializes when None): one query per field.
    """
    auth = find_auth(resource)
    if auth is None:
        return None
    return auth.audit.snapshot(instance, many_to_many=_relation_names(resource, relations))


def record_audit(
    resource: RestResource,
    action: str,
    instance: peewee.Model,
    before: Any = None,
    relations: Collection[str] | None = None,
) -> Any:
    """Write the audit entry of a REST write (inside the write's transaction); the entry, or None.

    The ids of the many-to-many fields in ``relations`` (those the write set) appear in the
    entry beside the fields.
    """
    auth = find_auth(resource)
    if auth is None:
        return None
    names = _relation_names(resource, relations or ())
    user = resource.authentication.get_user()
    return auth.audit.record(action, instance, before=before, source=SOURCE, user=user, many_to_many=names)


_SIGNALS = {"add": object_created, "change": object_changed, "delete": object_deleted}


def send_written(resource: RestResource, action: str, instance: peewee.Model, entry: Any = None) -> None:
    """After the write's transaction committed: ``object_created``, ``object_changed`` or ``object_deleted``."""
    signal = _SIGNALS[action]
    if not signal.receivers or not has_app_context():
        return
    user = resource.authentication.get_user()
    app = cast(Any, current_app)._get_current_object()
    signal.send(app, object=instance, model=type(instance), user=user, source=SOURCE, entry=entry)


def delete_object(resource: RestResource, obj: peewee.Model, recursive: bool) -> int:
    """Delete ``obj`` (and, when ``recursive``, the rows depending on it) with one audit entry per row.

    The auth layer's ``AuditLog.delete``: rows pointing at ``obj`` through a nullable foreign
    key get NULL there (a change), the others are deleted (a delete, many-to-many link rows
    included), deepest first; the entry of ``obj`` holds the many-to-many ids the resource
    serializes. Without an ``Auth`` it is peewee's ``delete_instance``. Run it inside the
    write's transaction.
    """
    auth = find_auth(resource)
    if auth is None:
        return obj.delete_instance(recursive=recursive)
    return auth.audit.delete(
        obj,
        recursive=recursive,
        many_to_many=_relation_names(resource, None),
        source=SOURCE,
        user=resource.authentication.get_user(),
    )
