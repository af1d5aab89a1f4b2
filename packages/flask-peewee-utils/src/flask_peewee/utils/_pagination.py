"""Pagination of peewee queries from the request's ``?page=`` argument, and the ``object_list`` view helper."""

from __future__ import annotations

import math
from typing import Any

import peewee
from flask import abort, has_request_context, render_template, request

__all__ = ["PaginatedQuery", "object_list", "parse_page"]


def parse_page(value: object) -> int:
    """Read a page number leniently: missing, non-numeric, zero or negative means page 1."""
    try:
        page = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    return page if page >= 1 else 1


def _as_select(query_or_model: Any, caller: str) -> peewee.SelectBase:
    if isinstance(query_or_model, type) and issubclass(query_or_model, peewee.Model):
        return query_or_model.select()
    if isinstance(query_or_model, peewee.SelectBase):
        return query_or_model
    raise TypeError(f"{caller} needs a peewee model class or select query, not {type(query_or_model).__name__}")


class PaginatedQuery:
    """A query (or model class) cut into pages of ``paginate_by`` rows, the page read from the request.

    Usage::

        pq = PaginatedQuery(Blog.select().where(Blog.active == True))
        # the request was /?page=3
        pq.get_list()   # the objects of page 3
        pq.get_page()   # 3
        pq.get_pages()  # number of pages

    ``page`` overrides the request argument (useful outside a request, or for APIs).
    A page past the end gives an empty list; :meth:`is_out_of_range` tells HTML views to 404.
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
            self._count = self.query.count()
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
        """The query limited to the current page (not yet executed)."""
        return self.query.paginate(self.get_page(), self.paginate_by)

    def get_list(self) -> list[Any]:
        """The objects of the current page (empty past the end)."""
        return list(self.get_query())


def object_list(
    template_name: str,
    query: Any,
    var_name: str = "object_list",
    paginate_by: int = 20,
    **context: Any,
) -> str:
    """Render ``template_name`` with one page of ``query``; a page past the end is a 404.

    The template gets the page's objects as ``var_name``, the page number as ``page`` and
    the :class:`PaginatedQuery` as ``pagination``, plus ``context``.
    """
    pagination = PaginatedQuery(query, paginate_by)
    if pagination.is_out_of_range():
        abort(404)
    context[var_name] = pagination.get_list()
    context.setdefault("page", pagination.get_page())
    context.setdefault("pagination", pagination)
    return render_template(template_name, **context)
