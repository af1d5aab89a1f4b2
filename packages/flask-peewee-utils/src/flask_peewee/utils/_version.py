"""The version of a stored row: one keyed digest shared by the admin's edit check and REST's ETag."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import peewee

from flask_peewee.db.typed import rel_field, tuple_rows
from flask_peewee.utils._m2m import many_to_many_ends
from flask_peewee.utils._signing import keyed_digest
from flask_peewee.utils._values import serialize_value

__all__ = ["object_version"]

_SALT = "flask-peewee.object-version"


def _links(instance: peewee.Model) -> dict[str, list[str]]:
    """The keys each declared many-to-many field of ``instance`` links to (one query per field)."""
    links: dict[str, list[str]] = {}
    if instance.get_id() is None:
        return links
    for field in type(instance)._meta.manytomany.values():
        if getattr(field, "_is_backref", False):
            continue
        try:
            through, source, target = many_to_many_ends(field)
        except ValueError:  # ends that cannot be told apart: such a field is served nowhere
            continue
        rows = tuple_rows(through.select(target).where(source == getattr(instance, rel_field(source).name)))
        links[field.name] = sorted(str(key) for (key,) in rows)
    return links


def object_version(instance: peewee.Model, extra: Mapping[str, Any] | None = None) -> str:
    """A keyed digest of ``instance``'s stored values: every column (foreign keys as their raw ids) and its
    many-to-many links, plus ``extra`` (any JSON-able mapping) when given.

    The admin's edit form carries it to refuse a save over someone else's change, and REST sends it
    as the ``ETag`` (quoted), so the same row has the same version in both. Keyed by the app's
    ``SECRET_KEY``: a version never lets a reader confirm a guess of a field it cannot see. Raises
    :class:`~flask_peewee.utils.MissingSecretKey` when the app has no key.
    """
    meta = type(instance)._meta
    values = {
        field.name: serialize_value(
            field.rel_field if isinstance(field, peewee.ForeignKeyField) else field, instance.__data__.get(field.name)
        )
        for field in meta.sorted_fields
    }
    payload = {"model": meta.table_name, "values": values, "links": _links(instance), "extra": dict(extra or {})}
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return keyed_digest(text, salt=_SALT)[:32]
