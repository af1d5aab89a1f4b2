"""Ordering from ``?ordering=field`` / ``-field``, restricted to real, non-sensitive columns."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import peewee

from flask_peewee.utils._errors import QueryError
from flask_peewee.utils._paths import resolve_path

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
    query: peewee.ModelSelect,
    ordering: str | Sequence[str] | None,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    param: str = "ordering",
) -> peewee.ModelSelect:
    """Order ``query`` by ``ordering`` (see :func:`parse_ordering`); no ordering leaves it unchanged.

    Usage::

        query = apply_ordering(Message.select(), request.args.get("ordering"))  # "-pub_date"
    """
    pairs = parse_ordering(query.model, ordering, fields=fields, exclude=exclude, param=param)
    if not pairs:
        return query
    return query.order_by(*(field.desc() if descending else field.asc() for field, descending in pairs))
