"""The admin's use of the auth layer's audit log: recording writes and browsing the history."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import peewee
from flask import abort, render_template, request

from flask_peewee.utils import ConversionError, PaginatedQuery, parse_value

if TYPE_CHECKING:
    from flask_peewee.auth import AuditLog, Auth

__all__ = ["AuditViews", "audit_log_of", "delete_with_audit", "record", "snapshot"]

SOURCE = "admin"


def audit_log_of(auth: Auth) -> AuditLog:
    """The auth layer's :class:`~flask_peewee.auth.AuditLog` helper (``auth.audit``)."""
    return auth.audit


def snapshot(auth: Auth, instance: peewee.Model, many_to_many: Collection[str] = ()) -> dict[str, Any]:
    """The values of ``instance`` before a change, with its ``many_to_many`` ids."""
    return auth.audit.snapshot(instance, many_to_many=many_to_many)


def record(
    auth: Auth,
    action: str,
    instance: peewee.Model,
    before: dict[str, Any] | None = None,
    many_to_many: Collection[str] = (),
) -> Any:
    """Record an admin write of ``instance`` (with the ids of its ``many_to_many`` fields) in the audit log."""
    return auth.audit.record(action, instance, before=before, source=SOURCE, many_to_many=many_to_many)


def delete_with_audit(auth: Auth, instance: peewee.Model, *, recursive: bool) -> bool:
    """Delete ``instance`` (and, when ``recursive``, what depends on it) with one audit entry per row written.

    The auth layer's ``AuditLog.delete`` (the rule the REST API follows too): rows whose
    foreign key is nullable are unlinked (a "change" of that key), the others deleted (a
    "delete"), deepest first, and the object's entry holds its many-to-many ids. Run it inside
    the caller's transaction. Returns False when ``instance`` was already gone (deleted as a
    dependent of an object deleted before it): nothing is recorded twice.
    """
    return auth.audit.delete(instance, recursive=recursive, source=SOURCE) > 0


class AuditViews:
    """The browsable audit log of the :class:`~flask_peewee.admin.Admin` (users with full admin permission)."""

    auth: Auth
    audit_paginate_by = 50

    def check_user_permission(self, user: Any) -> bool:  # pragma: no cover - defined on Admin
        raise NotImplementedError

    def get_model_admins(self) -> list[Any]:  # pragma: no cover - defined on Admin
        raise NotImplementedError

    def audit_log(self) -> str:
        """Every recorded write, newest first, filterable by ``model``, ``user``, ``action`` and ``pk``."""
        user = self.auth.get_logged_in_user()
        if not self.check_user_permission(user):
            abort(403)
        audit = audit_log_of(self.auth)
        models = {ma.model._meta.table_name: ma for ma in self.get_model_admins()}
        selected = {key: request.args.get(key, "").strip() for key in ("model", "user", "action", "pk")}
        error = None
        model = models[selected["model"]].model if selected["model"] in models else None
        action = selected["action"] if selected["action"] in ("add", "change", "delete") else None
        entry_model = audit.model
        try:  # typed like every other filter: text no column holds (NUL) is an error, not a query
            pk = parse_value(entry_model.object_pk, selected["pk"]) if selected["pk"] else None
            username = parse_value(entry_model.username, selected["user"]) if selected["user"] else None
        except ConversionError as exc:
            error = f"Invalid filter: {exc}"
            pk = username = None
        query = audit.query(model=model, pk=pk, action=action)
        if username:
            query = query.where(entry_model.username == username)
        if error:
            query = query.where(peewee.SQL("1 = 0"))
        pagination = PaginatedQuery(query, self.audit_paginate_by)
        if pagination.is_out_of_range():
            abort(404)
        entries = pagination.get_list()
        return render_template(
            "admin/audit_log.html",
            audit_available=True,  # the templates' name; every Auth has its audit log
            entries=entries,
            pagination=pagination,
            selected=selected,
            audit_models=models,
            filter_error=error,
        )
