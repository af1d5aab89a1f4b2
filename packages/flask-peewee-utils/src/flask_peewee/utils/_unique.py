"""Which unique constraint a refused save broke, named by its fields (never the driver's text)."""

from __future__ import annotations

import peewee

__all__ = ["unique_violation"]


def _unique_groups(model: type[peewee.Model]) -> list[tuple[peewee.Field, ...]]:
    """The unique fields of ``model`` (one per group), then the field groups of its unique indexes."""
    meta = model._meta
    groups: list[tuple[peewee.Field, ...]] = [(field,) for field in meta.sorted_fields if field.unique]
    for index in meta.indexes:
        if isinstance(index, (tuple, list)) and len(index) == 2 and index[1]:
            names = index[0] if isinstance(index[0], (tuple, list)) else (index[0],)
            fields = tuple(meta.fields[name] for name in names if name in meta.fields)
            if fields and len(fields) == len(names):
                groups.append(fields)
    return groups


def unique_violation(instance: peewee.Model, exc: BaseException | None = None) -> list[tuple[str, ...]]:
    """The unique constraints ``instance`` breaks: for each, the names of its fields.

    Call it after a save of ``instance`` failed with ``exc`` (and its transaction was rolled
    back). Each unique field, and each unique index of ``Meta.indexes``, whose values another
    row of the table already holds gives one tuple: ``[("username",)]``, ``[("slug", "site")]``.
    Fields left None are never a conflict; the row of ``instance`` itself (same primary key)
    does not count. An ``exc`` that is not an :class:`peewee.IntegrityError` gives ``[]``, as
    does a violation of some other rule (a foreign key, a CHECK, NOT NULL).
    """
    if exc is not None and not isinstance(exc, peewee.IntegrityError):
        return []
    model = type(instance)
    primary = model._meta.primary_key
    pk_value = None if isinstance(primary, peewee.CompositeKey) else instance.get_id()
    found: list[tuple[str, ...]] = []
    for group in _unique_groups(model):
        values = [instance.__data__.get(field.name) for field in group]
        if any(value is None for value in values):
            continue
        query = model.select().where(*(field == value for field, value in zip(group, values, strict=True)))
        if pk_value is not None:
            query = query.where(primary != pk_value)
        try:
            taken = query.exists()
        except peewee.DatabaseError:  # a value the column cannot even be compared with
            continue
        if taken:
            found.append(tuple(field.name for field in group))
    return found
