"""Related rows for a page of the list, fetched in one query per foreign key (never one per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee

__all__ = ["load_related", "related_paths"]


def related_paths(model: type[peewee.Model], names: Iterable[str]) -> list[str]:
    """The ``__`` paths among ``names`` that follow foreign keys of ``model`` all the way (others dropped)."""
    result: list[str] = []
    for name in names:
        if not isinstance(name, str):
            continue
        current = model
        for part in name.split("__"):
            field = current._meta.fields.get(part)
            if not isinstance(field, peewee.ForeignKeyField):
                break
            current = field.rel_model
        else:
            if name not in result:
                result.append(name)
    return result


def _load_one(objects: Sequence[peewee.Model], field: peewee.ForeignKeyField) -> list[peewee.Model]:
    """Attach the rows ``field`` points at to ``objects`` with one SELECT; returns the related rows."""
    keys = {obj.__data__.get(field.name) for obj in objects if field.name not in obj.__rel__}
    keys.discard(None)
    if not keys:
        return [obj.__rel__[field.name] for obj in objects if obj.__rel__.get(field.name) is not None]
    target = field.rel_field
    rows = {getattr(row, target.name): row for row in field.rel_model.select().where(target.in_(list(keys)))}
    related = []
    for obj in objects:
        if field.name in obj.__rel__:
            value = obj.__rel__[field.name]
        else:
            value = rows.get(obj.__data__.get(field.name))
            if value is None:
                continue  # no key, or a dangling one: peewee's own access decides what to show
            obj.__rel__[field.name] = value
        if value is not None:
            related.append(value)
    return related


def load_related(objects: Sequence[peewee.Model], paths: Iterable[str]) -> None:
    """Fill the foreign keys named by ``paths`` (``user``, ``user__group``) on ``objects``.

    Each foreign key on a path costs one ``SELECT ... WHERE key IN (...)`` for the whole
    page, so rendering a list shows related objects without a query per row. Rows are
    read from the related model itself, as accessing the attribute would.
    """
    if not objects:
        return
    loaded: dict[tuple[str, ...], list[peewee.Model]] = {(): list(objects)}
    for path in paths:
        parts = path.split("__")
        for depth in range(1, len(parts) + 1):
            key = tuple(parts[:depth])
            if key in loaded:
                continue
            parents = loaded[key[:-1]]
            if not parents:
                loaded[key] = []
                continue
            field = type(parents[0])._meta.fields[key[-1]]
            loaded[key] = _load_one(parents, field)
