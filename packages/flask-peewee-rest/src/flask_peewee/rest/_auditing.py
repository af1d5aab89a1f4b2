"""The audit log of REST writes: many-to-many changes in the entry of the object, one entry per cascaded row."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.rest._m2m import many_to_many_fields, related_ids, sorted_ids
from flask_peewee.rest._writes import find_auth
from flask_peewee.utils import serialize_value

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["delete_object", "record_audit", "snapshot"]

_CHUNK = 500  # primary keys per DELETE/UPDATE of cascaded rows


def _relation_values(resource: RestResource, relations: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """The JSON-ready, sorted id lists of the many-to-many fields in ``relations``."""
    fields = many_to_many_fields(resource)
    values = {}
    for name, ids in relations.items():
        target_pk = fields[name].rel_model._meta.primary_key
        values[name] = [serialize_value(target_pk, value) for value in sorted_ids(ids)]
    return values


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
    values = auth.audit.snapshot(instance)
    fields = many_to_many_fields(resource)
    names = fields if relations is None else [name for name in relations if name in fields]
    current = {name: related_ids(instance, fields[name]) for name in names}
    values.update(_relation_values(resource, current))
    return values


def _audit_with(audit: Any, extra: Mapping[str, Any]) -> Any:
    """``audit`` whose snapshots of the written object also hold ``extra`` (the many-to-many ids written).

    The auth audit log builds an entry's new values with ``snapshot()``, which sees fields only.
    """
    if not extra:
        return audit
    clone = copy.copy(audit)
    field_snapshot = audit.snapshot
    clone.snapshot = lambda instance: {**field_snapshot(instance), **extra}
    return clone


def record_audit(
    resource: RestResource,
    action: str,
    instance: peewee.Model,
    before: Any = None,
    relations: Mapping[str, list[Any]] | None = None,
) -> None:
    """Write the audit entry of a REST write (inside the write's transaction).

    ``relations`` are the many-to-many ids the write set; they appear in the entry beside the fields.
    """
    auth = find_auth(resource)
    if auth is None:
        return
    audit = _audit_with(auth.audit, _relation_values(resource, relations or {}))
    audit.record(action, instance, before=before, source="rest", user=resource.authentication.get_user())


def _in_chunks(model: type[peewee.Model], rows: list[peewee.Model], query: Any) -> list[Any]:
    """WHERE clauses naming ``rows`` by primary key (``query`` itself for a model without a single key)."""
    pk = model._meta.primary_key
    if not isinstance(pk, peewee.Field) or isinstance(pk, peewee.CompositeKey):
        return [query]
    ids = [row.get_id() for row in rows]
    return [pk.in_(ids[start : start + _CHUNK]) for start in range(0, len(ids), _CHUNK)]


def delete_object(resource: RestResource, obj: peewee.Model, recursive: bool) -> int:
    """Delete ``obj`` (and, when ``recursive``, the rows depending on it) with one audit entry per row.

    As peewee's ``delete_instance(recursive=True)``: rows pointing at ``obj`` through a nullable
    foreign key get NULL there (audited as a change), the others are deleted (audited as a
    delete), deepest first. Only the rows read (and audited) are written, by primary key, so a
    row added meanwhile makes the final delete fail rather than vanish unaudited. Run it inside
    the write's transaction; the entry of ``obj`` itself is the caller's.
    """
    auth = find_auth(resource)
    if auth is None or not recursive:
        return obj.delete_instance(recursive=recursive)
    user = resource.authentication.get_user()
    for query, fk in obj.dependencies(exclude_null_children=True):
        model = fk.model
        rows = list(model.select().where(query))
        if not rows:
            continue
        for row in rows:
            before = auth.audit.snapshot(row)
            if fk.null:
                setattr(row, fk.name, None)
                auth.audit.record("change", row, before=before, source="rest", user=user)
            else:
                auth.audit.record("delete", row, before=before, source="rest", user=user)
        for where in _in_chunks(model, rows, query):
            if fk.null:
                model.update(**{fk.name: None}).where(where).execute()
            else:
                model.delete().where(where).execute()
    return type(obj).delete().where(obj._pk_expr()).execute()
