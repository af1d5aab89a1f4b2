"""Pagination of peewee queries from the request's ``?page=`` argument, and the ``object_list`` view helper."""

from __future__ import annotations

import math
import re
from typing import Any, cast

import peewee
from flask import abort, has_request_context, render_template, request

from flask_peewee.db.typed import untyped

__all__ = ["MAX_OFFSET", "PaginatedQuery", "clamp_page", "count_rows", "object_list", "parse_page"]

#: The largest OFFSET every backend takes: PostgreSQL's bigint, SQLite's 64-bit integers.
MAX_OFFSET = 2**63 - 1
_DIGITS = re.compile(r"\+?[0-9]+")


def parse_page(value: object) -> int:
    """Read a page number leniently: missing, non-numeric, zero or negative means page 1.

    A number too large for any database (``?page=99999999999999999999``, or thousands of
    digits) reads as :data:`MAX_OFFSET`, a page past the end of any query.
    """
    if value is None:
        return 1
    text = str(value).strip()
    if _DIGITS.fullmatch(text) and len(text.lstrip("+").lstrip("0")) > 19:
        return MAX_OFFSET  # past any page; int() of thousands of digits would even be refused
    try:
        page = int(text)
    except ValueError:
        return 1
    return min(page, MAX_OFFSET) if page >= 1 else 1


