"""Resolve ``user__username`` style field paths from a model, refusing secrets, and join them with aliases."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import peewee

from flask_peewee.utils._errors import QueryError
from flask_peewee.utils._sensitive import get_sensitive_fields

__all__ = ["MAX_DEPTH", "as_model_select", "join_path", "lookup_field", "path_allowed", "resolve_path"]

MAX_DEPTH = 4  # foreign keys one path may cross


def as_model_select(query_or_model: Any, caller: str) -> peewee.ModelSelect:
    """``query_or_model`` as a select query on a model (a model class means all its rows)."""
    if isinstance(query_or_model, type) and issubclass(query_or_model, peewee.Model):
        return query_or_model.select()
    if isinstance(query_or_model, peewee.ModelSelect):
        return query_or_model
    raise TypeError(f"{caller}() needs a peewee model class or model select query, not {type(query_or_model).__name__}")


def lookup_field(model: type[peewee.Model], name: str) -> peewee.Field | None:
    """The field of ``model`` called ``name`` (a foreign key also answers to its ``user_id`` name)."""
    field = model._meta.fields.get(name)
    if field is not None:
        return field
    for candidate in model._meta.fields.values():
        if isinstance(candidate, peewee.ForeignKeyField) and candidate.object_id_name == name:
            return candidate
    return None


def path_allowed(path: Iterable[str], fields: Collection[str] | None, exclude: Collection[str]) -> bool:
    """Whether ``path`` passes a whitelist and a blacklist of ``__`` paths (a listed prefix covers what is under it)."""
    names = list(path)
    prefixes = ["__".join(names[: i + 1]) for i in range(len(names))]
    if fields is not None and not any(p in fields for p in prefixes):
        return False
    return not any(p in exclude for p in prefixes)


def resolve_path(
    model: type[peewee.Model],
    dotted: str,
    *,
    param: str,
    what: str,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    recursive: bool = True,
) -> tuple[peewee.Field, ...]:
    """The chain of fields ``dotted`` names from ``model``; the last one is the target.

    Refused with a :class:`QueryError` naming ``param`` when a name is unknown, sensitive,
    excluded, outside ``fields``, or crosses a foreign key while ``recursive`` is false.
    """
    names = dotted.split("__")
    refused = QueryError(f"Cannot {what} on {dotted!r} (parameter {param!r}): no such field may be used", param=param)
    if not all(names) or len(names) > MAX_DEPTH + 1:
        raise refused
    chain: list[peewee.Field] = []
    current: type[peewee.Model] = model
    for index, name in enumerate(names):
        field = lookup_field(current, name)
        if field is None or field.name in get_sensitive_fields(current):
            raise refused
        chain.append(field)
        if index < len(names) - 1:
            if not recursive or not isinstance(field, peewee.ForeignKeyField) or name != field.name:
                raise refused
            current = field.rel_model
    if not path_allowed((f.name for f in chain), fields, exclude):
        raise refused
    return tuple(chain)


def join_path(
    query: peewee.ModelSelect,
    chain: tuple[peewee.Field, ...],
    aliases: dict[tuple[str, ...], Any],
) -> tuple[peewee.ModelSelect, Any]:
    """Join what ``chain`` crosses (LEFT OUTER, one alias per distinct prefix) and return the target column.

    Aliases keep two foreign keys to one model (``from_user``, ``to_user``) apart.
    """
    source: Any = query.model
    names: tuple[str, ...] = ()
    for fk in chain[:-1]:
        names += (fk.name,)
        alias = aliases.get(names)
        if alias is None:
            alias = fk.rel_model.alias()
            on = getattr(source, fk.name) == getattr(alias, fk.rel_field.name)
            query = query.join(alias, peewee.JOIN.LEFT_OUTER, on=on, src=source)
            aliases[names] = alias
        source = alias
    return query, getattr(source, chain[-1].name)
