"""Many-to-many fields (peewee's ``ManyToManyField``): read as lists of related ids, written from such lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.auth import set_links
from flask_peewee.db.typed import tuple_rows
from flask_peewee.rest._writes import find_auth
from flask_peewee.utils import (
    ConversionError,
    DataError,
    ManyToManyEnds,
    get_sensitive_fields,
    many_to_many_ends,
    parse_value,
    serialize_value,
)

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = [
    "load_many_to_many",
    "many_to_many_fields",
    "parse_many_to_many",
    "write_many_to_many",
]


def _ends(field: Any) -> ManyToManyEnds | None:
    try:
        return many_to_many_ends(field)
    except ValueError:  # a through model without the keys to tell its ends: not served
        return None


def many_to_many_fields(resource: RestResource) -> dict[str, Any]:
    """The many-to-many fields ``resource`` serializes (declared on its model, selected, not secret)."""
    model = resource.model
    sensitive = get_sensitive_fields(model)
    result = {}
    for name, field in model._meta.manytomany.items():
        if getattr(field, "_is_backref", False) or name in sensitive or _ends(field) is None:
            continue
        if resource.fields is not None and name not in resource.fields:
            continue
        if name in (resource.exclude or ()):
            continue
        result[name] = field
    return result


def load_many_to_many(resource: RestResource, objects: list[peewee.Model]) -> dict[Any, dict[str, list[Any]]]:
    """``{pk: {field: [related ids]}}`` for a page of objects: one query per many-to-many field."""
    fields = many_to_many_fields(resource)
    result: dict[Any, dict[str, list[Any]]] = {obj.get_id(): {} for obj in objects}
    if not fields or not objects:
        return result
    for name, field in fields.items():
        ends = _ends(field)
        assert ends is not None
        through, source, target = ends
        links: dict[Any, list[Any]] = defaultdict(list)
        query = through.select(source, target).where(source.in_(list(result))).order_by(target)
        for source_id, target_id in tuple_rows(query):
            links[source_id].append(serialize_value(target.rel_field, target_id))
        for pk, extra in result.items():
            extra[name] = links.get(pk, [])
    return result


def parse_many_to_many(resource: RestResource, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Validate the many-to-many lists in ``data``: each a list of existing related ids (422 otherwise)."""
    relations: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    read_only = resource.get_read_only_fields()
    for name, field in many_to_many_fields(resource).items():
        if name not in data or name in read_only:
            continue
        raw = data[name]
        if not isinstance(raw, list):
            errors[name] = "expected a list of ids"
            continue
        ends = _ends(field)
        assert ends is not None
        target_key = ends.target.rel_field  # the related primary key (or the field the link stores)
        try:
            parsed = [parse_value(target_key, value) for value in raw]
        except ConversionError as exc:
            errors[name] = f"expected a list of ids: {exc}"
            continue
        if not parsed:
            relations[name] = []
            continue
        ids = list(dict.fromkeys(parsed))
        found = {row[0] for row in field.rel_model.select(target_key).where(target_key.in_(ids)).tuples()}
        missing = [value for value in ids if value not in found]
        if missing:
            errors[name] = f"no {field.rel_model.__name__} with id {serialize_value(target_key, missing[0])}"
            continue
        relations[name] = ids
    if errors:
        raise DataError(errors)
    return relations


def write_many_to_many(resource: RestResource, instance: peewee.Model, relations: Mapping[str, list[Any]]) -> None:
    """Make the links of ``instance`` for each field in ``relations`` exactly those ids (in the write's transaction).

    Through the auth layer's ``set_links``: links already there are left alone, only those
    removed or added are written, and with an ``Auth`` each one is an audit entry ("delete" or
    "add" on the through model, source "rest"), as the admin records them.
    """
    from flask_peewee.rest._auditing import SOURCE  # imports this module

    auth = find_auth(resource)
    audit = getattr(auth, "audit", None) if auth is not None else None
    declared = type(instance)._meta.manytomany
    for name, ids in relations.items():
        if audit is None:
            set_links(instance, declared[name], ids)
        else:
            audit.set_links(instance, declared[name], ids, source=SOURCE, user=resource.authentication.get_user())
