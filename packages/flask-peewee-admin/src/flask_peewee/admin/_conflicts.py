"""Database refusals of a save, said in words: which field conflicts with which existing row.

To move to flask-peewee-utils (the REST API has the same logic in ``rest/_writes.py``).
"""

from __future__ import annotations

from typing import Any

import peewee

__all__ = ["explain_refusal", "unique_conflicts"]


def _unique_groups(model: type[peewee.Model]) -> list[tuple[peewee.Field, ...]]:
    meta = model._meta
    groups: list[tuple[peewee.Field, ...]] = [(field,) for field in meta.sorted_fields if field.unique]
    for index in meta.indexes:
        if isinstance(index, (tuple, list)) and len(index) == 2 and index[1]:
            names = index[0] if isinstance(index[0], (tuple, list)) else (index[0],)
            fields = tuple(meta.fields[name] for name in names if name in meta.fields)
            if fields and len(fields) == len(names):
                groups.append(fields)
    return groups


def unique_conflicts(instance: peewee.Model) -> list[tuple[peewee.Field, ...]]:
    """The unique fields (or unique index groups) whose values another row of the table already holds."""
    model = type(instance)
    primary = model._meta.primary_key
    pk_value = instance.get_id() if not isinstance(primary, peewee.CompositeKey) else None
    found = []
    for group in _unique_groups(model):
        values = [instance.__data__.get(field.name) for field in group]
        if any(value is None for value in values):
            continue
        query = model.select().where(*(field == value for field, value in zip(group, values, strict=True)))
        if pk_value is not None:
            query = query.where(primary != pk_value)
        try:
            if query.exists():
                found.append(group)
        except peewee.DatabaseError:
            continue
    return found


def explain_refusal(
    instance: peewee.Model, exc: Exception, model_name: str, label: Any
) -> tuple[dict[str, str], str | None]:
    """``(field errors, form error)`` for a save the database refused with ``exc`` (never its driver text).

    ``label(field)`` is a field's readable name. An error the app raised itself with a text
    (peewee wraps driver errors with the driver's exception as first argument) keeps its text.
    """
    own_text = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else None
    if isinstance(exc, peewee.IntegrityError):
        errors: dict[str, str] = {}
        for group in unique_conflicts(instance):
            names = " and ".join(str(label(field)).lower() for field in group)
            message = f"A {model_name.lower()} with this {names} already exists."
            for field in group:
                errors[field.name] = message
        if errors:
            return errors, None
        primary = type(instance)._meta.primary_key
        missing = [
            f
            for f in type(instance)._meta.sorted_fields
            if not f.null
            and instance.__data__.get(f.name) is None
            and not (f is primary and isinstance(f, peewee.AutoField))
        ]
        if missing:
            return {f.name: "This field is required." for f in missing}, None
    if own_text:
        return {}, f"Could not save: {own_text}"
    if isinstance(exc, peewee.IntegrityError):
        return {}, "Could not save: the values break a rule of the database (a reference or a check)."
    return {}, "Could not save: a value does not fit its column."
