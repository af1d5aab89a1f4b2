"""How a list is cut into pages: one small interface, with page-number and keyset-cursor implementations.

A resource's :attr:`~flask_peewee.rest.RestResource.pagination` names the class (``"offset"``,
``"cursor"`` or a :class:`Pagination` subclass); each list request makes one instance and calls
it twice, :meth:`Pagination.paginate_query` for the page's objects and :meth:`Pagination.get_meta`
for the list's ``meta``. The links of both kinds of page are built here, by :func:`page_link`.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, ClassVar, cast
from urllib.parse import urlencode

import peewee
from flask import request

from flask_peewee.rest._cursor import CURSOR_PARAM, Key, cursor_keys, cursor_token, read_cursor
from flask_peewee.utils import PaginatedQuery, keyset_condition, keyset_order

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["PAGINATIONS", "CursorPagination", "PageNumberPagination", "Pagination", "page_link", "pagination_class"]


def page_link(**changes: Any) -> str:
    """The current path with the query string's other arguments kept and ``changes`` applied (None removes one)."""
    args = request.args.copy()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = str(value)
    query = urlencode(list(args.items(multi=True)))
    return f"{request.path}?{query}" if query else request.path


class Pagination(abc.ABC):
    """One list request's pagination: which objects of the filtered, ordered query are on the page, and its ``meta``.

    A resource uses the class its :attr:`~flask_peewee.rest.RestResource.pagination` names: made
    for each list request with the resource, it is asked for the page (:meth:`paginate_query`),
    then for the ``meta`` describing it (:meth:`get_meta`). Usage::

        class OffsetPagination(Pagination):
            query_params = ("offset",)

            def paginate_query(self, query):
                offset = request.args.get("offset", 0, type=int)  # not a number: 0
                self.offset = min(max(offset, 0), MAX_OFFSET)  # never a negative or overflowing OFFSET
                self.limit = self.resource.get_paginate_by() or 20
                page = query.offset(self.offset).limit(self.limit)
                return list(self.resource.apply_related_joins(page))

            def get_meta(self):
                return {"model": self.resource.get_api_name(), "offset": self.offset, "limit": self.limit}

        class EventResource(RestResource):
            pagination = OffsetPagination
    """

    #: the query parameters it reads: never taken as filters, and listed in the OpenAPI document
    query_params: ClassVar[tuple[str, ...]] = ()
    #: hooks of the resource it never calls: a resource overriding one is refused when it is registered
    unused_hooks: ClassVar[tuple[str, ...]] = ("get_request_metadata",)

    def __init__(self, resource: RestResource) -> None:
        self.resource = resource

    @classmethod
    def check_resource(cls, resource: RestResource) -> None:
        """Refuse (``ValueError``) a resource this pagination cannot serve; called when the resource is made."""
        return None

    @abc.abstractmethod
    def paginate_query(self, query: peewee.ModelSelect) -> list[peewee.Model]:
        """The objects on this request's page of ``query`` (filtered and ordered), nested resources joined.

        Join them with the resource's ``apply_related_joins(query)`` on the page's query, so a
        page costs the same number of queries whatever its size.
        """

    @abc.abstractmethod
    def get_meta(self) -> dict[str, Any]:
        """The list's ``meta`` for the page :meth:`paginate_query` returned (model, position, links)."""

    @classmethod
    def openapi_parameters(cls) -> list[dict[str, Any]]:
        """The OpenAPI descriptions of :attr:`query_params` (strings here)."""
        return [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in cls.query_params
        ]

    @classmethod
    def openapi_meta(cls) -> dict[str, Any]:
        """The OpenAPI schema of :meth:`get_meta`'s dict (any object here)."""
        return {"type": "object"}


