"""The admin's use of the auth layer's audit log: recording writes and browsing the history."""

from __future__ import annotations

from typing import Any

import peewee
from flask import abort, render_template, request

from flask_peewee.utils import PaginatedQuery

__all__ = ["AuditViews", "audit_log_of", "delete_with_audit", "record", "snapshot"]

SOURCE = "admin"


def audit_log_of(auth: Any) -> Any:
    """The auth layer's ``AuditLog`` helper, or None when this flask-peewee-auth has none."""
    return getattr(auth, "audit", None)


def snapshot(auth: Any, instance: peewee.Model) -> dict[str, Any] | None:
    """The values of ``instance`` before a change (None without an audit log)."""
    audit = audit_log_of(auth)
    return audit.snapshot(instance) if audit is not None else None


def record(auth: Any, action: str, instance: peewee.Model, before: dict[str, Any] | None = None) -> Any:
    """Record an admin write of ``instance`` in the audit log (inside the caller's transaction)."""
    audit = audit_log_of(auth)
    if audit is None:
        return None
    return audit.record(action, instance, before=before, source=SOURCE)


def delete_with_audit(auth: Any, instance: peewee.Model, *, recursive: bool) -> bool:
    """Delete ``instance`` (and, when ``recursive``, what depends on it) with one audit entry per row written.

    Run it inside the caller's transaction. It follows peewee's ``delete_instance(recursive=True)``:
    rows whose foreign key is nullable are unlinked (recorded as a "change" of that key), the
    others deleted (recorded as "delete"). Dependents are read in batches just before their
    statement runs, so memory stays flat. Returns False when ``instance`` was already gone
    (deleted as a dependent of an object deleted before it): nothing is recorded twice.
    """
    audit = audit_log_of(auth)
    if recursive:
        for condition, fk in instance.dependencies(exclude_null_children=True):
            model = fk.model
            if audit is not None:
                for row in model.select().where(condition).iterator():
                    if fk.null:
                        before = audit.snapshot(row)
                        setattr(row, fk.name, None)
                        audit.record("change", row, before=before, source=SOURCE)
                    else:
                        audit.record("delete", row, source=SOURCE)
            if fk.null:
                model.update(**{fk.name: None}).where(condition).execute()
            else:
                model.delete().where(condition).execute()
    before = snapshot(auth, instance)
    if instance.delete_instance() == 0:  # the model's own delete_instance (an override) still runs
        return False
    record(auth, "delete", instance, before)
    return True


class AuditViews:
    """The browsable audit log of the :class:`~flask_peewee.admin.Admin` (users with full admin permission)."""

    auth: Any
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
        entries: list[Any] = []
        pagination = None
        models = {ma.model._meta.table_name: ma for ma in self.get_model_admins()}
        selected = {key: request.args.get(key, "").strip() for key in ("model", "user", "action", "pk")}
        if audit is not None:
            model = models[selected["model"]].model if selected["model"] in models else None
            action = selected["action"] if selected["action"] in ("add", "change", "delete") else None
            query = audit.query(model=model, pk=selected["pk"] or None, action=action)
            if selected["user"]:
                entry_model = query.model
                query = query.where(entry_model.username == selected["user"])
            pagination = PaginatedQuery(query, self.audit_paginate_by)
            if pagination.is_out_of_range():
                abort(404)
            entries = pagination.get_list()
        return render_template(
            "admin/audit_log.html",
            audit_available=audit is not None,
            entries=entries,
            pagination=pagination,
            selected=selected,
            audit_models=models,
        )
