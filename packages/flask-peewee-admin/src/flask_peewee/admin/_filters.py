"""The filter form of the list and export views: rows of field, operator and value, rendered server-side.

The rows submit as ``_ff``/``_fo``/``_fv`` triples; the list view turns them into the
django-style query string (``user__username__ilike=a%``) REST uses, so URLs stay shareable.
Parsing and applying the filters is flask-peewee-utils' job, and so is deciding what may be
filtered: the form offers the paths and operators :func:`~flask_peewee.utils.parse_filters`
accepts (:func:`~flask_peewee.utils.filterable_path`, :func:`~flask_peewee.utils.field_operators`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import peewee
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from flask_peewee.admin._i18n import gettext, lazy_gettext
from flask_peewee.utils import OPERATORS, field_kind, get_sensitive_fields
from flask_peewee.utils.internal import (
    app_gettext,
    field_operators,
    filterable_path,
    html_language,
    path_allowed,
    split_filter_key,
)

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["OPERATOR_LABELS", "FieldTreeNode", "FilterChoice", "FilterForm", "filter_kind", "rows_to_args"]

OPERATOR_LABELS = {
    "eq": lazy_gettext("equals"),
    "ne": lazy_gettext("does not equal"),
    "lt": lazy_gettext("is less than"),
    "lte": lazy_gettext("is at most"),
    "gt": lazy_gettext("is greater than"),
    "gte": lazy_gettext("is at least"),
    "in": lazy_gettext("is one of (a,b,c)"),
    "is": lazy_gettext("is (null, true, false)"),
    "like": lazy_gettext("matches (% and _, case-sensitive)"),
    "ilike": lazy_gettext("matches (% and _)"),
}
#: the order operators are offered in (the pattern matches first for text)
_OPERATOR_ORDER = ("eq", "ne", "ilike", "like", "lt", "lte", "gt", "gte", "in", "is")
#: the input a kind of field gets, by the toolkit's :func:`~flask_peewee.utils.field_kind`
_INPUT_KINDS = {
    "fk": "fk",
    "bool": "bool",
    "int": "number",
    "float": "number",
    "decimal": "number",
    "datetime": "date",
    "date": "date",
    "time": "date",
    "text": "text",
    "json": "json",
}
ROW_FIELD, ROW_OP, ROW_VALUE = "_ff", "_fo", "_fv"


def filter_kind(field_: peewee.Field) -> str:
    """The kind of input a filter on ``field_`` needs (text, number, date, bool, fk, json, other)."""
    return _INPUT_KINDS.get(field_kind(field_), "other")


@dataclass
class FilterChoice:
    """A field the user may filter on: its ``path`` (``user__username``), label, kind and operators.

    A field of a related model has ``related`` (that model) and ``field_label`` (the field's own
    label): the form shows them as ``User / Username``, each part in the user's language.
    """

    path: str
    label: str
    kind: str
    operators: tuple[str, ...]
    lookup: bool = False
    related: type[peewee.Model] | None = None
    field_label: str = ""


@dataclass
class FieldTreeNode:
    """The fields of ``model`` open to filters, and one child node per foreign key followed."""

    model: type[peewee.Model]
    fields: list[Any]
    children: dict[str, FieldTreeNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.children is None:  # the original's FieldTreeNode(model, fields, None)
            self.children = {}


@dataclass
class FilterRow:
    """One filter as the user wrote it (for re-rendering the form)."""

    path: str
    op: str
    value: str


def rows_to_args(args: MultiDict[str, str], extra_ops: Any = ()) -> list[tuple[str, str]]:
    """The query-string pairs for the ``_ff``/``_fo``/``_fv`` rows a filter form submitted (blank rows dropped).

    ``extra_ops`` are the keys of a ``filter_mapping``'s own filters.
    """
    pairs = []
    for path, op, value in zip(args.getlist(ROW_FIELD), args.getlist(ROW_OP), args.getlist(ROW_VALUE), strict=False):
        path, op = path.strip(), op.strip() or "eq"
        if not path or (op not in OPERATORS and op not in extra_ops):
            continue
        pairs.append((path if op == "eq" else f"{path}__{op}", value))
    return pairs


_OFFERS = "_flask_peewee_admin_filter_offers"
_RENDERED_PER_OFFER = 256
_OFFERS_PER_ADMIN = 64


def _frozen(value: Any) -> Any:
    return None if value is None else tuple(value)


class FilterForm:
    """What the list view needs to render and read its filters (see :meth:`ModelAdmin.process_filters`)."""

    def __init__(self, model_admin: ModelAdmin, args: MultiDict[str, str]) -> None:
        self.model_admin = model_admin
        self.args = args
        self.errors: list[str] = []
        self.active: list[Any] = []
        self.custom: list[Any] = []  # the filters of a custom filter_mapping among them
        self.field_tree, self.choices, labels, self._rendered = self._offered()
        self.operator_labels = dict(labels)
        extra = [op for op in self.operator_labels if op not in OPERATOR_LABELS]
        known = (*OPERATORS, *extra)
        self.rows = [FilterRow(*split_filter_key(key, known), value) for key, value in args.items(multi=True)]

    def _offered(self) -> tuple[FieldTreeNode, list[FilterChoice], dict[str, str], dict[Any, Markup]]:
        """The field tree, its choices, the operator labels and their rendered ``<option>`` elements (per
        language, filled as pages ask): built once per model admin and what they depend on.

        They depend on the admin's filter options and mapping, the models' fields and secrets, and
        which related models the user may view; a change of any of these builds them again.
        """
        key = self._offer_key()
        cache: dict[Any, Any] = self.model_admin.__dict__.setdefault(_OFFERS, {})
        cached = cache.get(key) if key is not None else None
        if cached is not None:
            return cast("tuple[FieldTreeNode, list[FilterChoice], dict[str, str], dict[Any, Markup]]", cached)
        self.operator_labels = dict(OPERATOR_LABELS)
        tree = self._node(self.model_admin.model, "", depth=1)
        rendered: dict[Any, Markup] = {}
        built = (tree, self._flatten(tree), dict(self.operator_labels), rendered)
        if key is not None:
            if len(cache) >= _OFFERS_PER_ADMIN:
                cache.clear()
            cache[key] = built
        return built

    def _offer_key(self) -> tuple[Any, ...] | None:
        """What :meth:`_offered` depends on, or None when a subclass builds the tree its own way."""
        cls = type(self)
        if any(getattr(cls, name) is not getattr(FilterForm, name) for name in ("_node", "_choice", "_flatten")):
            return None
        ma = self.model_admin
        model = ma.model
        related = [fld.rel_model for fld in model._meta.sorted_fields if isinstance(fld, peewee.ForeignKeyField)]
        shapes = tuple(
            (m, get_sensitive_fields(m), tuple((f.name, type(f)) for f in m._meta.sorted_fields))
            for m in (model, *related)
        )
        options = (_frozen(ma.filter_fields), _frozen(ma.filter_exclude), id(ma.get_filter_mapping()))
        return (*options, shapes, tuple(ma.can_view_related(m) for m in related))

    def _node(self, model: type[peewee.Model], prefix: str, depth: int) -> FieldTreeNode:
        """The fields of ``model`` (reached by ``prefix``) a filter may use, following ``depth`` more foreign keys."""
        ma = self.model_admin
        only = ma.filter_fields
        exclude = tuple(ma.filter_exclude or ())
        sensitive = get_sensitive_fields(model)
        node = FieldTreeNode(model, [])
        for fld in model._meta.sorted_fields:
            path = f"{prefix}{fld.name}"
            if filterable_path(ma.model, path, fields=only, exclude=exclude) is not None:
                node.fields.append(self._choice(model, fld, path, lookup=not prefix))
            if (
                isinstance(fld, peewee.ForeignKeyField)
                and depth > 0
                and fld.name not in sensitive
                and path_allowed(path.split("__"), only, exclude, partial=True)  # a listed deeper path opens it
                and ma.can_view_related(fld.rel_model)
            ):
                node.children[fld.name] = self._node(fld.rel_model, f"{path}__", depth - 1)
        return node

    def _choice(self, model: type[peewee.Model], fld: peewee.Field, path: str, lookup: bool) -> FilterChoice:
        ma = self.model_admin
        helper = ma.admin.template_helper
        kind = filter_kind(fld)
        label = field_label = helper.get_verbose_name(model, fld.name)
        related = model if "__" in path else None
        if related is not None:  # untranslated (the offers are cached across requests): the form shows choice_label()
            label = f"{helper.readable_name(model)} / {label}"
        accepted = field_operators(fld)
        operators = tuple(op for op in _OPERATOR_ORDER if op in accepted)
        for query_filter in ma.custom_query_filters(fld):
            operators += (str(query_filter.key),)
            # the label of a filter class: the admin's catalogue has those of the original's filters
            self.operator_labels.setdefault(str(query_filter.key), lazy_gettext(str(query_filter.operation())))
        return FilterChoice(path, label, kind, operators, lookup and kind == "fk", related, field_label)

    def _flatten(self, node: FieldTreeNode) -> list[FilterChoice]:
        result = list(node.fields)
        for child in node.children.values():
            result.extend(self._flatten(child))
        return result

    @property
    def is_active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.rows)

    def field_options(self, selected: str | None = None) -> Markup:
        """The ``<option>`` elements of the field select, ``selected`` marked (built once per language and choice)."""
        cache, key = self._rendered, ("fields", html_language(), selected)
        html = cache.get(key)
        if html is None:
            field_text = escape(gettext("Field\u2026"))
            parts = [f'<option value="">{field_text}</option>']
            for choice in self.choices:
                lookup = ' data-lookup="1"' if choice.lookup else ""
                chosen = " selected" if choice.path == selected else ""
                label = escape(self.choice_label(choice))
                parts.append(
                    f'<option value="{escape(choice.path)}" data-kind="{escape(choice.kind)}"'
                    f' data-ops="{escape(",".join(choice.operators))}"{lookup}{chosen}>{label}</option>'
                )
            if len(cache) >= _RENDERED_PER_OFFER:  # choices come from query strings: keep it bounded
                cache.clear()
            html = cache[key] = Markup("".join(parts))  # noqa: S704 - every value escaped above
        return html

    def choice_label(self, choice: FilterChoice | None) -> str:
        """The label of ``choice`` in the user's language: the model and field names through the app's translations.

        A related field reads ``User / Username`` (the separator from the admin's catalogue).
        """
        if choice is None:
            return ""
        if choice.related is None or not choice.field_label:
            return app_gettext(choice.label)
        model_name = self.model_admin.admin.template_helper.get_model_name(choice.related)
        return gettext("%(model)s / %(field)s", model=model_name, field=app_gettext(choice.field_label))

    def operator_options(self, path: str | None = None, selected: str | None = None) -> Markup:
        """The ``<option>`` elements of the operator select: those of ``path``'s field (all without one)."""
        cache, key = self._rendered, ("operators", html_language(), path, selected)
        html = cache.get(key)
        if html is None:
            current = self.choice(path) if path else None
            if len(cache) >= _RENDERED_PER_OFFER:
                cache.clear()
            html = cache[key] = Markup(  # noqa: S704 - every value escaped below
                "".join(
                    f'<option value="{escape(op)}"{" selected" if op == selected else ""}>{escape(label)}</option>'
                    for op, label in self.operator_labels.items()
                    if current is None or op in current.operators
                )
            )
        return html

    def choice(self, path: str) -> FilterChoice | None:
        """The :class:`FilterChoice` for ``path`` (None when it is not offered)."""
        return next((c for c in self.choices if c.path == path), None)