class PageNumberPagination(Pagination):
    """``?page=`` pages (``pagination = "offset"``, the default) with the original's ``meta``.

    The page holds :meth:`~flask_peewee.rest.RestResource.get_paginate_by` objects; the count
    of all rows is one query, the page with its nested resources another, and a page past
    the end runs none (an empty list). ``meta`` comes from the resource's
    ``get_request_metadata(paginated_query)`` (``model``, ``page``, ``page_count``,
    ``object_count``, ``previous``, ``next``).
    """

    query_params = ("page",)
    unused_hooks = ()
    #: the page of this request: a :class:`~flask_peewee.utils.PaginatedQuery` of the filtered query
    paginated_query: PaginatedQuery

    def paginate_query(self, query: peewee.ModelSelect) -> list[peewee.Model]:
        limit = self.resource.get_paginate_by()
        self.paginated_query = paginated = PaginatedQuery(query, limit or 1)
        if limit is None:
            paginated.paginate_by = max(paginated.get_count(), 1)
        if paginated.is_out_of_range():
            return []  # never an OFFSET past the end: a huge page would overflow it
        page = cast(peewee.ModelSelect, paginated.get_query())  # PaginatedQuery keeps the ModelSelect it was given
        return list(self.resource.apply_related_joins(page))

    def get_meta(self) -> dict[str, Any]:
        return self.resource.get_request_metadata(self.paginated_query)

    @classmethod
    def openapi_parameters(cls) -> list[dict[str, Any]]:
        return [{"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}}]

    @classmethod
    def openapi_meta(cls) -> dict[str, Any]:
        return {"$ref": "#/components/schemas/Meta"}


class CursorPagination(Pagination):
    """Keyset pages from ``?cursor=`` (``pagination = "cursor"``): never an OFFSET, no count.

    Pages follow ``?ordering=`` (serialized fields only) and then the primary key, so each one
    is a single query whatever its depth: ``WHERE (keys) after/before the cursor ORDER BY keys
    LIMIT n + 1``, nested resources joined. ``meta`` is ``model``, ``limit``, and the
    ``previous``/``next`` links (``""`` when there is none) keeping the other query parameters.
    The resource needs a ``paginate_by`` and a single-column primary key.
    """

    query_params = (CURSOR_PARAM,)
    limit: int
    keys: list[Key]
    rows: list[peewee.Model]
    has_next: bool
    has_previous: bool

    @classmethod
    def check_resource(cls, resource: RestResource) -> None:
        name = type(resource).__name__
        if resource.paginate_by is None:
            raise ValueError(f"{name}: cursor pagination needs a paginate_by")
        if isinstance(resource.pk, peewee.CompositeKey):
            raise ValueError(f"{name}: cursor pagination needs a single-column primary key")

    def paginate_query(self, query: peewee.ModelSelect) -> list[peewee.Model]:
        resource = self.resource
        self.limit = resource.get_paginate_by() or 1
        self.keys = keys = cursor_keys(resource)
        backward, values = read_cursor(resource, keys)
        query = query.order_by(*keyset_order(keys, backward=backward))
        if values is not None:
            query = query.where(keyset_condition(keys, values, backward=backward))
        rows = list(resource.apply_related_joins(query.limit(self.limit + 1)))
        more = len(rows) > self.limit
        self.rows = rows = rows[: self.limit]
        if backward:
            rows.reverse()
        self.has_next = more if not backward else values is not None
        self.has_previous = more if backward else values is not None
        return rows

    def get_meta(self) -> dict[str, Any]:
        following = previous = ""
        if self.rows:
            if self.has_next:
                following = self._link(self.rows[-1], backward=False)
            if self.has_previous:
                previous = self._link(self.rows[0], backward=True)
        return {"model": self.resource.get_api_name(), "limit": self.limit, "previous": previous, "next": following}

    def _link(self, row: peewee.Model, *, backward: bool) -> str:
        token = cursor_token(self.resource, self.keys, row, backward=backward)
        return page_link(**{CURSOR_PARAM: token, "page": None})

    @classmethod
    def openapi_parameters(cls) -> list[dict[str, Any]]:
        return [{"name": CURSOR_PARAM, "in": "query", "required": False, "schema": {"type": "string"}}]

    @classmethod
    def openapi_meta(cls) -> dict[str, Any]:
        return {"$ref": "#/components/schemas/CursorMeta"}


#: the names :attr:`~flask_peewee.rest.RestResource.pagination` may give instead of a class
PAGINATIONS: dict[str, type[Pagination]] = {"offset": PageNumberPagination, "cursor": CursorPagination}


def pagination_class(resource: RestResource) -> type[Pagination]:
    """The :class:`Pagination` class ``resource.pagination`` names; ``ValueError`` for anything else."""
    value = resource.pagination
    if isinstance(value, str) and value in PAGINATIONS:
        return PAGINATIONS[value]
    if isinstance(value, type) and issubclass(value, Pagination):
        return value
    raise ValueError(
        f"{type(resource).__name__}.pagination must be 'offset' or 'cursor' (or a Pagination subclass), not {value!r}"
    )
