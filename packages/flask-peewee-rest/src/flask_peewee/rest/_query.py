"""What a resource lets clients query: the fields it hides, and the joins that serve nested resources."""

from __future__ import annotations

import operator
from collections.abc import Collection
from functools import reduce
from typing import TYPE_CHECKING, Any, cast

import peewee
from werkzeug.datastructures import MultiDict

from flask_peewee.db.typed import primary_key, untyped
from flask_peewee.utils import (
    QueryError,
    apply_filters,
    filter_query,
    get_sensitive_fields,
    parse_filters,
)
from flask_peewee.utils.internal import MAX_DEPTH, field_names, joined_from, path_alias

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = [
    "add_includes",
    "apply_request_filters",
    "hidden_fields",
    "hidden_paths",
    "includes_shape",
    "reads_any_column",
    "split_filter_args",
]


def hidden_fields(resource: RestResource) -> set[str]:
    """Names of the model's fields that ``resource`` does not serialize (outside ``fields``, in ``exclude``, secret)."""
    model = resource.model
    fields = set(resource.fields) if resource.fields is not None else None
    exclude = set(resource.exclude or ())
    sensitive = get_sensitive_fields(model)
    hidden = set()
    for field in model._meta.sorted_fields:
        names = field_names(field)
        if field.name in sensitive or names & exclude or (fields is not None and not names & fields):
            hidden |= names
    return hidden


def hidden_paths(resource: RestResource, depth: int = 0) -> set[str]:
    """The ``__`` paths a client may not filter or order on: hidden fields here and in related resources.

    A foreign key's target model is judged by its nested resource (``include_resources``) or,
    failing that, by the resource the API registered for it, so ``?user__email=...`` reveals
    nothing the user resource hides.
    """
    paths = hidden_fields(resource)
    if depth >= MAX_DEPTH:
        return paths
    for field in resource.model._meta.sorted_fields:
        if not isinstance(field, peewee.ForeignKeyField) or field.name in paths:
            continue
        related = resource.get_related_resource(field)
        if related is not None:
            paths |= {f"{field.name}__{path}" for path in hidden_paths(related, depth + 1)}
    return paths


def add_includes(query: peewee.ModelSelect, resource: RestResource, source: Any = None) -> peewee.ModelSelect:
    """Select the rows of ``resource``'s nested resources in the same query (LEFT OUTER joins, any depth).

    The related objects are then attached to each row, so serializing a page runs no further
    query. A foreign key the request's filters already joined (``?user__username=``, a LEFT
    OUTER join along the same path) is not joined twice: its alias is selected and bound. Only
    the columns a nested resource writes are selected (its primary key, the keys of deeper
    nested resources, and none of its hidden or sensitive fields), unless it or a resource
    above it overrides a serialization hook, which may read any column.
    """
    base = resource.model if source is None else (source if isinstance(source, type) else None)
    return _add_includes(query, resource, resource.model if source is None else source, base, (), False)


def includes_shape(resource: RestResource, full: bool = False) -> tuple[Any, ...]:
    """What decides the joins and columns :func:`add_includes` adds for ``resource`` (hashable).

    The nested resources' names, models and selected columns, at every depth: a query built
    from ``resource`` keeps its SQL while this stays the same.
    """
    full = full or reads_any_column(resource)
    return tuple(
        (
            name,
            nested.model,
            included_columns(nested, full=full or reads_any_column(nested)),
            includes_shape(nested, full),
        )
        for name, nested in resource.nested_resources.items()
    )


def _add_includes(
    query: peewee.ModelSelect, resource: RestResource, source: Any, base: Any, path: tuple[str, ...], full: bool
) -> peewee.ModelSelect:
    full = full or reads_any_column(resource)
    for name, nested in resource.nested_resources.items():
        fk = resource.model._meta.fields[name]
        names = (*path, fk.name)
        alias = path_alias(base, names) if base is not None else fk.rel_model.alias()
        columns = included_columns(nested, full=full or reads_any_column(nested))
        query = query.select_extend(*(getattr(alias, column) for column in columns))
        if joined_from(query, source, alias):  # the filters' join: bind its rows under the key's name
            _rebind(query, source, alias, fk.name)
        else:
            on = getattr(source, fk.name) == getattr(alias, fk.rel_field.name)
            query = query.join(alias, peewee.JOIN.LEFT_OUTER, on=on, src=source, attr=fk.name)
        query = _add_includes(query, nested, alias, base, names, full)
    return query


