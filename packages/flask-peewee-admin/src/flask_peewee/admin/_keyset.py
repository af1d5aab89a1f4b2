"""Keyset batches: walk a query in any column order plus the primary key, without OFFSET.

The order is the one :func:`flask_peewee.utils.apply_ordering` gives (NULLs last in both
directions), tie-broken by the primary key; each batch starts strictly after the last row
of the previous one, so a batch costs the same however deep into the table it is.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from typing import Any

import peewee

from flask_peewee.utils import apply_ordering

__all__ = ["keyset_key", "keyset_rows"]


def keyset_key(primary: peewee.Field, ordering: Sequence[tuple[peewee.Field, bool]]) -> list[tuple[peewee.Field, bool]]:
    """The ``(field, descending)`` key that orders rows totally: ``ordering`` up to the primary key, then it."""
    key: list[tuple[peewee.Field, bool]] = []
    for field, descending in ordering:
        if any(field is seen for seen, _desc in key):
            continue
        key.append((field, descending))
        if field is primary:
            return key
    key.append((primary, False))
    return key


def _literal(field: peewee.Field, value: Any) -> Any:
    # A single-precision FLOAT column (PostgreSQL REAL, MySQL FLOAT) never equals the double
    # Python read back from it; comparing with the value cast to the column's type is exact.
    if isinstance(field, peewee.FloatField) and not isinstance(field, peewee.DoubleField):
        database = field.model._meta.database
        column_type = database.get_context_options()["field_types"].get(field.field_type, field.field_type)
        return peewee.Cast(value, column_type)
    return value


def _after(key: Sequence[tuple[peewee.Field, bool]], values: Sequence[Any]) -> peewee.Node:
    """Rows strictly after the row whose key holds ``values``, NULLs sorting last."""
    clauses: list[peewee.Node] = []
    equal: list[peewee.Node] = []
    for (field, descending), value in zip(key, values, strict=True):
        if value is not None:  # nothing sorts after a NULL in its column
            literal = _literal(field, value)
            beyond = field < literal if descending else field > literal
            if field.null:
                beyond = beyond | field.is_null()
            clauses.append(functools.reduce(operator.and_, [*equal, beyond]))
            equal.append(field == literal)
        else:
            equal.append(field.is_null())
    return functools.reduce(operator.or_, clauses)


def keyset_rows(
    query: peewee.ModelSelect,
    key: Sequence[tuple[peewee.Field, bool]],
    columns: Sequence[Any],
    batch_size: int,
) -> Iterator[tuple[Any, ...]]:
    """Tuples of ``columns`` of ``query`` in ``key`` order, fetched ``batch_size`` rows at a time."""
    names = [("-" if descending else "") + field.name for field, descending in key]
    ordered = apply_ordering(query.select(*(field for field, _desc in key), *columns), names)
    width = len(key)
    last: tuple[Any, ...] | None = None
    while True:
        page = ordered if last is None else ordered.where(_after(key, last))
        chunk = list(page.limit(batch_size).tuples())
        for row in chunk:
            yield row[width:]
        if len(chunk) < batch_size:
            return
        following = chunk[-1][:width]
        if following == last:  # the key did not move: stop rather than loop
            return
        last = following
