"""Resolve ``user__username`` style field paths from a model, refusing secrets, and join them with aliases."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, cast

import peewee

from flask_peewee.db.typed import rel_model, untyped
from flask_peewee.utils._errors import QueryError
from flask_peewee.utils._sensitive import get_sensitive_fields

__all__ = [
    "MAX_DEPTH",
    "as_model_select",
    "filterable_path",
    "join_fks",
    "join_path",
    "joined_from",
    "lookup_field",
    "path_alias",
    "path_allowed",
    "resolve_path",
]

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


def path_allowed(
    path: Iterable[str], fields: Collection[str] | None, exclude: Collection[str], *, partial: bool = False
) -> bool:
    """Whether ``path`` passes a whitelist and a blacklist of ``__`` paths (a listed prefix covers what is under it).

    With ``partial``, whether some path beginning with ``path`` may pass: ``user`` does when
    only ``user__username`` is listed (a filter form follows ``user`` to offer it).
    """
    names = list(path)
    prefixes = ["__".join(names[: i + 1]) for i in range(len(names))]
    if any(p in exclude for p in prefixes):
        return False
    if fields is None or any(p in fields for p in prefixes):
        return True
    return partial and any(str(f).startswith(prefixes[-1] + "__") for f in fields)


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


def filterable_path(
    model: type[peewee.Model],
    dotted: str,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    recursive: bool = True,
) -> tuple[peewee.Field, ...] | None:
    """The chain of fields ``dotted`` (``user__username``) names from ``model`` when a filter may use it, else None.

    The same decision :func:`~flask_peewee.utils.parse_filters` takes for a parameter with these
    options (known names, no sensitive field, ``fields``/``exclude``, at most ``MAX_DEPTH``
    foreign keys), so a filter form built with it offers what the parser accepts.
    """
    try:
        return resolve_path(
            model, dotted, param=dotted, what="filter", fields=fields, exclude=exclude, recursive=recursive
        )
    except QueryError:
        return None


def path_alias(base: type[peewee.Model], names: tuple[str, ...], join_type: str = peewee.JOIN.LEFT_OUTER) -> Any:
    """The alias of the model that the foreign keys ``names`` lead to from ``base``: one per path and join type.

    Built once and kept on ``base``'s metadata, so a request builds no new alias (nor its
    columns) for a path it joins; queries share it as they share a model class (each query
    names it itself). Distinct paths to one model (``from_user``, ``to_user``) get distinct
    aliases.
    """
    cache = untyped(base._meta).__dict__.setdefault("_flask_peewee_path_aliases", {})
    key = (names, join_type)
    alias = cache.get(key)
    if alias is None:
        model: type[peewee.Model] = base
        for name in names:
            model = rel_model(model._meta.fields[name])
        alias = cache.setdefault(key, model.alias())
    return alias


def joined_from(query: peewee.ModelSelect, source: Any, alias: Any) -> bool:
    """Whether ``query`` already joins ``alias`` from ``source``."""
    return any(dest is alias for dest, *_ in untyped(query)._joins.get(source, ()))


def join_fks(
    query: peewee.ModelSelect,
    base: Any,
    fks: Iterable[peewee.ForeignKeyField],
    aliases: dict[tuple[str, ...], Any],
    join_type: str,
    *,
    bind: bool = False,
) -> tuple[peewee.ModelSelect, Any]:
    """Join ``fks`` from ``base`` with ``join_type``, one alias per distinct prefix of names; the query and last alias.

    Aliases keep two foreign keys to one model (``from_user``, ``to_user``) apart, and a
    prefix already in ``aliases`` or already joined in ``query`` is not joined again. With
    ``bind`` the joined rows are attached under the foreign key's name.
    """
    source: Any = base
    names: tuple[str, ...] = ()
    model = base if isinstance(base, type) else None
    for fk in fks:
        names += (fk.name,)
        alias = aliases.get(names)
        if alias is None:
            alias = aliases[names] = path_alias(model, names, join_type) if model is not None else fk.rel_model.alias()
            if not joined_from(query, source, alias):
                on = getattr(source, fk.name) == getattr(alias, fk.rel_field.name)
                attr = fk.name if bind else "_join_" + "__".join(names)
                query = query.join_from(source, alias, join_type, on=on, attr=attr)
        source = alias
    return query, source


def join_path(
    query: peewee.ModelSelect,
    chain: tuple[peewee.Field, ...],
    aliases: dict[tuple[str, ...], Any],
) -> tuple[peewee.ModelSelect, Any]:
    """Join what ``chain`` crosses (LEFT OUTER, one alias per distinct prefix) and return the target column."""
    fks = cast("tuple[peewee.ForeignKeyField, ...]", chain[:-1])  # every step but the last follows a foreign key
    query, source = join_fks(query, query.model, fks, aliases, peewee.JOIN.LEFT_OUTER)
    return query, getattr(source, chain[-1].name)
