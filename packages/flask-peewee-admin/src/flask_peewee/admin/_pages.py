"""Pagination for the admin's views: a page past the end is clamped before it reaches OFFSET.

An unbounded ``?page=`` would otherwise overflow the database's integers (PostgreSQL's
bigint, SQLite's 64 bits, a syntax error on MariaDB). To move to flask-peewee-utils'
``PaginatedQuery`` once it clamps for every caller.
"""

from __future__ import annotations

from flask_peewee.utils import PaginatedQuery

__all__ = ["ClampedPaginatedQuery"]


class ClampedPaginatedQuery(PaginatedQuery):
    """:class:`~flask_peewee.utils.PaginatedQuery` whose page is at most one past the last page."""

    def get_page(self) -> int:
        page = super().get_page()
        if page > 1 and page > self.get_pages():
            return self.get_pages() + 1  # still out of range (404 / empty), but a small OFFSET
        return page
