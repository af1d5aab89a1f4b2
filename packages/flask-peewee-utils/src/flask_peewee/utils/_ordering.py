"""Ordering from ``?ordering=field`` / ``-field``, restricted to real, non-sensitive columns."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import peewee

from flask_peewee.utils._errors import QueryError
from flask_peewee.utils._paths import as_model_select, resolve_path

__all__ = ["apply_ordering", "parse_ordering"]


def parse_ordering(
    model: type[peewee.Model],
    ordering: str | Sequence[str] | None,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    param: str = "ordering",
) -> list[tuple[peewee.Field, bool]]:
    """``(field, descending)`` pairs for ``ordering``: names of ``model``'s own columns, ``-`` for descending.

    ``ordering`` is a comma-separated string or a list of names (as ``request.args.getlist``
    gives). ``fields`` whitelists, ``exclude`` blacklists names; sensitive fields, unknown
    names and ``__`` paths raise :class:`QueryError` naming ``param``.
    """
    if ordering is None:
        return []
    items = [ordering] if isinstance(ordering, str) else list(ordering)
    result: list[tuple[peewee.Field, bool]] = []
    for item in items:
        if not isinstance(item, str):
            raise QueryError(f"Invalid {param!r}: {item!r} is not a field name", param=param)
        for part in item.split(","):
            name = part.strip()
            if not name:
                continue
            descending = name.startswith("-")
            name = name[1:] if descending else name
            (field,) = resolve_path(
                model, name, param=param, what="order", fields=fields, exclude=exclude, recursive=False
            )
            result.append((field, descending))
    return result


def apply_ordering(
    query: peewee.ModelSelect | type[peewee.Model],
    ordering: str | Sequence[str] | None,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    param: str = "ordering",
) -> peewee.ModelSelect:
    """Order ``query`` by ``ordering`` (see :func:`parse_ordering`); no ordering leaves it unchanged.

    NULLs sort last in both directions on every backend. ``query`` may be a model class.

    Usage::

        query = apply_ordering(Message.select(), request.args.get("ordering"))  # "-pub_date"
    """
    query = as_model_select(query, "apply_ordering")
    pairs = parse_ordering(query.model, ordering, fields=fields, exclude=exclude, param=param)
    if not pairs:
        return query
    return query.order_by(*(_order(field, descending) for field, descending in pairs))


def _order(field: peewee.Field, descending: bool) -> peewee.Node:
    # Backends disagree on where NULLs go; put them last in both directions everywhere.
    nulls = "LAST" if field.null else None
    return field.desc(nulls=nulls) if descending else field.asc(nulls=nulls)
