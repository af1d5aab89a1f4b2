"""What a resource lets clients query: the fields it hides, and the joins that serve nested resources."""

from __future__ import annotations

import operator
from functools import reduce
from typing import TYPE_CHECKING, Any

import peewee
from werkzeug.datastructures import MultiDict

from flask_peewee.db.typed import primary_key
from flask_peewee.utils import (
    QueryError,
    apply_filters,
    filter_query,
    get_sensitive_fields,
    parse_filters,
)
from flask_peewee.utils.internal import MAX_DEPTH, field_names

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["add_includes", "apply_request_filters", "hidden_fields", "hidden_paths"]


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

    The related objects are then attached to each row, so serializing a page runs no further query.
    """
    source = resource.model if source is None else source
    for name, nested in resource.nested_resources.items():
        fk = resource.model._meta.fields[name]
        alias = fk.rel_model.alias()
        on = getattr(source, fk.name) == getattr(alias, fk.rel_field.name)
        query = query.select_extend(alias).join(alias, peewee.JOIN.LEFT_OUTER, on=on, src=source, attr=fk.name)
        query = add_includes(query, nested, alias)
    return query


def apply_request_filters(
    query: peewee.ModelSelect, resource: RestResource, args: MultiDict[str, str], **options: Any
) -> peewee.ModelSelect:
    """Filter ``query`` by ``args`` as the original REST API did; ``options`` go to ``parse_filters``.

    Different parameters must all hold; the values of one repeated parameter are
    alternatives (``?user=1&user=2``: either user), and a parameter starting with ``-``
    excludes the rows it matches (``?-user__username=admin``). ``in`` takes
    comma-separated values and/or repeated parameters.
    """
    ignore = options.get("ignore", ())
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
