"""Django-style filters from a query string: ``field=value``, ``field__op=value``, ``fk__field=value``."""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

import peewee

from flask_peewee.utils._backends import backend_name
from flask_peewee.utils._errors import QueryError
from flask_peewee.utils._paths import as_model_select, join_path, resolve_path
from flask_peewee.utils._patterns import escape_like, like_expression, pattern_problem
from flask_peewee.utils._regex import regex_expression, regex_problem
from flask_peewee.utils._values import ConversionError, field_kind, is_text_field, parse_value

__all__ = [
    "DEFAULT_IGNORED_PARAMS",
    "OPERATORS",
    "REGEX_OPERATORS",
    "Filter",
    "apply_filters",
    "apply_search",
    "field_operators",
    "filter_query",
    "parse_filters",
    "split_filter_key",
]

OPERATORS: tuple[str, ...] = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is", "like", "ilike")
REGEX_OPERATORS: tuple[str, ...] = ("regexp", "iregexp")
_KNOWN = OPERATORS + REGEX_OPERATORS
_PATTERN_OPERATORS = frozenset(("like", "ilike", *REGEX_OPERATORS))
DEFAULT_IGNORED_PARAMS: frozenset[str] = frozenset({"page", "limit", "ordering", "key", "secret"})

_COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_NULL = frozenset({"null", "none"})


def is_pattern_operator(op: str) -> bool:
    """Whether ``op``'s value is a pattern rewritten before it reaches the SQL (``like``, ``ilike``, ``regexp``)."""
    return op in _PATTERN_OPERATORS


@dataclass(frozen=True)
class Filter:
    """One parsed filter: ``param`` as given, the field ``path`` and ``chain``, the operator and converted value.

    ``value`` is a list for ``in``, None/True/False for ``is``, the pattern text for
    ``like``/``ilike`` and the converted Python value otherwise; ``raw`` is the text as sent.
    """

    param: str
    path: tuple[str, ...]
    chain: tuple[peewee.Field, ...]
    op: str
    value: Any
    raw: str

    @property
    def field(self) -> peewee.Field:
        """The field compared (on the related model for a ``__`` path)."""
        return self.chain[-1]

    @property
    def name(self) -> str:
        """The path written with ``__``, e.g. ``user__username``."""
        return "__".join(self.path)


