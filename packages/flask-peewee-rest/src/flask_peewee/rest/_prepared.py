"""A list page's two statements (the count and the rows) built once per shape of request.

Building a query's SQL costs peewee more than SQLite takes to run an indexed page of it. A
list request of a resource that keeps the default query hooks always makes the same SQL for
the same *shape*: which filters it uses (not their values), the ordering, the page size and
the nested resources. So the count and the page are built once per shape and database with
:class:`~flask_peewee.utils.internal.Slot` placeholders, and later requests of that shape run
that SQL with their own values. Every request still parses and checks its filters and
ordering (hidden and sensitive fields, operators, values) exactly as the general path does;
only SQL text is kept, never a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee
from flask import request

from flask_peewee.rest._pagination import PageNumberPagination, pagination_class
from flask_peewee.rest._query import hidden_paths, includes_shape, split_filter_args
from flask_peewee.utils import Filter, PaginatedQuery, clamp_page, filter_query, parse_filters, parse_ordering
from flask_peewee.utils.internal import ShapePlans, Slot, Statement, count_select, slot_filters

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["LIST_HOOKS", "inherited", "prepared_page"]

#: hooks that decide a list's statements: with any of them overridden, each request builds its own
LIST_HOOKS = (
    "get_query",
    "process_query",
    "filter_query",
    "apply_ordering",
    "apply_related_joins",
    "get_filter_args",
    "clean_arg_list",
    "get_ignored_params",
    "paginated_object_list",
    "get_request_metadata",
)
_plans = ShapePlans()  # per database and resource: each shape's (count, page) statements, or None


class _CountedPages(PaginatedQuery):
    """A :class:`PaginatedQuery` whose count is already known (the prepared count ran)."""

    def __init__(self, query: Any, paginate_by: int, count: int) -> None:
        super().__init__(query, paginate_by)
        self._known = count

    def get_count(self) -> int:
        return self._known


def inherited(resource: RestResource, name: str) -> bool:
    """Whether ``resource``'s method ``name`` is :class:`RestResource`'s own (not overridden, not replaced)."""
    from flask_peewee.rest._resource import RestResource

    return getattr(getattr(resource, name), "__func__", None) is getattr(RestResource, name)


def _plain(resource: RestResource) -> bool:
    return (
        all(inherited(resource, hook) for hook in LIST_HOOKS)
        and pagination_class(resource) is PageNumberPagination
        and not isinstance(resource.pk, peewee.CompositeKey)
        and Statement.selects_plainly(resource.model)
    )


def prepared_page(resource: RestResource) -> tuple[list[peewee.Model], PaginatedQuery] | None:
    """This request's page of ``resource`` and its :class:`PaginatedQuery` (count known), or None.

    None sends the request down the general path: an overridden hook, another pagination, a
    page size of None, alternatives or negations, a pattern filter (``like``, ``ilike``,
    ``regexp``), or a query that is not counted with a plain ``COUNT(*)``. Both statements
    run through ``database.execute()``, so replicas serve them as they serve the general path.
    """
    if not _plain(resource):
        return None
    database = Statement.database_of(resource.model)
    limit = resource.get_paginate_by()
    if database is None or limit is None:
        return None
    options = resource._filter_options()
    plain, groups = split_filter_args(resource.get_filter_args(), options["ignore"])
    if groups:
        return None
    filters = parse_filters(resource.model, plain, **options)  # checked on every request
    slotted = slot_filters(filters)
    if slotted is None:  # a pattern filter: its value is rewritten in Python
        return None
    ordering = tuple(request.args.getlist("ordering"))
    if any(item.strip() for item in ordering):
        parse_ordering(resource.model, list(ordering), exclude=hidden_paths(resource))  # checked on every request
    else:
        ordering = ()
    values = slotted.values
    key = (slotted.shape, ordering, limit, includes_shape(resource))
    plan = _plans.get(database, resource, key, lambda: _build(resource, slotted.filters, len(values), limit))
    if plan is None:
        return None
    counting, rows = plan
    count = int(Statement.scalar(counting.execute(database, values)) or 0)
    paginated = _CountedPages(resource.model, limit, count)
    if paginated.is_out_of_range():
        return [], paginated  # never an OFFSET past the end
    offset = (clamp_page(paginated.get_page(), limit) - 1) * limit
    return rows.rows(rows.execute(database, [*values, offset])), paginated


def _build(resource: RestResource, slotted: list[Filter], count: int, limit: int) -> tuple[Statement, Statement] | None:
    """The count and page statements of this shape, built through the (default) hooks with slots for values."""
    query = resource.apply_ordering(filter_query(resource.get_query(), slotted))
    counting = count_select(query)
    if counting is None:
        return None
    page = resource.apply_related_joins(query.limit(limit).offset(Slot(count)))
    count_statement = Statement.prepare(counting, range(count))
    page_statement = Statement.prepare(page, range(count + 1))
    if count_statement is None or page_statement is None:
        return None
    return count_statement, page_statement
