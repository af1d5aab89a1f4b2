"""Keyset (seek) iteration: walk a query in any column order plus the primary key, never with OFFSET.

A *key* is a list of ``(field, descending)`` pairs that orders rows totally (it ends with the
primary key). Rows come in the order :func:`~flask_peewee.utils.apply_ordering` gives (NULLs
last in both directions); read backward, the same order is reversed exactly (NULLs first).
Each step starts strictly after the last row seen, so it costs the same however deep it is.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from typing import Any

import peewee

from flask_peewee.db.typed import query_returning

__all__ = ["iter_keyset", "keyset_condition", "keyset_key", "keyset_order", "keyset_values"]

# ``(field, descending)`` pairs, the last one the primary key
_Key = Sequence[tuple[peewee.Field, bool]]


def keyset_key(
    model: type[peewee.Model], ordering: Sequence[tuple[peewee.Field, bool]] = ()
) -> list[tuple[peewee.Field, bool]]:
    """The key that orders ``model``'s rows totally: ``ordering`` (:func:`parse_ordering` pairs), then the primary key.

    Repeated fields and whatever follows the primary key are dropped (they can never decide
    an order). A model without a single-column primary key raises ``ValueError``.
    """
    primary = model._meta.primary_key
    if not isinstance(primary, peewee.Field) or isinstance(primary, peewee.CompositeKey):
        raise ValueError(f"keyset iteration needs a single-column primary key; {model.__name__} has none")
    key: list[tuple[peewee.Field, bool]] = []
    for field, descending in ordering:
        if any(field is seen for seen, _desc in key):
            continue
        key.append((field, bool(descending)))
        if field is primary:
            return key
    key.append((primary, False))
    return key


def keyset_order(key: _Key, *, backward: bool = False) -> list[peewee.Node]:
    """``ORDER BY`` terms for ``key``: NULLs last (as ``apply_ordering``), or the exact reverse when ``backward``."""
    terms: list[peewee.Node] = []
    for field, descending in key:
        reverse = descending != backward
        if not field.null:
            terms.append(field.desc() if reverse else field.asc())
        else:
            nulls = "FIRST" if backward else "LAST"
            terms.append(field.desc(nulls=nulls) if reverse else field.asc(nulls=nulls))
    return terms


def _literal(field: peewee.Field, value: Any) -> Any:
    # A single-precision FLOAT column (PostgreSQL REAL, MySQL FLOAT) never equals the double
    # Python read back from it; comparing with the value cast to the column's type is exact.
    if isinstance(field, peewee.FloatField) and not isinstance(field, peewee.DoubleField):
        database = field.model._meta.database
        column_type = database.get_context_options()["field_types"].get(field.field_type, field.field_type)
        return peewee.Cast(value, column_type)
    return value


def keyset_condition(key: _Key, values: Sequence[Any], *, backward: bool = False) -> peewee.Node:
    """Rows strictly after (``backward``: before) the row whose ``key`` columns hold ``values``.

    The row comparison ``(k1, k2, ...) > (v1, v2, ...)`` spelled out for mixed directions and
    NULLs (a NULL sorts after every value). Nothing follows: a condition no row meets.
    """
    if len(values) != len(key):
        raise ValueError(f"keyset_condition needs {len(key)} values, got {len(values)}")
    terms: list[peewee.Node] = []
    equal: list[peewee.Node] = []
    for (field, descending), value in zip(key, values, strict=True):
        if value is None:
            if backward:  # every value sorts before a NULL
                terms.append(functools.reduce(operator.and_, [*equal, field.is_null(False)]))
            equal.append(field.is_null())
            continue
        literal = _literal(field, value)
        beyond = field < literal if descending != backward else field > literal
        if field.null and not backward:
            beyond = beyond | field.is_null()
        terms.append(functools.reduce(operator.and_, [*equal, beyond]))
        equal.append(field == literal)
    if not terms:
        return peewee.SQL("1 = 0")
    return functools.reduce(operator.or_, terms)


def keyset_values(key: _Key, row: Any) -> tuple[Any, ...]:
    """The ``key`` values of ``row`` (a model instance or a dict), as :func:`keyset_condition` takes them."""
    if isinstance(row, peewee.Model):
        return tuple(row.__data__.get(field.name) for field, _desc in key)
    if isinstance(row, dict):
        return tuple(row.get(field.name) for field, _desc in key)
    raise TypeError(f"keyset_values reads model instances or dicts, not {type(row).__name__}")


def iter_keyset(
    query: peewee.ModelSelect,
    key: _Key,
    batch_size: int = 1000,
    *,
    columns: Sequence[Any] | None = None,
) -> Iterator[Any]:
    """Every row of ``query`` in ``key`` order, fetched ``batch_size`` rows per query without OFFSET.

    ``query``'s own ORDER BY, LIMIT and OFFSET are replaced. It yields the query's model instances
    (or dicts); with ``columns`` it yields tuples of those columns instead (joined aliases
    allowed). Memory stays at one batch whatever the size of the table.

    Usage::

        key = keyset_key(Message, parse_ordering(Message, "-pub_date"))
        for message in iter_keyset(Message.select(), key, 500):
            ...
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size!r}")
    width = len(key)
    positions: list[int] = []  # where each key value is in a row of ``columns`` (a key column is read once)
    if columns is not None:
        found = [next((i for i, column in enumerate(columns) if column is field), -1) for field, _desc in key]
        if -1 in found:
            query = query.select(*(field for field, _desc in key), *columns).tuples()
        else:
            positions, width = found, 0
            query = query.select(*columns).tuples()
    else:
        selected = query_returning(query) or ()
        missing = [f for f, _d in key if not any(f is s for s in selected)]
        if selected and missing:
            query = query.select_extend(*missing)
    ordered = query.order_by(*keyset_order(key))
    last: tuple[Any, ...] | None = None
    while True:
        page = ordered if last is None else ordered.where(keyset_condition(key, last))
        # model instances, dicts or tuples; read without peewee's row cache (the chunk is the cache)
        chunk: list[Any] = list(page.limit(batch_size).offset(None).iterator())
        if columns is None or not width:
            yield from chunk
        else:
            yield from (row[width:] for row in chunk)
        if len(chunk) < batch_size:
            return
        if columns is None:
            following = keyset_values(key, chunk[-1])
        elif positions:
            following = tuple(chunk[-1][i] for i in positions)
        else:
            following = tuple(chunk[-1][:width])
        if following == last:  # the key did not move (should not happen with a total key): stop, never loop
            return
        last = following
