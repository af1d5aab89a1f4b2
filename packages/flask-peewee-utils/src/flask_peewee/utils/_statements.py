"""Statements whose SQL peewee builds once per database and shape, then runs with each request's values.

Building a query's SQL (peewee's ``Context``) costs more than running a simple indexed
SELECT. The statements every request or login makes (the session's user, a user by name, an
API object by its key, a list page's count and rows, an audit entry's INSERT) have a fixed
shape, so :class:`RowLookup`, :class:`PreparedSelect`, :class:`Statement` and
:func:`insert_row` build each shape once and keep its SQL and where each value goes
(:class:`Slot`). Only SQL text is kept, never data: each call reads or writes anew.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

import peewee

from flask_peewee.db.typed import untyped
from flask_peewee.utils._filters import Filter, is_pattern_operator

__all__ = [
    "PreparedSelect",
    "RowLookup",
    "ShapePlans",
    "Slot",
    "SlottedFilters",
    "Statement",
    "insert_row",
    "slot_filters",
]


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
    query: peewee.ModelSelect  # built with slots: makes the rows (its cursor wrapper) and says FOR UPDATE
    sql: str
    params: list[Any]
    fields: list[peewee.Field]


def _plan(query: peewee.SelectBase, slots: Sequence[int]) -> _Plan | None:
    """``query`` (built with a :class:`Slot` for each of ``slots``) and its SQL; None unless each is used once."""
    sql, params = query.sql()
    found = sorted(p.position for p in params if isinstance(p, _Marker))
    if found != sorted(slots):  # a value not used exactly once (a tuple key...): build each time
        return None
    model = getattr(query, "model", None)
    fields = list(model._meta.sorted_fields) if model is not None else []
    return _Plan(cast("peewee.ModelSelect", query), sql, params, fields)


def _params(plan: _Plan, values: Sequence[Any]) -> list[Any]:
    return [(p.converter or _unchanged)(values[p.position]) if isinstance(p, _Marker) else p for p in plan.params]


class _Built(peewee.SelectBase):
    """A planned statement with this call's values, executed as the select it was built from.

    ``database.execute()`` of it renders only the SQL text kept, and a database routing its
    reads to replicas sees a read (or a ``FOR UPDATE``) as it would of the original query.
    """

    def __init__(self, plan: _Plan, params: list[Any]) -> None:
        super().__init__()
        self._statement = peewee.SQL(plan.sql, params)
        untyped(self)._for_update = getattr(plan.query, "_for_update", None)

    def __sql__(self, ctx: Any) -> Any:
        return ctx.sql(self._statement)


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
        return _plan(self._query([Slot(i) for i in range(self.arity)]), range(self.arity))

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
        row = database.execute_sql(plan.sql, _params(plan, values)).fetchone()
        if row is None:
            return None
        data = {field.name: field.python_value(value) for field, value in zip(plan.fields, row, strict=True)}
        instance: Any = model(__no_default__=1, **data)  # as peewee's own cursor wrapper makes rows
        instance._dirty.clear()
        return instance


class Statement:
    """A select built once with :class:`Slot` values (``query``), run again with each call's values.

    Made by :meth:`prepare`, which returns None unless each slot in ``slots`` is used exactly
    once and no other slot is. :meth:`execute` runs it through ``database.execute()`` (so
    replicas route it as a read); :meth:`rows` makes the rows of a cursor as the query
    would (joined objects attached), :meth:`scalar` reads a count.
    """

    def __init__(self, plan: _Plan) -> None:
        self._plan = plan

    @staticmethod
    def database_of(model: type[peewee.Model]) -> Any:
        """The database ``model`` is bound to (through a proxy), or None."""
        return _database_of(model)

    @staticmethod
    def selects_plainly(model: type[peewee.Model]) -> bool:
        """Whether ``model`` selects as peewee does (an overridden ``select()`` must run each time)."""
        return _own_select(model)

    @classmethod
    def prepare(cls, query: peewee.SelectBase, slots: Sequence[int]) -> Statement | None:
        plan = _plan(query, slots)
        return None if plan is None else cls(plan)

    def execute(self, database: Any, values: Sequence[Any]) -> Any:
        """The cursor of the statement run with ``values`` (indexed by slot)."""
        return database.execute(_Built(self._plan, _params(self._plan, values)))

    def rows(self, cursor: Any) -> list[Any]:
        """Every row of ``cursor`` as the built query makes its rows."""
        wrapper = untyped(self._plan.query)._get_cursor_wrapper(cursor)
        rows = []
        try:
            while True:
                rows.append(wrapper.iterate(False))
        except StopIteration:
            return rows
        finally:
            cursor.close()

    def first(self, cursor: Any) -> Any:
        """The first row of ``cursor`` as the built query makes its rows, or None."""
        try:
            return untyped(self._plan.query)._get_cursor_wrapper(cursor).iterate(False)
        except StopIteration:
            return None
        finally:
            cursor.close()

    @staticmethod
    def scalar(cursor: Any) -> Any:
        """The first column of the first row of ``cursor`` (a count)."""
        try:
            row = cursor.fetchone()
            return None if row is None else row[0]
        finally:
            cursor.close()


class PreparedSelect:
    """The first row of ``build(*slots)``, any select of ``model`` (joins included), built once per database and shape.

    ``build`` gets one :class:`Slot` per argument and returns the query, reading whatever
    configuration decides its SQL (joined models, selected columns); each call of
    :meth:`first` names that configuration as a hashable ``shape``, and the SQL is built
    again when the shape or the database changes (a few shapes are kept per database). The
    rows come from peewee's own cursor wrapper of the built query, so joined objects are
    attached as a plain ``.first()`` attaches them. A model that overrides ``select()`` is
    asked every time; the statement runs through ``database.execute()``, so replicas route
    it as a read.
    """

    #: shapes kept per database; more (a configuration changed often) starts the cache afresh
    max_shapes = 8

    def __init__(self, model: type[peewee.Model], build: Callable[..., peewee.ModelSelect], arity: int) -> None:
        self.model = model
        self.build = build
        self.arity = arity
        self._plans: weakref.WeakKeyDictionary[Any, dict[Any, Statement | None]] = weakref.WeakKeyDictionary()

    def first(self, shape: Any, *values: Any) -> Any:
        """The first row of the query for ``values`` (a model instance with its joined objects), or None."""
        database = _database_of(self.model)
        if not _own_select(self.model) or database is None:
            return self.build(*values).first()
        plans = self._plans.get(database)
        if plans is None:
            plans = self._plans[database] = {}
        try:
            statement = plans[shape]
        except KeyError:
            if len(plans) >= self.max_shapes:
                plans.clear()
            query = self.build(*(Slot(i) for i in range(self.arity)))
            statement = plans[shape] = Statement.prepare(query, range(self.arity))
        if statement is None:
            return self.build(*values).first()
        return statement.first(statement.execute(database, values))


class _InsertPlan(NamedTuple):
    sql: str
    values: list[tuple[str, Callable[[Any], Any]]]  # each parameter's name in the row and its field's db_value
    returning: list[peewee.Field]


_INSERTS: weakref.WeakKeyDictionary[Any, dict[Any, _InsertPlan | None]] = weakref.WeakKeyDictionary()
_INSERTS_PER_DATABASE = 64


def _insert_plan(model: type[peewee.Model], names: tuple[str, ...], returning: bool) -> _InsertPlan | None:
    fields = [model._meta.fields[name] for name in names]
    query = model.insert({field: Slot(index) for index, field in enumerate(fields)})
    if returning:
        query = query.returning(*model._meta.sorted_fields)
    sql, params = query.sql()  # peewee orders the columns as the model declares them
    positions = [p.position if isinstance(p, _Marker) else None for p in params]
    if sorted(positions, key=lambda position: -1 if position is None else position) != list(range(len(names))):
        return None  # a value the insert added itself (a default missing from the row): built each time
    values = [(names[position], fields[position].db_value) for position in positions if position is not None]
    return _InsertPlan(sql, values, list(model._meta.sorted_fields) if returning else [])


def insert_row(model: type[peewee.Model], data: dict[str, Any], *, returning: bool = False) -> Any:
    """INSERT one row of ``model`` (``data`` by field name, every column it writes); the SQL built once
    per database, model and set of names, each value converted by its field's ``db_value``.

    With ``returning`` (PostgreSQL, SQLite 3.35+) the stored row comes back as a tuple of every
    field's value (``python_value`` applied), as peewee's ``insert(...).returning(...)`` gives it;
    otherwise None. A row missing a column that has a default is inserted by peewee itself (its
    default is filled in when the statement is built), as is one of a model overriding ``insert()``.
    """
    database = _database_of(model)
    names = tuple(data)
    plan = None
    if database is not None and getattr(model.insert, "__func__", None) is getattr(
        peewee.Model.insert, "__func__", None
    ):
        plans = _INSERTS.get(database)
        if plans is None:
            plans = _INSERTS[database] = {}
        key = (model, names, returning)
        try:
            plan = plans[key]
        except KeyError:
            if len(plans) >= _INSERTS_PER_DATABASE:
                plans.clear()
            plan = plans[key] = _insert_plan(model, names, returning)
    if plan is None:
        query = model.insert(**data)
        if not returning:
            query.execute()
            return None
        return next(iter(query.returning(*model._meta.sorted_fields).tuples().execute()))
    params = [convert(data[name]) for name, convert in plan.values]
    cursor = database.execute_sql(plan.sql, params)
    if not returning:
        return None
    row = cursor.fetchone()
    return tuple(field.python_value(value) for field, value in zip(plan.returning, row, strict=True))


# -- list pages: filters as slots, statements per shape ----------------------------------


class SlottedFilters(NamedTuple):
    """Parsed filters with a :class:`Slot` in place of each value (:func:`slot_filters`)."""

    filters: list[Filter]  # to build the statements with
    values: list[Any]  # this request's values, by slot
    shape: tuple[Any, ...]  # what the statements' SQL depends on: each filter's parameter, operator, arity


def slot_filters(filters: Sequence[Filter]) -> SlottedFilters | None:
    """``filters`` with a :class:`Slot` (numbered from 0) for each value, or None.

    None when a filter's value is rewritten in Python before it reaches the SQL (``like``,
    ``ilike``, ``regexp``: their patterns), so that no statement can stand for every value.
    An ``in`` takes one slot per value (its shape holds how many), ``is null`` none.
    """
    values: list[Any] = []
    slotted: list[Filter] = []
    shape: list[Any] = []
    for item in filters:
        if is_pattern_operator(item.op):
            return None
        if item.op == "in":
            slots = [Slot(len(values) + index) for index in range(len(item.value))]
            values.extend(item.value)
            slotted.append(dataclasses.replace(item, value=slots))
            shape.append((item.param, "in", len(slots)))
        elif item.op == "is" and item.value is None:
            slotted.append(item)
            shape.append((item.param, "null"))
        else:
            slotted.append(dataclasses.replace(item, value=Slot(len(values))))
            values.append(item.value)
            shape.append((item.param, item.op))
    return SlottedFilters(slotted, values, tuple(shape))


class ShapePlans:
    """What was built for each shape of request, per database and owner (a resource, a model admin).

    Both are held weakly; each owner keeps at most ``limit`` shapes on a database (shapes come
    from query strings, so a client sending new ones only rebuilds, never grows the memory).
    Only what :meth:`get`'s ``build`` returns is kept: statements, never rows.
    """

    def __init__(self, limit: int = 64) -> None:
        self.limit = limit
        self._plans: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, dict[Any, Any]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, database: Any, owner: Any, key: Any, build: Callable[[], Any]) -> Any:
        """The plan of ``key``: ``build()``'s result, built on the first request of that shape."""
        by_owner = self._plans.get(database)
        if by_owner is None:
            by_owner = self._plans[database] = weakref.WeakKeyDictionary()
        plans = by_owner.get(owner)
        if plans is None:
            plans = by_owner[owner] = {}
        try:
            return plans[key]
        except KeyError:
            if len(plans) >= self.limit:
                plans.clear()
            plan = plans[key] = build()
            return plan
