"""Typed access to the parts of peewee its bundled stubs leave out.

peewee ships stubs (``peewee-stubs``) that miss a few things the packages use: ``sort_models``,
a model class's ``DoesNotExist``, an instance's primary-key value and dirty set, the related
model and field of a relation, and a few query attributes. Every such access goes through
this module, so the rest of the code is type-checked without ``# type: ignore`` comments.
Each helper does exactly what the plain attribute access does (same value, same error).
The sibling packages use it; an app's own typed code may too::

    from flask_peewee.db.typed import does_not_exist, primary_key

    try:
        note = Note.get(primary_key(Note) == pk)
    except does_not_exist(Note):
        ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, cast

import peewee

__all__ = [
    "ModelT",
    "dirty_names",
    "does_not_exist",
    "driver_module",
    "pk_expr",
    "pk_value",
    "primary_key",
    "query_order_by",
    "query_returning",
    "rel_field",
    "rel_model",
    "sort_models",
    "tuple_rows",
    "untyped",
]

ModelT = TypeVar("ModelT", bound=peewee.Model)


def untyped(obj: object) -> Any:
    """``obj`` seen as ``Any``: for attributes peewee (or a model) adds at run time."""
    return obj


def sort_models(models: Iterable[type[ModelT]]) -> list[type[ModelT]]:
    """``peewee.sort_models``: ``models`` with every model after the models it references."""
    return list(untyped(peewee).sort_models(models))


def driver_module(name: str) -> Any:
    """The driver module peewee imported for a backend (``"mysql"``, ``"psycopg2"``...), or None."""
    return getattr(peewee, name, None)


def does_not_exist(model: type[peewee.Model]) -> type[peewee.DoesNotExist]:
    """``model.DoesNotExist``: the exception ``model.get()`` raises when no row matches."""
    return cast("type[peewee.DoesNotExist]", untyped(model).DoesNotExist)


def primary_key(model: type[peewee.Model] | peewee.Model) -> peewee.Field[Any]:
    """``model._meta.primary_key``, typed as the field it is on every model the packages handle.

    The stubs also allow ``False`` (a model declared without a primary key); such a model fails
    where its key is used, exactly as it did with the attribute read directly.
    """
    return cast("peewee.Field[Any]", model._meta.primary_key)


def pk_value(instance: peewee.Model) -> Any:
    """``instance._pk``: the primary-key value of a model instance (None before its first save)."""
    return untyped(instance)._pk


def pk_expr(instance: peewee.Model) -> peewee.Expression:
    """``instance._pk_expr()``: the WHERE expression that selects exactly this row."""
    return cast(peewee.Expression, untyped(instance)._pk_expr())


def dirty_names(instance: peewee.Model) -> set[str]:
    """``instance._dirty``: the names of the fields assigned since the instance was loaded or saved."""
    return cast("set[str]", untyped(instance)._dirty)


def rel_model(field: peewee.Field[Any]) -> type[peewee.Model]:
    """The model a foreign key (or many-to-many field) points to."""
    return cast("type[peewee.Model]", untyped(field).rel_model)


def rel_field(field: peewee.Field[Any]) -> peewee.Field[Any]:
    """The field of the related model a foreign key references (usually its primary key)."""
    return cast("peewee.Field[Any]", untyped(field).rel_field)


def query_returning(query: peewee.BaseQuery) -> Any:
    """A query's selected columns (``_returning``); empty or None when it selects its model's fields."""
    return untyped(query)._returning


def query_order_by(query: peewee.BaseQuery) -> Any:
    """A query's ORDER BY nodes (``_order_by``), or None when it has none."""
    return untyped(query)._order_by


def tuple_rows(query: peewee.BaseQuery) -> Iterable[tuple[Any, ...]]:
    """``query.tuples()``: the query's rows as tuples (the stubs type them as model instances)."""
    return cast("Iterable[tuple[Any, ...]]", untyped(query).tuples())
