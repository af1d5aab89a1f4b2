"""Nested writes: objects under ``include_resources`` keys of a body, written through the child resource.

The original flask-peewee wrote such objects from ``save_related_objects``. Here each one is
judged by the child resource exactly as a direct write to it would be: its ``check_put``
(the related row exists) or ``check_post`` (a new row), the authentication of the resource the
API serves that model with (when it is another), the auth permission policy, its
read-only fields (scrubbed at every level) and the model's sensitive fields (never written
from a body). It all happens inside the parent's write transaction, so a refusal
(``RestForbidden``, 403) or an error anywhere rolls the whole write back.

What a nested object means:

- without the child's primary key: on an edit, changes to the row the parent points at
  (a new row when it points at none); on a create, a new row;
- holding only the primary key, or a key other than the row the parent points at: a
  reference to that row by its id (its other keys are ignored, never written);
- holding the primary key of the row the parent points at, with other keys: changes to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import peewee
from flask import g

from flask_peewee.db.typed import dirty_names, primary_key
from flask_peewee.rest._auditing import record_audit, snapshot
from flask_peewee.rest._errors import ApiError, RestForbidden
from flask_peewee.rest._writes import check_permission, reload_stored, write_transaction
from flask_peewee.utils import DataError

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["CREATING", "nested_write_keys", "remember_nested_writes", "write_nested_objects"]

#: set on a new instance so that ``save_object`` INSERTs it
CREATING = "_flask_peewee_rest_creating"
_KEYS = "_flask_peewee_rest_nested_writes"


def _target(resource: RestResource, name: str) -> peewee.Field:
    """The field of the related model that the foreign key ``name`` of ``resource`` holds."""
    return resource.model._meta.fields[name].rel_field


def _same_key(given: Any, current: Any) -> bool:
    return current is not None and str(given) == str(current)


def nested_write_keys(resource: RestResource, instance: peewee.Model, data: Mapping[str, Any]) -> set[str]:
    """The keys of ``data`` (already scrubbed) holding an object to write through a nested resource.

    None when :attr:`~RestResource.nested_writes` is false; a nested object that only names a
    row by its id (see the module's docstring) is a reference, not a write.
    """
    if not resource.nested_writes or not isinstance(data, Mapping):
        return set()
    keys = set()
    for name, child in resource.nested_resources.items():
        value = data.get(name)
        if not isinstance(value, Mapping) or isinstance(child.pk, peewee.CompositeKey):
            continue
        key_name = _target(resource, name).name  # the related key: the primary key, or the FK's to_field
        if key_name in value and value[key_name] is not None:
            others = [key for key in value if key != key_name]
            if not others or not _same_key(value[key_name], instance.__data__.get(name)):
                continue  # a reference by id
        keys.add(name)
    return keys


def remember_nested_writes(instance: peewee.Model, keys: set[str]) -> peewee.Model:
    """Keep on ``instance`` the nested-write keys found before the body was written into it."""
    instance.__dict__[_KEYS] = set(keys)
    return instance


def write_nested_objects(resource: RestResource, instance: peewee.Model, data: Mapping[str, Any]) -> None:
    """Write the nested objects of ``data`` through ``resource``'s nested resources and point ``instance`` at them.

    Runs inside the parent's write transaction. Raises ``RestForbidden`` when a child's
    ``check_put``/``check_post`` or the permission policy refuses, ``DataError`` (422, fields
    named ``user.username``) when an object is invalid.
    """
    if not isinstance(data, Mapping) or not resource.nested_writes or not resource.nested_resources:
        return
    data = resource.scrub_readonly_fields(data)
    read_only = resource.get_read_only_fields()
    keys = instance.__dict__.pop(_KEYS, None)
    if keys is None:  # deserialized by an override: a key the body set (a reference by id) is no write
        keys = nested_write_keys(resource, instance, data) - dirty_names(instance)
    for name in sorted(keys & nested_write_keys(resource, instance, data)):
        if name in read_only:
            continue
        try:
            related = _write_one(resource, name, instance.__data__.get(name), data[name])
        except DataError as exc:
            raise DataError({f"{name}.{field}": message for field, message in exc.errors.items()}) from None
        except ApiError as exc:
            errors = exc.extra.get("errors")
            if isinstance(errors, Mapping):
                exc.extra["errors"] = {f"{name}.{field}": message for field, message in errors.items()}
            raise
        setattr(instance, name, related)


_REQUEST_STATE = ("user", "api_key", "api_token")


def _registered_lets_through(resource: RestResource, child: RestResource, creating: bool) -> bool:
    """Whether the resource the API serves ``child``'s model with would take this write directly.

    A nested write needs what a direct write to that model needs: the method (PUT for a change,
    POST for a new row) among its allowed ones, and its authentication: a user model served
    with ``AdminAuthentication`` is written through a nested object only by an admin.
    ``g.user`` and the other request state the check sets are kept as they were.
    """
    registered = resource.api.get_resource(child.model) if resource.api is not None else None
    if registered is None:
        return True
    if ("POST" if creating else "PUT") not in registered.get_allowed_methods(detail=not creating):
        return False
    if registered.authentication is resource.authentication:
        return True
    missing = object()
    saved = {name: g.get(name, missing) for name in _REQUEST_STATE}
    try:
        return bool(registered.authorize())
    finally:
        for name, value in saved.items():
            if value is missing:
                g.pop(name, None)
            else:
                setattr(g, name, value)


def _write_one(resource: RestResource, name: str, current: Any, value: Mapping[str, Any]) -> peewee.Model:
    child = resource.nested_resources[name]
    existing = None
    if current is not None:
        existing = child.get_query().where(_target(resource, name) == current).first()
        if existing is None:
            raise RestForbidden()  # the row the parent points at is not one the child resource exposes
    creating = existing is None
    if not _registered_lets_through(resource, child, creating):
        raise RestForbidden()
    body = {
        key: item
        for key, item in value.items()
        if key not in (primary_key(child.model).name, _target(resource, name).name)
    }
    before = snapshot(child, existing) if existing is not None else None
    obj = child.deserialize_object(body, existing if existing is not None else child.model())
    allowed = child.check_post(obj) if creating else child.check_put(obj)
    if not allowed:
        raise RestForbidden()
    check_permission(child, "add" if creating else "change")
    child.save_related_objects(obj, body)
    if creating:
        setattr(obj, CREATING, True)
    with write_transaction(child, obj):
        obj = reload_stored(child.save_object(obj, body))
        record_audit(child, "add" if creating else "change", obj, before)
    return obj