def _rebind(query: peewee.ModelSelect, source: Any, alias: Any, attr: str) -> None:
    """Attach the rows ``query`` reads through the join of ``alias`` under ``attr`` (``query`` is a fresh clone)."""
    joins = untyped(query)._joins[source]
    for index, (dest, _bound, constructor, join_type) in enumerate(joins):
        if dest is alias:
            joins[index] = (dest, attr, constructor, join_type)


def included_columns(resource: RestResource, *, full: bool = False) -> tuple[str, ...]:
    """The names of the columns selected for ``resource`` as a nested resource: all of them with ``full``.

    Otherwise its primary key, its nested resources' keys and the fields it writes; worked out
    once per resource and reused while its ``fields``, ``exclude`` and the model's sensitive
    fields stay the same.
    """
    model = resource.model
    if full:
        return tuple(model._meta.sorted_field_names)
    key = (get_sensitive_fields(model), _frozen(resource.fields), _frozen(resource.exclude))
    cached = resource.__dict__.get(_INCLUDED)
    if cached is None or cached[0] != key:
        hidden = hidden_fields(resource) - set(resource.nested_resources)
        keep = tuple(
            field.name for field in model._meta.sorted_fields if field.primary_key or not (field_names(field) & hidden)
        )
        cached = resource.__dict__[_INCLUDED] = (key, keep)
    return cast("tuple[str, ...]", cached[1])


def _frozen(value: Any) -> Any:
    return None if value is None else tuple(value)


_INCLUDED = "_flask_peewee_rest_included_columns"
_HOOKS = ("serialize_object", "prepare_data", "without_sensitive")


def reads_any_column(resource: RestResource) -> bool:
    """Whether ``resource`` overrides a hook that serializes its objects (it may then read any column)."""
    from flask_peewee.rest._resource import RestResource

    return any(getattr(type(resource), hook) is not getattr(RestResource, hook) for hook in _HOOKS)


def split_filter_args(
    args: MultiDict[str, str], ignore: Collection[str]
) -> tuple[MultiDict[str, str], list[tuple[str, list[str], bool]]]:
    """The parameters that filter plainly, and the groups of alternatives or negations ``(name, values, negated)``."""
    plain: MultiDict[str, str] = MultiDict()
    groups: list[tuple[str, list[str], bool]] = []
    for key in args:
        values = args.getlist(key)
        negated = key.startswith("-") and len(key) > 1 and key not in ignore
        name = key[1:] if negated else key
        if name in ignore:
            plain.setlist(key, values)
        elif negated or (len(values) > 1 and name.rpartition("__")[2] != "in"):
            groups.append((name, values, negated))
        else:
            plain.setlist(key, values)
    return plain, groups


def apply_request_filters(
    query: peewee.ModelSelect, resource: RestResource, args: MultiDict[str, str], **options: Any
) -> peewee.ModelSelect:
    """Filter ``query`` by ``args`` as the original REST API did; ``options`` go to ``parse_filters``.

    Different parameters must all hold; the values of one repeated parameter are
    alternatives (``?user=1&user=2``: either user), and a parameter starting with ``-``
    excludes the rows it matches (``?-user__username=admin``). ``in`` takes
    comma-separated values and/or repeated parameters.
    """
    plain, groups = split_filter_args(args, options.get("ignore", ()))
    query = apply_filters(query, plain, **options)
    pk = primary_key(resource.model)
    for name, values, negated in groups:
        if isinstance(pk, peewee.CompositeKey):
            raise QueryError(f"{name!r}: alternatives and negation need a single-column primary key", param=name)
        per_value = [values] if name.rpartition("__")[2] == "in" else [[value] for value in values]
        matches = []
        for chosen in per_value:
            filters = parse_filters(resource.model, MultiDict([(name, value) for value in chosen]), **options)
            matches.append(pk.in_(filter_query(resource.model.select(pk), filters)))
        condition = reduce(operator.or_, matches)
        query = query.where(~condition if negated else condition)
    return query
