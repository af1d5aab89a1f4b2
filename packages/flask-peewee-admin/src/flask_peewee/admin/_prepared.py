"""The list page's count and rows, built once per shape of request and run with each request's values.

Building a query's SQL costs peewee more than the database takes to count and read an
indexed page. When a model admin keeps the default query hooks, a list request makes the
same SQL for the same *shape*: which filters it uses (not their values), the ordering and
the page size. The list view still runs every hook and check on each request (filters
parsed and checked against what the user may see, the search, the ordering's permission
check), exactly as before; only the SQL text of the two statements is kept per shape
(:class:`~flask_peewee.utils.internal.ShapePlans`, shared with the REST API), never a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.utils import Filter, PaginatedQuery, clamp_page, filter_query
from flask_peewee.utils.internal import ShapePlans, Slot, Statement, count_select, slot_filters

if TYPE_CHECKING:
    from flask_peewee.admin._filters import FilterForm
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["LIST_HOOKS", "ListPagination", "prepared_pagination"]

#: the hooks that make the list's query: with any of them overridden, each request builds its own
LIST_HOOKS = ("get_query", "process_filters", "apply_search", "apply_ordering", "get_ordering")

_plans = ShapePlans()  # per database and model admin: each shape's (count, page) statements, or None


class ListPagination(PaginatedQuery):
    """The list's pagination: :meth:`get_list` is the page's query (not yet run), as the original's was.

    The original's templates and code call ``query.get_list().count()`` and iterate it; the
    page is clamped before OFFSET (:func:`~flask_peewee.utils.clamp_page`).
    """

    def get_list(self) -> Any:
        return self.get_query()

    def page_objects(self) -> list[Any]:
        """The objects of the current page, read once by the list view."""
        return list(self.get_query())


class _PreparedPagination(ListPagination):
    """A :class:`ListPagination` whose count and page run the statements kept for their shape.

    ``query`` is still the request's whole query (built by the hooks), so a template calling
    ``get_list()`` or ``get_query()`` gets what it always did.
    """

    def __init__(
        self, query: Any, paginate_by: int, database: Any, plan: tuple[Statement, Statement], values: list[Any]
    ) -> None:
        super().__init__(query, paginate_by)
        self._database = database
        self._plan = plan
        self._values = values

    def get_count(self) -> int:
        if self._count is None:
            counting = self._plan[0]
            self._count = int(Statement.scalar(counting.execute(self._database, self._values)) or 0)
        return self._count

    def page_objects(self) -> list[Any]:
        if self.is_out_of_range():
            return []  # never an OFFSET past the end
        rows = self._plan[1]
        offset = (clamp_page(self.get_page(), self.paginate_by) - 1) * self.paginate_by
        return rows.rows(rows.execute(self._database, [*self._values, offset]))


def _inherited(model_admin: ModelAdmin, name: str) -> bool:
    from flask_peewee.admin._model_admin import ModelAdmin

    return getattr(getattr(model_admin, name), "__func__", None) is getattr(ModelAdmin, name)


def prepared_pagination(
    model_admin: Any, query: Any, form: FilterForm, active: list[Filter], ordering: str | None
) -> ListPagination | None:
    """The list's pagination of ``query`` on statements kept per shape, or None for the general path.

    ``active`` are the filters :meth:`ModelAdmin.process_filters` applied and ``ordering`` the
    ordering ``apply_ordering`` accepted (None: the default one). None when a query hook is
    overridden, the form reported an error or holds a filter of a custom ``filter_mapping``,
    the search box is used, a filter is a pattern (``like``, ``ilike``, ``regexp``), the
    model overrides ``select()`` or has a composite key, or the query is not counted with a
    plain ``COUNT(*)``. Both statements run through ``database.execute()``, so replicas serve
    them as they serve the general path.
    """
    model = model_admin.model
    limit = model_admin.paginate_by
    database = Statement.database_of(model)
    if (
        database is None
        or isinstance(limit, bool)
        or not isinstance(limit, int)
        or limit < 1
        or form.errors
        or form.custom
        or (model_admin.search_term() and model_admin.get_search_fields())
        or isinstance(model._meta.primary_key, peewee.CompositeKey)
        or not Statement.selects_plainly(model)
        or not all(_inherited(model_admin, hook) for hook in LIST_HOOKS)
    ):
        return None
    slotted = slot_filters(active)
    if slotted is None:
        return None
    values = slotted.values
    key = (slotted.shape, ordering or "", limit)
    plan = _plans.get(database, model_admin, key, lambda: _build(model_admin, slotted.filters, len(values), ordering))
    if plan is None:
        return None
    return _PreparedPagination(query, limit, database, plan, values)


def _build(
    model_admin: ModelAdmin, filters: list[Filter], count: int, ordering: str | None
) -> tuple[Statement, Statement] | None:
    """The count and page statements of this shape, built through the (default) hooks with slots for values."""
    query = filter_query(model_admin.get_query(), filters)
    query = model_admin.apply_ordering(query, ordering) if ordering else query.order_by(model_admin.get_ordering())
    counting = count_select(query)
    if counting is None:
        return None
    page = query.limit(model_admin.paginate_by).offset(Slot(count))
    count_statement = Statement.prepare(counting, range(count))
    page_statement = Statement.prepare(page, range(count + 1))
    if count_statement is None or page_statement is None:
        return None
    return count_statement, page_statement