def _items(args: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    getlist = getattr(args, "getlist", None)
    for key in list(args.keys()):
        raw = getlist(key) if getlist is not None else args[key]
        values = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        yield key, [v if isinstance(v, str) else str(v) for v in values]


def split_filter_key(key: str, operators: Collection[str] = _KNOWN) -> tuple[str, str]:
    """``user__username__ilike`` -> ``("user__username", "ilike")``; a key not ending in one of ``operators`` is ``eq``.

    ``operators`` defaults to every operator :func:`parse_filters` knows (:data:`OPERATORS` and
    :data:`REGEX_OPERATORS`).
    """
    head, sep, last = key.rpartition("__")
    if sep and last in operators:
        return head, last
    return key, "eq"


def _refusal(kind: str, op: str) -> str | None:
    """Why ``op`` never applies to a field of ``kind`` (a :func:`field_kind`), or None when it may."""
    if op in _PATTERN_OPERATORS and kind != "text":
        return f"{op} needs a text field"
    if kind == "json" and op != "is":
        return "this field can only be filtered with 'is'"
    return None


def field_operators(field: peewee.Field, operators: Collection[str] = OPERATORS) -> tuple[str, ...]:
    """The ``operators`` (in their order) :func:`parse_filters` accepts on ``field``.

    ``like``, ``ilike``, ``regexp`` and ``iregexp`` need a text field; a JSON field takes only
    ``is``; every other operator applies to every field. A filter form offers exactly these.
    """
    kind = field_kind(field)
    return tuple(op for op in operators if op in _KNOWN and _refusal(kind, op) is None)


def _convert(param: str, chain: tuple[peewee.Field, ...], op: str, raws: list[str], backend: str) -> list[Any]:
    field = chain[-1]
    kind = field_kind(field)

    def fail(reason: str) -> QueryError:
        return QueryError(f"Invalid value for {param!r}: {reason}", param=param)

    refused = _refusal(kind, op)
    if refused:
        raise QueryError(f"{param!r}: {refused}", param=param)
    if op in _PATTERN_OPERATORS:
        check = regex_problem if op in REGEX_OPERATORS else pattern_problem
        for raw in raws:
            problem = check(raw)
            if problem:
                raise fail(problem)
        return raws
    if op == "is":
        values: list[Any] = []
        for raw in raws:
            word = raw.strip().lower()
            if word in _NULL:
                values.append(None)
            elif word in ("true", "false") and kind == "bool":
                values.append(word == "true")
            else:
                allowed = "null, true or false" if kind == "bool" else "null"
                raise fail(f"'is' takes {allowed}, got {raw!r}")
        return values
    try:
        if op == "in":
            pieces = [piece for raw in raws for piece in raw.split(",")]
            return [[parse_value(field, piece, backend=backend) for piece in pieces]]
        return [parse_value(field, raw, backend=backend) for raw in raws]
    except ConversionError as exc:
        raise fail(str(exc)) from None


def parse_filters(
    model: type[peewee.Model],
    args: Mapping[str, Any],
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    recursive: bool = True,
    ignore: Collection[str] = DEFAULT_IGNORED_PARAMS,
    operators: Collection[str] = OPERATORS,
) -> list[Filter]:
    """Read the filters in ``args`` (a MultiDict such as ``request.args``, or a mapping) for ``model``.

    Keys are ``path`` or ``path__op`` with ``op`` in :data:`OPERATORS` (``eq`` when left
    out); a path crosses foreign keys with ``__`` when ``recursive``. ``fields`` is a
    whitelist and ``exclude`` a blacklist of paths (a listed prefix covers what lies under
    it); sensitive fields are refused whatever they say. ``in`` takes comma-separated
    values and/or repeated parameters; other repeated parameters must all hold. Keys in
    ``ignore`` are skipped. ``operators`` are the ones allowed: add :data:`REGEX_OPERATORS`
    (``regexp``, ``iregexp``: a search with a checked, portable regular expression, see
    :func:`~flask_peewee.utils.regex_problem`) to turn them on. Raises :class:`QueryError`
    naming the parameter.
    """
    backend = backend_name(model._meta.database)
    filters: list[Filter] = []
    for key, raws in _items(args):
        if key in ignore:
            continue
        dotted, op = split_filter_key(key)
        if op not in operators:
            raise QueryError(f"{key!r}: the operator {op!r} is not allowed here", param=key)
        chain = resolve_path(
            model, dotted, param=key, what="filter", fields=fields, exclude=exclude, recursive=recursive
        )
        values = _convert(key, chain, op, raws, backend)
        path = tuple(f.name for f in chain)
        raw_texts = [",".join(raws)] if op == "in" else raws
        filters.extend(Filter(key, path, chain, op, v, r) for v, r in zip(values, raw_texts, strict=True))
    return filters


def _expression(column: Any, item: Filter, database: Any) -> peewee.Node:
    if item.op == "in":
        return column.in_(item.value)
    if item.op == "is":
        return column.is_null(True) if item.value is None else column == item.value
    if item.op in REGEX_OPERATORS:
        return regex_expression(column, item.value, case_sensitive=item.op == "regexp", database=database)
    if item.op in ("like", "ilike"):
        return like_expression(column, item.value, case_sensitive=item.op == "like", database=database)
    return _COMPARE[item.op](column, item.value)


def filter_query(query: peewee.ModelSelect, filters: Iterable[Filter]) -> peewee.ModelSelect:
    """Apply parsed ``filters`` to ``query``: joins for ``__`` paths, then every condition ANDed."""
    aliases: dict[tuple[str, ...], Any] = {}
    database = query.model._meta.database
    conditions = []
    for item in filters:
        query, column = join_path(query, item.chain, aliases)
        conditions.append(_expression(column, item, database))
    if conditions:
        query = query.where(reduce(operator.and_, conditions))
    return query


def apply_filters(
    query: peewee.ModelSelect | type[peewee.Model],
    args: Mapping[str, Any],
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    recursive: bool = True,
    ignore: Collection[str] = DEFAULT_IGNORED_PARAMS,
    operators: Collection[str] = OPERATORS,
) -> peewee.ModelSelect:
    """Filter ``query`` (a select on a model, or a model class) by the query-string ``args``.

    See :func:`parse_filters` for the syntax and options.

    Usage::

        query = apply_filters(Message.select(), request.args, exclude=("user__email",))
    """
    query = as_model_select(query, "apply_filters")
    filters = parse_filters(
        query.model, args, fields=fields, exclude=exclude, recursive=recursive, ignore=ignore, operators=operators
    )
    return filter_query(query, filters)


def apply_search(
    query: peewee.ModelSelect | type[peewee.Model],
    term: str | None,
    fields: Iterable[str],
    *,
    exclude: Collection[str] = (),
) -> peewee.ModelSelect:
    """Keep the rows where any of the text ``fields`` (``__`` paths allowed) contains ``term``, ignoring case.

    ``term`` is matched literally (``%`` and ``_`` are not wildcards). Sensitive, excluded and
    non-text fields in ``fields`` are skipped (none left: no row matches); a blank term leaves
    the query as it is. ``query`` may be a model class.
    """
    query = as_model_select(query, "apply_search")
    if not isinstance(term, str) or not term.strip():
        return query
    if pattern_problem(term):
        return query.where(peewee.SQL("1 = 0"))  # NUL characters are in no stored text
    pattern = f"%{escape_like(term.strip())}%"
    aliases: dict[tuple[str, ...], Any] = {}
    database = query.model._meta.database
    conditions = []
    for dotted in fields:
        try:
            chain = resolve_path(query.model, dotted, param="search", what="search", exclude=exclude)
        except QueryError:
            continue
        if not is_text_field(chain[-1]):
            continue
        query, column = join_path(query, chain, aliases)
        conditions.append(like_expression(column, pattern, case_sensitive=False, database=database))
    if not conditions:
        return query.where(peewee.SQL("1 = 0"))  # a term, but nothing it may be searched in: no match
    return query.where(reduce(operator.or_, conditions))
