"""The filter classes of the original ``flask_peewee.filters`` (see ``flask_peewee/filters.py``).

A :class:`QueryFilter` turns one field and one value into a condition; a
:class:`FilterMapping` says which filters a field offers. The admin applies a
``ModelAdmin.filter_mapping``'s own filters from the query string (``path__<key>=value``)
through :func:`mapping_filters`, next to the toolkit's operators.
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Callable, Iterable
from functools import reduce
from typing import TYPE_CHECKING, Any, cast

import peewee
from werkzeug.datastructures import MultiDict
from wtforms import fields as wtf_fields
from wtforms import form as wtf_form
from wtforms import validators, widgets

from flask_peewee.admin._filters import FieldTreeNode
from flask_peewee.admin._legacy_forms import AjaxSelectWidget, BaseModelConverter, LimitedModelSelectField
from flask_peewee.admin._query_filters import (
    FilterMapping,
    QueryFilter,
)
from flask_peewee.db.typed import rel_model
from flask_peewee.utils import OPERATORS, alias_field, get_sensitive_fields

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = [
    "AdminFilterModelConverter",
    "DateTimeLocalField",
    "FieldTreeNode",
    "FilterForm",
    "FilterModelConverter",
    "SmallSelectWidget",
    "make_field_tree",
    "mapping_filters",
]


def make_field_tree(
    model: type[peewee.Model],
    fields: Iterable[str] | None,
    exclude: Iterable[str] | None,
    force_recursion: bool = False,
    seen: set[peewee.Field] | None = None,
) -> FieldTreeNode:
    """The fields of ``model`` open to filters (``fields``/``exclude`` with ``__`` paths), one child per foreign key.

    Nodes hold peewee fields, as in the original; sensitive and binary fields are left out.
    """
    everything = fields is None
    names = list(model._meta.sorted_field_names if fields is None else fields)
    excluded = list(exclude or ())
    seen = seen if seen is not None else set()
    sensitive = get_sensitive_fields(model)
    node = FieldTreeNode(model, [], {})
    for field in model._meta.sorted_fields:
        if field.name in excluded or field.name in sensitive or field in seen:
            continue
        if field.name in names and not isinstance(field, peewee.BlobField):
            node.fields.append(field)
        if isinstance(field, peewee.ForeignKeyField):
            seen.add(field)
            prefix = f"{field.name}__"
            sub: list[str] | None = None if everything else [n[len(prefix) :] for n in names if n.startswith(prefix)]
            if sub is not None and not sub and force_recursion:
                sub = None
            sub_exclude = [n[len(prefix) :] for n in excluded if n.startswith(prefix)]
            node.children[field.name] = make_field_tree(rel_model(field), sub, sub_exclude, force_recursion, seen)
    return node


class SmallSelectWidget(widgets.Select):
    """A compact ``<select>`` for the operator of a filter."""

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        kwargs["class"] = "fp-input fp-input-small"
        return super().__call__(field, **kwargs)


class DateTimeLocalField(wtf_fields.DateTimeLocalField):
    """WTForms' ``datetime-local`` field reading and writing the ``T``-separated form browsers send."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"])
        super().__init__(*args, **kwargs)


