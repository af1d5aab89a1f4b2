"""The admin's use of the auth layer's audit log: recording writes and browsing the history."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import peewee
from flask import abort, current_app, has_app_context, render_template, request

from flask_peewee.admin._i18n import gettext
from flask_peewee.auth import object_changed, object_created, object_deleted, password_changed, user_created
from flask_peewee.utils import ConversionError, PaginatedQuery, parse_value, serialize_value

if TYPE_CHECKING:
    from flask_peewee.auth import AuditLog, Auth

__all__ = [
    "AuditViews",
    "audit_log_of",
    "delete_with_audit",
    "describe_changes",
    "record",
    "send_deleted",
    "send_saved",
    "snapshot",
]

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


def _send(signal: Any, **kwargs: Any) -> None:
    if signal.receivers and has_app_context():
        signal.send(cast(Any, current_app)._get_current_object(), **kwargs)


def send_saved(auth: Auth, instance: peewee.Model, *, adding: bool, entry: Any, old_password: Any) -> None:
    """After the save's transaction committed: ``object_created``/``object_changed``, and for a user
    ``user_created`` (added) or ``password_changed`` (its stored hash differs from ``old_password``)."""
    user = auth.get_logged_in_user()
    signal = object_created if adding else object_changed
    _send(signal, object=instance, model=type(instance), user=user, source=SOURCE, entry=entry)
    if type(instance) is not auth.User:
        return
    if adding:
        _send(user_created, user=instance, source=SOURCE)
    elif getattr(instance, "password", None) != old_password:
        _send(password_changed, user=instance, source=SOURCE)


def send_deleted(auth: Auth, objects: Iterable[peewee.Model]) -> None:
    """After the delete's transaction committed: ``object_deleted`` for each object deleted."""
    if not object_deleted.receivers:
        return
    user = auth.get_logged_in_user()
    for instance in objects:
        _send(object_deleted, object=instance, model=type(instance), user=user, source=SOURCE, entry=None)


def _related_model(model: type[peewee.Model] | None, name: str) -> type[peewee.Model] | None:
    """The model a foreign key or many-to-many field ``name`` of ``model`` points at (None for other fields)."""
    if model is None:
        return None
    field = model._meta.fields.get(name)
    if isinstance(field, peewee.ForeignKeyField):
        return field.rel_model
    many = model._meta.manytomany.get(name)
    return many.rel_model if many is not None else None


def _key_field(model: type[peewee.Model]) -> peewee.Field | None:
    primary = model._meta.primary_key
    return primary if isinstance(primary, peewee.Field) and not isinstance(primary, peewee.CompositeKey) else None


def describe_changes(
    entries: Iterable[Any], models: Mapping[str, type[peewee.Model]]
) -> dict[Any, list[tuple[str, str | None, str | None]]]:
    """``{entry id: [(field, old, new), ...]}`` as the history shows them: related objects by name and id.

    A foreign key or many-to-many value (stored as ids) reads ``alice (#2)``, or ``#3 (deleted)``
    when the row is gone; ``models`` maps an entry's ``model`` label to its model class. One
    query per related model for all the ``entries``. A NULL reads as a dash; ``old`` and ``new``
    are None for a recorded change that is not a pair (shown as "changed").
    """
    rows = [(entry, model_of, entry.get_changes()) for entry in entries for model_of in [models.get(entry.model)]]
    wanted: dict[type[peewee.Model], set[Any]] = {}
    for _entry, model, changes in rows:
        for name, change in changes.items():
            related = _related_model(model, name)
            if related is None or _key_field(related) is None or not isinstance(change, list):
                continue
            for value in change:
                for one in value if isinstance(value, list) else [value]:
                    if one is not None and not isinstance(one, (dict, list, bool)):
                        wanted.setdefault(related, set()).add(one)
    names: dict[tuple[type[peewee.Model], str], str] = {}
    for related, values in wanted.items():
        key = _key_field(related)
        assert key is not None
        keys = []
        for value in values:
            try:
                keys.append(parse_value(key, value))
            except ConversionError:
                continue
        for obj in related.select().where(key.in_(keys)) if keys else ():
            names[related, str(serialize_value(key, getattr(obj, key.name)))] = str(obj)

    def show(related: type[peewee.Model] | None, value: Any) -> str:
        if value is None:
            return "\u2014"
        if related is None or isinstance(value, (dict, bool)):
            return str(value)
        if isinstance(value, list):
            return ", ".join(show(related, one) for one in value) if value else "\u2014"
        name = names.get((related, str(value)))
        return f"{name} (#{value})" if name is not None else f"#{value} (deleted)"

    result: dict[Any, list[tuple[str, str | None, str | None]]] = {}
    for entry, model, changes in rows:
        described: list[tuple[str, str | None, str | None]] = []
        for name, change in changes.items():
            if isinstance(change, list) and len(change) == 2:
                related = _related_model(model, name) if model is not None else None
                if related is not None and _key_field(related) is None:
                    related = None
                described.append((name, show(related, change[0]), show(related, change[1])))
            else:
                described.append((name, None, None))
        result[entry.get_id()] = described
    return result


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
            error = gettext("Invalid filter: %(reason)s", reason=exc)
            pk = username = None
        query = audit.query(model=model, pk=pk, action=action)
        if username:
            query = query.where(entry_model.username == username)
        if error:
            query = query.where(peewee.SQL("1 = 0"))
        pagination = PaginatedQuery(query, self.audit_paginate_by)
        if pagination.is_out_of_range():
            abort(404)
        entries = list(pagination.get_list())
        return render_template(
            "admin/audit_log.html",
            audit_available=True,  # the templates' name; every Auth has its audit log
            entries=entries,
            described=describe_changes(entries, {table: ma.model for table, ma in models.items()}),
            pagination=pagination,
            selected=selected,
            audit_models=models,
            filter_error=error,
        )
