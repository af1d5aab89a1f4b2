"""Hot one-row lookups whose SQL peewee builds once per database, then runs with each request's values.

Building a query's SQL (peewee's ``Context``) costs more than running a simple indexed
SELECT. The lookups every request or login makes (the session's user, a user by name) have a
fixed shape, so :class:`RowLookup` builds each shape once per database and keeps its SQL and
where each value goes. Only SQL text is kept, never data: each call reads the row anew.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import peewee

__all__ = ["RowLookup", "Slot"]


class _Marker(NamedTuple):
    """In a built query's parameters: argument ``position`` goes here, through ``converter`` (a ``db_value``)."""

    position: int
    converter: Callable[[Any], Any] | None


def _unchanged(value: Any) -> Any:
    return value


class Slot(peewee.Node):
    """Where the value of argument ``index`` of a :class:`RowLookup` goes in its query (``field == Slot(0)``)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __sql__(self, ctx: Any) -> Any:
        # the converter peewee would apply here (the compared field's db_value) is kept for each call
        return ctx.value(_Marker(self.index, ctx.state.converter), converter=_unchanged)


class _Plan(NamedTuple):
    sql: str
    params: list[Any]
    fields: list[peewee.Field]


def _database_of(model: type[peewee.Model]) -> Any:
    bound = model._meta.database
    while isinstance(bound, peewee.DatabaseProxy):
        bound = bound.obj
    return bound


def _own_select(model: type[peewee.Model]) -> bool:
    """Whether ``model`` selects as peewee does: an overridden ``select()`` (soft deletes...) must run each time."""
    return getattr(model.select, "__func__", None) is getattr(peewee.Model.select, "__func__", None)


class RowLookup:
    """The first row of ``build(*slots)``, a select of all of ``model``'s fields, as a ``model`` instance.

    ``build`` gets one :class:`Slot` per argument and returns the query, e.g.
    ``lambda name: User.select().where(User.username == name).limit(1)``; it is called once
    per database to make the SQL, and on every call for a model that overrides ``select()``.
    :meth:`first` then runs that SQL with the values given, converted by the compared fields.
    """

    def __init__(self, model: type[peewee.Model], build: Callable[..., peewee.ModelSelect], arity: int) -> None:
        self.model = model
        self.build = build
        self.arity = arity
        self._plans: weakref.WeakKeyDictionary[Any, _Plan | None] = weakref.WeakKeyDictionary()

    def _query(self, values: Sequence[Any]) -> peewee.ModelSelect:
        model = self.model
        return self.build(*values).select(*model._meta.sorted_fields)

    def _plan(self, database: Any) -> _Plan | None:
        query = self._query([Slot(i) for i in range(self.arity)])
        sql, params = query.sql()
        found = sorted(p.position for p in params if isinstance(p, _Marker))
        if found != list(range(self.arity)):  # a value not used exactly once: build each time
            return None
        return _Plan(sql, params, list(self.model._meta.sorted_fields))

    def first(self, *values: Any) -> Any:
        """The first row for ``values`` as a model instance, or None."""
        model = self.model
        database = _database_of(model)
        if not _own_select(model) or database is None:
            return self._query(values).first()
        try:
            plan = self._plans[database]
        except KeyError:
            plan = self._plans[database] = self._plan(database)
        if plan is None:
            return self._query(values).first()
        params = [(p.converter or _unchanged)(values[p.position]) if isinstance(p, _Marker) else p for p in plan.params]
        row = database.execute_sql(plan.sql, params).fetchone()
        if row is None:
            return None
        data = {field.name: field.python_value(value) for field, value in zip(plan.fields, row, strict=True)}
        instance: Any = model(__no_default__=1, **data)  # as peewee's own cursor wrapper makes rows
        instance._dirty.clear()
        return instance