class FilterModelConverter(BaseModelConverter):
    """The converter of filter values: text fields as one-line inputs, date-times as pickers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.defaults: dict[type[peewee.Field], Any] = dict(self.defaults)
        self.defaults[peewee.TextField] = wtf_fields.StringField
        self.defaults[peewee.DateTimeField] = DateTimeLocalField
        self.defaults[peewee.TimestampField] = DateTimeLocalField


class FilterForm:
    """The original's filter form: ``fo_<field>=<key>`` / ``fv_<field>=<value>``, ``fr_<fk>-`` across foreign keys.

    ``process_request(query)`` returns ``(form, query, cleaned)`` like the original's. Inside
    the admin, :class:`flask_peewee.admin.FilterForm` renders the filters instead; this class
    serves code that builds the original's form itself.
    """

    base_class = wtf_form.Form
    separator = "-"
    field_operation_prefix = "fo_"
    field_value_prefix = "fv_"
    field_relation_prefix = "fr_"

    def __init__(
        self,
        model: type[peewee.Model],
        model_converter: Any,
        filter_mapping: FilterMapping,
        fields: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
    ) -> None:
        self.model = model
        self.model_converter = model_converter
        self.filter_mapping = filter_mapping
        self._field_tree = make_field_tree(model, fields, exclude)
        self._query_filters = self.load_query_filters()
        self._filter_lookup = {field: {qf.key: qf for qf in filters} for field, filters in self._query_filters.items()}

    def load_query_filters(self) -> dict[peewee.Field, list[QueryFilter]]:
        """Every field of the tree with the filters its mapping offers."""
        result: dict[peewee.Field, list[QueryFilter]] = {}
        queue = [self._field_tree]
        while queue:
            node = queue.pop(0)
            for field in node.fields:
                result[field] = self.filter_mapping.convert(field)
            queue.extend(node.children.values())
        return result

    def get_operation_field(self, field: peewee.Field) -> Any:
        """The operator select of ``field``."""
        choice = getattr(wtf_fields.choices, "SelectChoice", None)  # WTForms 3.3; tuples before
        choices = [
            choice(str(qf.key), qf.operation(), render_kw={"data-input-type": qf.input_type} if qf.input_type else None)
            if choice is not None
            else (str(qf.key), qf.operation())
            for qf in self._query_filters[field]
        ]
        return wtf_fields.SelectField(choices=choices, validators=[validators.Optional()], widget=SmallSelectWidget())

    def get_query_filter(self, field: peewee.Field, filter_key: str) -> QueryFilter | None:
        """The filter of ``field`` named ``filter_key`` (or at that position, the old protocol)."""
        found = self._filter_lookup.get(field, {}).get(filter_key)
        if found is None and filter_key.isdigit():
            filters = self._query_filters.get(field, [])
            index = int(filter_key)
            found = filters[index] if index < len(filters) else None
        return found

    def get_field_default(self, field: peewee.Field) -> Any:
        """The value input's default for ``field`` (now, today, midnight, or the field's default)."""
        if isinstance(field, (peewee.DateTimeField, peewee.TimestampField)):
            return datetime.datetime.now()
        if isinstance(field, peewee.DateField):
            return datetime.date.today()
        if isinstance(field, peewee.TimeField):
            return datetime.time(0, 0)
        return field.default

    def resolve_form_field(self, form: Any, name: str) -> Any:
        """The bound field of ``form`` a prefixed name points at: ``fr_user-fo_username`` ->
        ``form["fr_user"].form["fo_username"]``."""
        *relations, last = name.split(self.separator)
        for part in relations:
            form = form[part].form
        return form[last]

    def get_value_field(self, field: peewee.Field) -> Any:
        """The value input of ``field``, from the model converter."""
        _name, form_field = self.model_converter.convert(field.model, field, None)
        form_field.kwargs["default"] = self.get_field_default(field)
        form_field.kwargs["validators"] = [validators.Optional()]
        return form_field

    def get_field_dict(self, node: FieldTreeNode | None = None, prefix: str | None = None) -> dict[str, Any]:
        """The form fields of ``node`` (the whole tree by default), related models as sub-forms."""
        node = node or self._field_tree
        result: dict[str, Any] = {}
        for field in node.fields:
            result[f"{self.field_operation_prefix}{field.name}"] = self.get_operation_field(field)
            result[f"{self.field_value_prefix}{field.name}"] = self.get_value_field(field)
        for name, child in node.children.items():
            result[f"{self.field_relation_prefix}{name}"] = wtf_fields.FormField(
                self.get_form(self.get_field_dict(child, name)), separator=self.separator
            )
        return result

    def get_form(self, field_dict: dict[str, Any]) -> type[Any]:
        """A form class holding ``field_dict``."""
        return type(f"{self.model.__name__}FilterForm", (self.base_class,), field_dict)

    def parse_query_filters(self, args: Any = None) -> dict[peewee.Field, list[tuple[Any, ...]]]:
        """The filters present in ``args`` (the request's): per field, operator keys, values and the joins."""
        if args is None:
            from flask import request

            args = request.args
        found: dict[peewee.Field, list[tuple[Any, ...]]] = {}

        def walk(node: FieldTreeNode, prefix: str, chain: list[peewee.Field], labels: list[str]) -> None:
            for field in node.fields:
                op_name = f"{prefix}{self.field_operation_prefix}{field.name}"
                value_name = f"{prefix}{self.field_value_prefix}{field.name}"
                if op_name in args and value_name in args:
                    found.setdefault(field, []).append(
                        (
                            args.getlist(op_name),
                            args.getlist(value_name),
                            list(chain),
                            op_name,
                            value_name,
                            " / ".join([*labels, field.name]),
                        )
                    )
            for name, child in node.children.items():
                fk = node.model._meta.fields[name]
                walk(
                    child, f"{prefix}{self.field_relation_prefix}{name}{self.separator}", [*chain, fk], [*labels, name]
                )

        walk(self._field_tree, "", [], [])
        return found

    def process_request(
        self, query: peewee.ModelSelect, args: Any = None
    ) -> tuple[Any, peewee.ModelSelect, list[dict[str, Any]]]:
        """Apply the request's filters to ``query``: ``(form, query, cleaned filters)``.

        A value a filter cannot clean is skipped; several values for one operation are ORed,
        different operations ANDed.
        """
        if args is None:
            from flask import request

            args = request.args
        form_class = self.get_form(self.get_field_dict())
        form = form_class(args)
        cleaned: list[dict[str, Any]] = []
        aliases: dict[tuple[str, ...], Any] = {}
        for field, entries in self.parse_query_filters(args).items():
            for keys, values, chain, _op_name, _value_name, label in entries:
                query, column = alias_field(query, query.model, chain, field, aliases)
                groups: dict[str, list[Any]] = {}
                for key, raw in zip(keys, values, strict=False):
                    query_filter = self.get_query_filter(field, key)
                    if query_filter is None:
                        continue
                    try:
                        value = query_filter.clean(raw)
                    except (TypeError, ValueError):
                        continue
                    groups.setdefault(str(query_filter.key), []).append(_bound(query_filter, column).query(value))
                    cleaned.append(
                        {"label": label, "key": query_filter.key, "value": raw, "input_type": query_filter.input_type}
                    )
                for conditions in groups.values():
                    query = query.where(reduce(operator.or_, conditions))
        return form, query, cleaned


class AdminFilterModelConverter(FilterModelConverter):
    """The original's filter-value converter of a model admin: foreign keys as a limited select.

    A foreign key in ``foreign_key_lookups`` gets an :class:`AjaxSelectWidget` reading the
    admin's lookup endpoint.
    """

    def __init__(self, model_admin: Any, additional: Any = None) -> None:
        super().__init__(additional)
        self.model_admin = model_admin

    def handle_foreign_key(
        self, model: type[peewee.Model], field: peewee.ForeignKeyField, **kwargs: Any
    ) -> tuple[str, Any]:
        if field.name in (self.model_admin.foreign_key_lookups or {}):
            from flask import url_for

            kwargs["widget"] = AjaxSelectWidget(url_for(self.model_admin.get_url_name("lookup")), field.name)
        return field.name, LimitedModelSelectField(model=field.rel_model, **kwargs)


def _bound(query_filter: QueryFilter, column: Any) -> QueryFilter:
    """A copy of ``query_filter`` comparing ``column`` (an aliased field of a join) instead of the model's field."""
    copy = type(query_filter).__new__(type(query_filter))
    copy.__dict__.update(query_filter.__dict__)
    copy.field = column
    return copy


@functools.cache
def _default_filter_classes() -> frozenset[type[QueryFilter]]:
    base = FilterMapping
    groups = (base.string, base.numeric, base.datetime_date, base.timestamp, base.foreign_key, base.boolean)
    return frozenset(cls for group in groups for cls in group)


def is_stock_filter(query_filter: QueryFilter) -> bool:
    """Whether ``query_filter`` is a stock class the toolkit's operator of the same key already applies."""
    return type(query_filter) in _default_filter_classes() and query_filter.key in OPERATORS


def mapping_filters(
    model_admin: ModelAdmin, args: MultiDict[str, str], resolve: Callable[[str], list[peewee.Field] | None]
) -> tuple[MultiDict[str, str], list[tuple[list[peewee.Field], QueryFilter, str]]]:
    """Split ``args`` into the toolkit's filters and those a custom ``filter_mapping`` handles.

    An argument ``path__<key>`` goes to the mapping when ``<key>`` names a filter the mapping
    offers for that field, unless it is a stock class whose key is one of the toolkit's
    operators (the toolkit applies those with the same meaning). ``resolve(path)`` gives the
    chain of fields of a path the user may filter on, or None.
    """
    mapping = model_admin.get_filter_mapping()
    rest: MultiDict[str, str] = MultiDict()
    custom: list[tuple[list[peewee.Field], QueryFilter, str]] = []
    for key, value in args.items(multi=True):
        path, sep, op = key.rpartition("__")
        chain = resolve(path) if sep else None
        chosen = None
        if chain:
            for query_filter in mapping.convert(chain[-1]):
                if query_filter.key == op and not is_stock_filter(query_filter):
                    chosen = query_filter
                    break
        if chain and chosen is not None:
            custom.append((chain, chosen, value))
        else:
            rest.add(key, value)
    return rest, custom


def apply_mapping_filters(
    query: peewee.ModelSelect, custom: list[tuple[list[peewee.Field], QueryFilter, str]]
) -> tuple[peewee.ModelSelect, list[str]]:
    """Apply the custom filters of :func:`mapping_filters` (ANDed); values they cannot clean are reported."""
    errors: list[str] = []
    aliases: dict[tuple[str, ...], Any] = {}
    for chain, query_filter, raw in custom:
        path = "__".join(f.name for f in chain)
        try:
            if "\x00" in raw:
                raise ValueError("NUL characters are not allowed")
            value = query_filter.clean(raw)
        except (TypeError, ValueError, OverflowError):
            errors.append(f"Invalid value for {path}__{query_filter.key}: {raw!r}")
            continue
        fks = cast("list[peewee.ForeignKeyField]", chain[:-1])  # every step but the last follows a foreign key
        query, column = alias_field(query, query.model, fks, chain[-1], aliases)
        query = query.where(_bound(query_filter, column).query(value))
    return query, errors


_LEGACY_KEY = re.compile(r"^((?:fr_[A-Za-z0-9_]+-)*)fo_([A-Za-z0-9_]+)$")


class LegacyFilterRow:
    """One filter of the original's query string: the field (through ``relations``), its filter and raw value."""

    def __init__(self, relations: list[str], field: peewee.Field, query_filter: QueryFilter, raw: str) -> None:
        self.relations = relations
        self.field = field
        self.query_filter = query_filter
        self.raw = raw
        self.path = "__".join([*relations, field.name])

    def as_active_filter(self, model_admin: ModelAdmin) -> dict[str, Any]:
        """The row as the original's ``active_filters`` entry: ``label``, ``key``, ``value`` and its two inputs.

        ``op_field`` and ``value_field`` are bound WTForms fields named as the original's
        (``fr_user-fo_username``), rendered with this row's operation and value selected.
        """
        key = str(self.query_filter.key)
        offered = model_admin.get_filter_mapping().convert(self.field)
        choice = getattr(wtf_fields.choices, "SelectChoice", None)  # WTForms 3.3; tuples before
        choices = [choice(str(qf.key), qf.operation()) if choice else (str(qf.key), qf.operation()) for qf in offered]
        op_field = wtf_fields.SelectField(choices=choices, widget=SmallSelectWidget())
        converter = model_admin.filter_converter(model_admin)
        info = converter.convert(self.field.model, self.field, None)
        value_field: Any = info[1] if info is not None and info[1] is not None else wtf_fields.StringField()
        value_field.kwargs["validators"] = [validators.Optional()]
        names = {"op": f"fo_{self.field.name}", "value": f"fv_{self.field.name}"}
        form_class = type("LegacyFilterRowForm", (wtf_form.Form,), {names["op"]: op_field, names["value"]: value_field})
        prefix = "-".join(f"fr_{r}" for r in self.relations)
        full = {k: f"{prefix}-{v}" if prefix else v for k, v in names.items()}
        form = form_class(MultiDict([(full["op"], key), (full["value"], self.raw)]), prefix=prefix)
        return {
            "label": " / ".join([*self.relations, self.field.name]),
            "key": key,
            "value": self.raw,
            "input_type": self.query_filter.input_type,
            "path": self.path,
            "op_field": form[names["op"]],
            "value_field": form[names["value"]],
        }


def legacy_filter_rows(model_admin: ModelAdmin, args: MultiDict[str, str]) -> list[LegacyFilterRow] | None:
    """The original admin's ``fo_<field>=<op>&fv_<field>=<value>`` filters (``fr_<fk>-`` across foreign keys)
    in ``args``, in their order, or None when ``args`` holds none.

    An operation is a key (``startswith``) or the original's position in the field's
    :class:`FilterMapping` list (``0``). Unknown or sensitive fields, unknown operations and
    values the filter cannot clean are dropped, as the original ignored them.
    """
    legacy = [key for key in args if _LEGACY_KEY.match(key)]
    if not legacy:
        return None
    mapping = model_admin.get_filter_mapping()
    rows: list[LegacyFilterRow] = []
    for key in legacy:
        match = _LEGACY_KEY.match(key)
        assert match is not None
        relations = [r[len("fr_") :] for r in match.group(1).split("-") if r]
        value_key = f"{match.group(1)}fv_{match.group(2)}"
        model: Any = model_admin.model
        field = None
        for depth, name in enumerate([*relations, match.group(2)]):
            field = model._meta.fields.get(name)
            if field is None or (depth < len(relations) and not isinstance(field, peewee.ForeignKeyField)):
                field = None
                break
            if depth < len(relations):
                model = field.rel_model
        if field is None or field.name in get_sensitive_fields(model):
            continue  # as the original ignored unknown fields; a secret is never a filter
        offered = mapping.convert(field)
        by_key = {str(qf.key): qf for qf in offered}
        for op, value in zip(args.getlist(key), args.getlist(value_key), strict=False):
            if op.isdigit():
                op = str(offered[int(op)].key) if int(op) < len(offered) else ""
            query_filter = by_key.get(op)
            if query_filter is None:
                continue
            try:
                if "\x00" in value:
                    raise ValueError("NUL characters are not allowed")
                query_filter.clean(value)
            except (TypeError, ValueError, OverflowError):
                continue
            rows.append(LegacyFilterRow(relations, field, query_filter, value))
    return rows


def legacy_filter_pairs(model_admin: ModelAdmin, args: MultiDict[str, str]) -> list[tuple[str, str]] | None:
    """The original admin's filters in ``args`` (see :func:`legacy_filter_rows`) as this admin's query-string
    pairs, or None when ``args`` holds none.

    Several ``eq`` values of one field become one ``__in`` (the original ORed them); different
    operations are ANDed. The other arguments (search, ordering, page) are kept.
    """
    rows = legacy_filter_rows(model_admin, args)
    if rows is None:
        return None
    pairs: list[tuple[str, str]] = []
    equal: dict[str, list[str]] = {}
    for row in rows:
        op = str(row.query_filter.key)
        if op == "eq":
            equal.setdefault(row.path, []).append(row.raw)
        else:
            pairs.append((f"{row.path}__{op}", row.raw))
    for path, values in equal.items():
        pairs.append((path, values[0]) if len(values) == 1 else (f"{path}__in", ",".join(values)))
    kept = [(k, v) for k, v in args.items(multi=True) if not k.startswith(("fo_", "fv_", "fr_"))]
    return kept + pairs