def clamp_page(page: int, paginate_by: int) -> int:
    """``page`` lowered to the last page whose OFFSET the databases accept (still past the end of any query).

    Use it before ``query.paginate(page, paginate_by)`` (or an OFFSET of ``(page - 1) * paginate_by``)
    with a page number from a request, so a huge ``?page=`` gives an empty page, never a
    database error (bigint out of range on PostgreSQL, OverflowError on SQLite).
    """
    return max(1, min(page, MAX_OFFSET // max(1, paginate_by)))


def _as_select(query_or_model: Any, caller: str) -> peewee.SelectBase:
    if isinstance(query_or_model, type) and issubclass(query_or_model, peewee.Model):
        return query_or_model.select()
    if isinstance(query_or_model, peewee.SelectBase):
        return query_or_model
    raise TypeError(f"{caller} needs a peewee model class or select query, not {type(query_or_model).__name__}")


def _sources_in(node: Any, found: set[int], seen: set[int]) -> None:
    """Add to ``found`` the ids of the tables, models and model aliases that ``node`` refers to.

    Errs on the side of finding too much (a subquery's own tables count too): a join it
    finds is kept, which never changes the count.
    """
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, type) and issubclass(node, peewee.Model):
        found.add(id(node))
    elif isinstance(node, peewee.FieldAlias):
        found.add(id(node.source))
    elif isinstance(node, peewee.Field):
        found.add(id(node.model))
    elif isinstance(node, peewee.Column):
        found.add(id(node.source))
    elif isinstance(node, (peewee.ModelAlias, peewee.Table)):
        found.add(id(node))
    elif isinstance(node, (list, tuple, set, frozenset)):
        for item in node:
            _sources_in(item, found, seen)
    elif isinstance(node, dict):
        for item in node.values():
            _sources_in(item, found, seen)
    elif isinstance(node, peewee.Node):
        for item in getattr(node, "__dict__", {}).values():
            _sources_in(item, found, seen)


def _at_most_one_match(join: peewee.Join) -> bool:
    """Whether ``join`` keeps each row of its left side once: it follows a foreign key to its unique target.

    LEFT OUTER: always then. INNER: only when the foreign key is not nullable (every row
    has a target, as the database's foreign-key constraint guarantees).
    """
    on = untyped(join)._on  # peewee's stubs leave out a Join's ON expression
    if not isinstance(on, peewee.Expression) or on.op != peewee.OP.EQ:
        return False
    fk, target = on.lhs, on.rhs
    if not isinstance(fk, peewee.ForeignKeyField) or not isinstance(target, peewee.Field):
        return False
    fk_field = fk.field if isinstance(fk, peewee.FieldAlias) else fk
    target_field = target.field if isinstance(target, peewee.FieldAlias) else target
    target_source = target.source if isinstance(target, peewee.FieldAlias) else target.model
    fk_source = fk.source if isinstance(fk, peewee.FieldAlias) else fk.model
    if target_source is not join.rhs or fk_source is join.rhs or target_field is not fk_field.rel_field:
        return False
    if not (target_field.primary_key or target_field.unique):
        return False
    if join.join_type == peewee.JOIN.LEFT_OUTER:
        return True
    return join.join_type == peewee.JOIN.INNER and not fk_field.null


def _without_idle_joins(source: Any, used: set[int]) -> Any:
    """``source`` (a FROM item) without the joins that cannot change the number of rows.

    A join is dropped when neither the WHERE (``used``) nor a kept join refers to its
    table and it follows a foreign key to a unique target (see :func:`_at_most_one_match`).
    """
    joins: list[peewee.Join] = []
    base = source
    while isinstance(base, peewee.Join):
        joins.append(base)
        base = base.lhs
    kept: list[peewee.Join] = []
    for join in joins:  # the last join first: a kept join's ON may need an earlier one
        if id(join.rhs) in used or isinstance(join.rhs, peewee.Join) or not _at_most_one_match(join):
            kept.append(join)
            _sources_in(untyped(join)._on, used, set())
    if len(kept) == len(joins):
        return source
    rebuilt = base
    for join in reversed(kept):
        rebuilt = peewee.Join(rebuilt, join.rhs, join.join_type, untyped(join)._on)
    return rebuilt


def count_rows(query: Any) -> int:
    """The number of rows ``query`` (a select query or a model class) gives, counted cheaply.

    Peewee's ``query.count()`` wraps the query: ``SELECT COUNT(1) FROM (SELECT 1 ...) AS
    _wrapped``. This runs a plain ``SELECT COUNT(*)`` over the query's FROM and WHERE
    instead, without its ORDER BY and without the joins that cannot change the count (a LEFT
    OUTER join along a foreign key, or an INNER join along a non-null one, whose table the
    WHERE does not use), so SQLite can take its b-tree count shortcut on a whole table.
    Queries with GROUP BY, HAVING, DISTINCT, LIMIT, OFFSET, window definitions, FOR UPDATE,
    several FROM items, and compound queries (UNION...) are counted by ``query.count()``.
    Usage::

        count_rows(Message.select().join(User).where(User.username == "alice").order_by(Message.id))
        # SELECT COUNT(*) FROM "message" AS "t1" INNER JOIN "user" AS "t2" ON ... WHERE ("t2"."username" = ?)
    """
    select = _as_select(query, "count_rows")
    counting = count_select(select)
    if counting is None:
        return select.count()
    for row in counting.execute():
        return int(row[0])
    return 0  # pragma: no cover - COUNT(*) always gives one row


def count_select(select: peewee.SelectBase) -> peewee.SelectBase | None:
    """The ``SELECT COUNT(*)`` (tuples) :func:`count_rows` runs for ``select``; None when it uses ``.count()``."""
    if not isinstance(select, peewee.Select):
        return None
    parts = untyped(select)  # the clauses of a query: attributes peewee's stubs leave out
    if (
        parts._group_by
        or parts._having is not None
        or parts._simple_distinct
        or parts._distinct is not None
        or parts._limit is not None
        or parts._offset is not None
        or parts._windows is not None
        or parts._for_update is not None
        or len(parts._from_list) != 1
    ):
        return None
    used: set[int] = set()
    if parts._where is not None:
        _sources_in(parts._where, used, set())
    clone = untyped(select.clone())
    clone._order_by = None
    clone._from_list = [_without_idle_joins(parts._from_list[0], used)]
    return cast("peewee.SelectBase", clone.select(peewee.fn.COUNT(peewee.SQL("*"))).tuples())


class PaginatedQuery:
    """A query (or model class) cut into pages of ``paginate_by`` rows, the page read from the request.

    Usage::

        pq = PaginatedQuery(Blog.select().where(Blog.active == True))
        # the request was /?page=3
        pq.get_list()   # the objects of page 3
        pq.get_page()   # 3
        pq.get_pages()  # number of pages

    ``page`` overrides the request argument (useful outside a request, or for APIs).
    A page past the end gives an empty list, however large the number; :meth:`is_out_of_range`
    tells HTML views to 404. Subclasses may override :meth:`get_page`, :meth:`get_pages` and
    the other methods: the rest of the class and :func:`object_list` call them.
    """

    page_var = "page"

    def __init__(
        self,
        query_or_model: Any,
        paginate_by: int = 20,
        page_var: str | None = None,
        *,
        page: int | str | None = None,
    ) -> None:
        if isinstance(paginate_by, bool) or not isinstance(paginate_by, int) or paginate_by < 1:
            raise ValueError(f"paginate_by must be a positive integer, got {paginate_by!r}")
        self.query = _as_select(query_or_model, "PaginatedQuery")
        #: The model class of the query, as the original had it.
        self.model: type[peewee.Model] | None = getattr(self.query, "model", None)
        self.paginate_by = paginate_by
        if page_var is not None:
            self.page_var = page_var
        self._page = None if page is None else parse_page(page)
        self._count: int | None = None

    def get_page(self) -> int:
        """The requested page number, 1 when it is missing or not a positive integer."""
        if self._page is not None:
            return self._page
        if not has_request_context():
            return 1
        return parse_page(request.args.get(self.page_var))

    def get_count(self) -> int:
        """The total number of rows of the query (counted once)."""
        if self._count is None:
            self._count = count_rows(self.query)
        return self._count

    def get_pages(self) -> int:
        """How many pages there are: total rows / rows per page, rounded up, at least 1."""
        return max(1, math.ceil(self.get_count() / self.paginate_by))

    def is_out_of_range(self) -> bool:
        """Whether the requested page lies past the last one (page 1 never does)."""
        return self.get_page() > self.get_pages()

    def has_next(self) -> bool:
        """Whether a page follows the current one."""
        return self.get_page() < self.get_pages()

    def has_previous(self) -> bool:
        """Whether a page precedes the current one."""
        return self.get_page() > 1

    def get_query(self) -> peewee.SelectBase:
        """The query limited to the current page (not yet executed); see :func:`clamp_page`."""
        return self.query.paginate(clamp_page(self.get_page(), self.paginate_by), self.paginate_by)

    def get_list(self) -> list[Any]:
        """The objects of the current page (empty past the end)."""
        return list(self.get_query())

    def get_page_range(self, window: int = 3) -> list[int | None]:
        """Page numbers to link to: the first, the last and ``window`` pages either side of the current one.

        ``None`` marks a gap (render it as an ellipsis), e.g. ``[1, None, 4, 5, 6, 7, 8, None, 20]``.
        """
        total = self.get_pages()
        current = min(self.get_page(), total)
        pages = sorted({1, total, *range(max(1, current - window), min(total, current + window) + 1)})
        result: list[int | None] = []
        previous = 0
        for page in pages:
            if page > previous + 1:
                result.append(None)
            result.append(page)
            previous = page
        return result


def object_list(
    template_name: str,
    query: Any,
    var_name: str = "object_list",
    paginate_by: int = 20,
    **context: Any,
) -> str:
    """Render ``template_name`` with one page of ``query``; a page past the end is a 404.

    The template gets the page's objects as ``var_name``, the page number as ``page`` and
    the :class:`PaginatedQuery` as ``pagination``, plus ``context``. ``query`` may also be a
    :class:`PaginatedQuery` (a subclass with its own ``get_page``, say): it is used as given.
    """
    pagination = query if isinstance(query, PaginatedQuery) else PaginatedQuery(query, paginate_by)
    if pagination.is_out_of_range():
        abort(404)
    context[var_name] = pagination.get_list()
    context.setdefault("page", pagination.get_page())
    context.setdefault("pagination", pagination)
    return render_template(template_name, **context)
