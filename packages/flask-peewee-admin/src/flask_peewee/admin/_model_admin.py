"""``ModelAdmin``: how one model is listed, filtered, edited, deleted and exported in the admin."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import peewee
from flask import request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtfpeewee.orm import model_form

from flask_peewee.admin._actions import AdminAction, resolve_actions
from flask_peewee.admin._audit import audit_log_of
from flask_peewee.admin._export import ExportMixin
from flask_peewee.admin._filters import FieldTreeNode, FilterForm
from flask_peewee.admin._forms import AdminModelConverter, fingerprint
from flask_peewee.admin._helpers import english_plural
from flask_peewee.admin._hooks import check_model_admin_class
from flask_peewee.admin._i18n import TranslatedForm, format_number, gettext, is_singular, lower_name
from flask_peewee.admin._inlines import InlineFormSet, InlineModelAdmin, resolve_inlines
from flask_peewee.admin._legacy_filters import (
    AdminFilterModelConverter,
    apply_mapping_filters,
    is_stock_filter,
    legacy_filter_pairs,
    legacy_filter_rows,
    make_field_tree,
    mapping_filters,
)
from flask_peewee.admin._lookups import LookupMixin
from flask_peewee.admin._m2m import ManyToManyFormField, ManyToManyFormMixin, form_many_to_many_fields, write_links
from flask_peewee.admin._query_filters import (
    FilterMapping,
    QueryFilter,
)
from flask_peewee.admin._related import load_related, related_paths
from flask_peewee.admin._uploads import FileViews
from flask_peewee.admin._views import ModelViews
from flask_peewee.db.typed import does_not_exist
from flask_peewee.utils import (
    DEFAULT_IGNORED_PARAMS,
    ConversionError,
    QueryError,
    apply_ordering,
    apply_search,
    filter_query,
    get_sensitive_fields,
    parse_filters,
)
from flask_peewee.utils.internal import app_gettext, parse_key
from flask_peewee.utils.uploads import file_fields

if TYPE_CHECKING:
    from flask_peewee.admin._admin import Admin
    from flask_peewee.auth import Auth

__all__ = ["Column", "ModelAdmin"]

TEMPLATES = {
    "index": "admin/models/index.html",
    "add": "admin/models/add.html",
    "edit": "admin/models/edit.html",
    "delete": "admin/models/delete.html",
    "export": "admin/models/export.html",
    "history": "admin/models/history.html",
    "action": "admin/models/action.html",
}
SEARCH_PARAM = "q"


_ONE_LINE_FIELDS = (peewee.DateTimeField, peewee.DateField, peewee.TimeField, peewee.TimestampField)


class Column:
    """One column of the list: a field (sortable), an attribute, a method or a callable taking the object."""

    def __init__(self, model: type[peewee.Model], spec: str | Callable[[Any], Any], label: str) -> None:
        self.spec = spec
        self.label = label
        self.field = model._meta.fields.get(spec) if isinstance(spec, str) else None
        self.name = spec if isinstance(spec, str) else getattr(spec, "__name__", "column")
        #: a foreign key to a model the user may not view shows the key, not the related object
        self.key_only = False
        #: whether the list can be ordered by this column (``ModelAdmin.column_is_sortable``)
        self.sortable = self.field is not None
        #: the cell's CSS class: dates and times are kept on one line
        self.css_class = "fp-nowrap" if isinstance(self.field, _ONE_LINE_FIELDS) else ""

    def value(self, obj: Any) -> Any:
        """The value shown for ``obj`` (a callable attribute is called; a related object stays an object)."""
        if not isinstance(self.spec, str):
            return self.spec(obj)
        if self.key_only and self.field is not None:
            return obj.__data__.get(self.field.name)
        try:
            value = getattr(obj, self.spec)
        except peewee.DoesNotExist:
            return None
        return value() if callable(value) and not isinstance(value, (peewee.Model, Markup)) else value


class ModelAdmin(ExportMixin, LookupMixin, FileViews, ModelViews):
    """How a model appears in the admin. Subclass it and register it with the model.

    Usage::

        class EntryAdmin(ModelAdmin):
            columns = ("title", "pub_date", "blog")
            foreign_key_lookups = {"blog": "title"}
            search_fields = ("title", "blog__title")

        admin.register(Entry, EntryAdmin)
    """

    #: list columns: field names (sortable), attribute or method names, or callables taking the object
    columns: Sequence[str | Callable[[Any], Any]] = ()
    paginate_by = 20
    filter_paginate_by = 15
    #: only these (``__`` paths allowed) may be filtered; None means every non-sensitive field
    filter_fields: Sequence[str] | None = None
    filter_exclude: Sequence[str] = ()
    #: the add/edit form shows only these fields (None: all but ``exclude``)
    fields: Sequence[str] | None = None
    exclude: Sequence[str] | None = None
    delete_collect_objects = True
    delete_recursive = True
    #: foreign keys picked through the lookup dialog: ``{"user": "username"}`` (the label/search column)
    foreign_key_lookups: dict[str, str] = {}
    #: text fields the search box looks in (``__`` paths cross foreign keys)
    search_fields: Sequence[str] = ()
    #: more foreign keys (``__`` paths) the list fetches per page, for columns that read them; the
    #: foreign keys among ``columns`` are always fetched (one query per key and page, not per row)
    list_select_related: Sequence[str] = ()
    #: child rows edited on this model's form: :class:`InlineModelAdmin` subclasses or child models
    inlines: Sequence[Any] = ()
    #: extra bulk actions: :class:`AdminAction` subclasses/instances or names of ``@admin_action`` methods
    actions: Sequence[Any] = ()
    #: the :class:`~flask_peewee.filters.FilterMapping` (sub)class; its own :class:`QueryFilter`
    #: subclasses are offered as operators and applied from ``?path__<key>=value``
    filter_mapping: Any = FilterMapping
    #: the form converter class, called as ``form_converter(model_admin)``: an :class:`AdminModelConverter` subclass
    form_converter: type[AdminModelConverter] = AdminModelConverter
    #: the original's converter of filter value inputs; the admin's filter values are text inputs
    #: (see :class:`~flask_peewee.admin.FilterForm`), so a subclass may not replace it
    filter_converter: Any = AdminFilterModelConverter
    #: whitelist of this model's fields an export may hold (None: every non-sensitive field)
    export_fields: Sequence[str] | None = None
    #: fields an export never holds (related models follow their own admin's settings)
    export_exclude: Sequence[str] | None = None
    #: the plural of the model's name in counts (``7 messages``); None: the English plural of :meth:`get_display_name`
    verbose_name_plural: str | None = None
    #: the template of each view; :meth:`get_template_overrides` is applied over it
    base_templates: dict[str, str] = dict(TEMPLATES)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check_model_admin_class(cls)

    def __init__(self, admin: Admin, model: type[peewee.Model]) -> None:
        self.admin = admin
        self.model = model
        #: the original's shortcuts, used by its ``get_object`` overrides (``self.pk == pk``)
        self.db = model._meta.database
        self.pk = model._meta.primary_key
        self.templates = {**TEMPLATES, **(self.base_templates or {})}
        self.templates.update(self.get_template_overrides() or {})
        self._inlines = resolve_inlines(self)

    @property
    def auth(self) -> Auth:
        """The admin's :class:`~flask_peewee.auth.Auth` (the docs' ``self.auth.get_logged_in_user()``)."""
        return self.admin.auth

    @property
    def database(self) -> peewee.Database:
        """The peewee database of the model (for transactions)."""
        return self.model._meta.database

    # -- names and urls ---------------------------------------------------------------

    def get_admin_name(self) -> str:
        """The URL segment and endpoint prefix of this model (``note`` for ``Note``)."""
        return self.model._meta.name

    def get_display_name(self) -> str:
        """The model's name as shown in headings (through the app's own translations when it has Flask-Babel)."""
        return app_gettext(self.admin.template_helper.readable_name(self.model))

    def get_display_name_plural(self) -> str:
        """The plural of :meth:`get_display_name` (``verbose_name_plural`` when set)."""
        name = self.verbose_name_plural or english_plural(self.admin.template_helper.readable_name(self.model))
        return app_gettext(str(name))

    def count_label(self, count: int) -> str:
        """A number of this model's objects in words: ``1 message``, ``7 messages`` (in the locale's words)."""
        name = self.get_display_name() if is_singular(count) else self.get_display_name_plural()
        return gettext("%(num)s %(name)s", num=format_number(count), name=lower_name(name))

    def get_url_name(self, name: str) -> str:
        """The endpoint of this model admin's view ``name``, for ``url_for`` (``admin.note_edit``)."""
        return f"{self.admin.blueprint.name}.{self.get_admin_name()}_{name}"

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """``(url, view)`` pairs under ``/<admin name>``; extend it to add views (the admin protects them)."""
        return (
            ("/", self.index),
            ("/add/", self.add),
            ("/delete/", self.delete),
            ("/export/", self.export),
            ("/lookup/", self.lookup),
            ("/_ajax/", self.ajax_list),
            ("/action/", self.action),
            ("/<pk>/", self.edit),
            ("/<pk>/history/", self.history),
        ) + ((("/_file/<field>/<path:name>", self.stored_file),) if file_fields(self.model) else ())

    def get_template_overrides(self) -> dict[str, str]:
        """Templates to use instead of the defaults, by view: index, add, edit, delete, export."""
        return {}

    def can_view_related(self, model: type[peewee.Model]) -> bool:
        """Whether the user may see ``model``'s values through this admin (related columns, filters, exports).

        A registered model needs its view permission; another model needs the whole admin.
        """
        if model is self.model:
            return self.can("view")
        if self.admin.get_model_admin(model) is not None:
            return self.admin.has_permission(model, "view")
        user = self.auth.get_logged_in_user()
        return user is not None and bool(self.admin.check_user_permission(user))

    def path_is_visible(self, path: str) -> bool:
        """Whether every model a ``__`` path (``user__email``, ``user__email__ilike``) crosses may be viewed."""
        names = path.split("__")
        model = self.model
        for index, name in enumerate(names[:-1]):
            field = model._meta.fields.get(name)
            if field is None:
                for candidate in model._meta.fields.values():
                    if isinstance(candidate, peewee.ForeignKeyField) and candidate.object_id_name == name:
                        field = candidate
            if not isinstance(field, peewee.ForeignKeyField):
                return True  # the rest is an operator, or not a path the toolkit accepts anyway
            rest = names[index + 1 :]
            if len(rest) == 1 and rest[0] not in field.rel_model._meta.fields:
                return True  # ``user__in``: an operator on the key itself
            if not self.can_view_related(field.rel_model):
                return False
            model = field.rel_model
        return True

    def can(self, action: str) -> bool:
        """Whether the logged-in user may ``action`` (view, add, change, delete, export) this model."""
        return self.admin.has_permission(self.model, action)

    # -- queries ----------------------------------------------------------------------

    def get_query(self) -> peewee.ModelSelect:
        """The rows this admin exposes (every view, lookups and exports start from it)."""
        return self.model.select()

    def get_object(self, pk: Any) -> peewee.Model:
        """The row with primary key ``pk`` within :meth:`get_query`; raises ``DoesNotExist``."""
        primary = self.model._meta.primary_key
        try:
            pk = parse_key(self.model, pk)
        except ConversionError:  # not a key this column can hold (e.g. an integer past 64 bits)
            raise does_not_exist(self.model)(pk) from None
        try:
            return self.get_query().where(primary == pk).get()
        except (ValueError, TypeError, peewee.DataError):
            raise does_not_exist(self.model)(pk) from None

    def get_ordering(self) -> Any:
        """The default order of the list (the primary key)."""
        return self.model._meta.primary_key

    def related_query(self, field: peewee.ForeignKeyField | peewee.ManyToManyField) -> peewee.ModelSelect:
        """The rows a foreign key (or many-to-many field) may point at: the related admin's query when registered."""
        related_admin = self.admin.get_model_admin(field.rel_model)
        return related_admin.get_query() if related_admin is not None else field.rel_model.select()

    # -- list columns -----------------------------------------------------------------

    def get_columns(self) -> list[Column]:
        """The list's columns; sensitive fields are dropped whatever ``columns`` says."""
        helper = self.admin.template_helper
        sensitive = get_sensitive_fields(self.model)
        result = []
        for spec in self.columns or ():
            if isinstance(spec, str):
                if spec in sensitive:
                    continue
                label = helper.get_verbose_name(self.model, spec)
            else:
                label = str(getattr(spec, "short_description", None) or helper.fix_underscores(spec.__name__))
            column = Column(self.model, spec, label)
            if isinstance(column.field, peewee.ForeignKeyField) and not self.can_view_related(column.field.rel_model):
                column.key_only = True
            result.append(column)
        return result

    def column_is_sortable(self, col: str) -> bool:
        """Whether the list may be ordered by ``col`` (a field, or a ``__`` path through models the user may view)."""
        return col.split("__")[0] in self.model._meta.fields and self.path_is_visible(col)

    def list_columns(self) -> list[Column]:
        """:meth:`get_columns` as :class:`Column` objects (the original's plain names are accepted), sortability
        from :meth:`column_is_sortable`; sensitive fields are dropped whatever it returns."""
        helper = self.admin.template_helper
        sensitive = get_sensitive_fields(self.model)
        columns = []
        for item in self.get_columns() or ():
            if not isinstance(item, Column):
                if isinstance(item, str) and item in sensitive:
                    continue
                label = (
                    helper.get_verbose_name(self.model, item)
                    if isinstance(item, str)
                    else str(getattr(item, "short_description", None) or helper.fix_underscores(item.__name__))
                )
                item = Column(self.model, item, label)
                if isinstance(item.field, peewee.ForeignKeyField) and not self.can_view_related(item.field.rel_model):
                    item.key_only = True
            if item.field is not None and item.field.name in sensitive:
                continue
            item.sortable = isinstance(item.spec, str) and bool(self.column_is_sortable(item.spec))
            columns.append(item)
        return columns

    def apply_ordering(self, query: peewee.ModelSelect, ordering: str | None) -> peewee.ModelSelect:
        """Order ``query`` by ``ordering`` (``[-]field``, the list's ``?ordering=``); a column that
        :meth:`column_is_sortable` refuses raises :class:`~flask_peewee.utils.QueryError`."""
        if not ordering:
            return query
        for name in ordering.split(","):
            column = name.strip().lstrip("-")
            if column and not self.column_is_sortable(column):
                raise QueryError(f"Cannot order by {column!r}", param="ordering")
        return apply_ordering(query, ordering)

    def get_list_related(self) -> list[str]:
        """The foreign-key paths each page of the list fetches: from ``columns``, then ``list_select_related``."""
        sensitive = get_sensitive_fields(self.model)
        names = [c for c in self.columns or () if isinstance(c, str) and c not in sensitive]
        return related_paths(self.model, [*names, *self.list_select_related])

    def load_related(self, objects: list[Any]) -> list[Any]:
        """Attach the related rows of :meth:`get_list_related` to ``objects`` (one query per foreign key)."""
        load_related(objects, self.get_list_related())
        return objects

    # -- forms ------------------------------------------------------------------------

    def get_form(self, adding: bool = False) -> type[Any]:
        """The wtf-peewee form class of the add/edit views (``fields``/``exclude`` applied)."""
        allow_pk = adding and not isinstance(self.model._meta.primary_key, (peewee.AutoField, peewee.CompositeKey))
        converter = self.form_converter(self)
        converter.adding = adding
        form_class = model_form(
            self.model,
            allow_pk=allow_pk,
            only=self.fields,
            exclude=self.exclude,
            converter=converter,
            base_class=TranslatedForm,
        )
        extra = {
            field.name: converter.convert_many_to_many(field)
            for field in form_many_to_many_fields(self.model)
            if (self.fields is None or field.name in self.fields) and field.name not in (self.exclude or ())
        }
        return type(form_class.__name__, (ManyToManyFormMixin, form_class), extra) if extra else form_class

    def get_inlines(self) -> list[InlineModelAdmin]:
        """The :class:`InlineModelAdmin` objects of ``inlines``, in order."""
        return list(self._inlines)

    def get_formsets(self, instance: peewee.Model, formdata: Any = None) -> list[InlineFormSet]:
        """The inline rows of ``instance`` the user may view: from the database, or bound to ``formdata``."""
        return [InlineFormSet(inline, instance, formdata) for inline in self.get_inlines() if inline.can("view")]

    def get_version(self, instance: peewee.Model) -> str:
        """The version of ``instance`` an edit form carries: its values and its many-to-many links.

        It is :func:`~flask_peewee.utils.object_version`, the ``ETag`` REST gives the same row.
        """
        return fingerprint(instance)

    def submitted_many_to_many(self, form: Any, adding: bool = False) -> list[str]:
        """The many-to-many fields whose links :meth:`save_related` writes (those the form submitted)."""
        names = []
        for field in form_many_to_many_fields(self.model):
            form_field = getattr(form, field.name, None)
            if isinstance(form_field, ManyToManyFormField) and (adding or form_field.submitted is not None):
                names.append(field.name)
        return names

    def save_related(self, instance: peewee.Model, form: Any, adding: bool = False) -> None:
        """After :meth:`save_model`, in its transaction: write the many-to-many links the form chose.

        Each link added or removed is a row of the through model with its own audit entry; the
        object's own entry (written after this) holds the ids before and after.
        """
        audit = audit_log_of(self.auth)
        fields = {field.name: field for field in form_many_to_many_fields(self.model)}
        for name in self.submitted_many_to_many(form, adding=adding):
            write_links(instance, fields[name], getattr(form, name).data, audit)

    def get_add_form(self) -> type[Any]:
        """The form class of the add view (default: :meth:`get_form` with ``adding=True``)."""
        return self.get_form(adding=True)

    def get_edit_form(self, instance: peewee.Model | None = None) -> type[Any]:
        """The form class of the edit view (default: :meth:`get_form`)."""
        return self.get_form()

    def save_model(self, instance: peewee.Model, form: Any, adding: bool = False) -> peewee.Model:
        """Copy the validated ``form`` into ``instance`` and save it (an INSERT when ``adding``).

        Datetimes and times are shown to the second: one submitted unchanged keeps its stored
        fraction of a second instead of being cut to the second.
        """
        timed = (peewee.DateTimeField, peewee.TimeField)
        fields = instance._meta.fields
        shown = {} if adding else {n: instance.__data__.get(n) for n in form.data if isinstance(fields.get(n), timed)}
        form.populate_obj(instance)
        for name, old in shown.items():
            if _same_to_the_second(old, getattr(instance, name, None)):
                setattr(instance, name, old)
        instance.save(force_insert=adding)
        return instance

    # -- filters and search -----------------------------------------------------------

    def filter_args(self) -> MultiDict[str, str]:
        """The query-string arguments that are filters (not page, ordering, search or ``_`` options).

        The original admin's ``fo_``/``fv_``/``fr_`` filters are read as the same filters in this
        admin's syntax (:func:`~flask_peewee.admin._legacy_filters.legacy_filter_pairs`).
        """
        skip = {SEARCH_PARAM, *DEFAULT_IGNORED_PARAMS}
        legacy = legacy_filter_pairs(self, request.args)
        pairs = legacy if legacy is not None else list(request.args.items(multi=True))
        return MultiDict([(k, v) for k, v in pairs if not k.startswith("_") and k not in skip])

    def legacy_active_filters(self) -> list[dict[str, Any]] | None:
        """The original's ``active_filters`` of a request using its ``fo_``/``fv_`` filters, else None."""
        rows = legacy_filter_rows(self, request.args)
        if rows is None:
            return None
        return [row.as_active_filter(self) for row in rows if self.path_is_visible(row.path)]

    def get_field_tree(self) -> FieldTreeNode:
        """The original's field tree of the filters: peewee fields per model, one child per foreign key.

        ``filter_fields``/``filter_exclude`` apply; sensitive fields and models the user may not
        view are left out.
        """
        tree = make_field_tree(self.model, self.filter_fields, self.filter_exclude)

        def prune(node: FieldTreeNode) -> None:
            children = node.children or {}  # never None after FieldTreeNode.__post_init__
            for name, child in list(children.items()):
                if not self.can_view_related(child.model):
                    del children[name]
                else:
                    prune(child)

        prune(tree)
        return tree

    def get_filter_form(self) -> FilterForm:
        """The filter form of the list and export views (rows of field, operator, value); one per request."""
        from flask import g

        cache = g.setdefault("_flask_peewee_admin_filter_forms", {})
        form = cache.get(id(self))
        if form is None:
            form = cache[id(self)] = FilterForm(self, self.filter_args())
        return form

    def get_filter_mapping(self) -> FilterMapping:
        """The instance of :attr:`filter_mapping` the filters use."""
        mapping = getattr(self, "_filter_mapping_instance", None)
        if mapping is None:
            mapping = self.filter_mapping() if isinstance(self.filter_mapping, type) else self.filter_mapping
            self._filter_mapping_instance = mapping
        return mapping

    def custom_query_filters(self, field: peewee.Field) -> list[QueryFilter]:
        """The filters :attr:`filter_mapping` adds for ``field`` beyond the built-in operators."""
        return [qf for qf in self.get_filter_mapping().convert(field) if not is_stock_filter(qf)]

    def custom_filter_keys(self) -> set[str]:
        """The keys of every custom filter offered on this model's filterable fields."""
        return {op for choice in self.get_filter_form().choices for op in choice.operators}

    def resolve_filter_path(self, path: str) -> list[peewee.Field] | None:
        """The fields ``path`` (``user__username``) crosses when the user may filter on it, else None."""
        form = self.get_filter_form()
        if form.choice(path) is None:
            return None
        chain: list[peewee.Field] = []
        model = self.model
        for name in path.split("__"):
            field = model._meta.fields[name]
            chain.append(field)
            if isinstance(field, peewee.ForeignKeyField):
                model = field.rel_model
        return chain

    def process_filters(self, query: peewee.ModelSelect) -> tuple[FilterForm, peewee.ModelSelect, list[Any], Any]:
        """Apply the request's filters to ``query``: ``(form, query, active filters, field tree)``.

        A filter the toolkit refuses is reported on the form and the query matches nothing.
        Filters of a custom :attr:`filter_mapping` apply their own :meth:`QueryFilter.query`.
        """
        form = self.get_filter_form()
        hidden = [key for key in form.args if not self.path_is_visible(key)]
        if hidden:
            form.errors.append(gettext("You may not filter on %(path)r: you may not view that model.", path=hidden[0]))
            return form, query.where(peewee.SQL("1 = 0")), [], form.field_tree
        args, custom = mapping_filters(self, form.args, self.resolve_filter_path)
        try:
            active = parse_filters(
                self.model, args, fields=self.filter_fields, exclude=tuple(self.filter_exclude or ())
            )
        except QueryError as exc:
            form.errors.append(exc.message)
            return form, query.where(peewee.SQL("1 = 0")), [], form.field_tree
        query, errors = apply_mapping_filters(query, custom)
        if errors:
            form.errors.extend(errors)
            return form, query.where(peewee.SQL("1 = 0")), [], form.field_tree
        form.active = active
        form.custom = custom
        return form, filter_query(query, active), active, form.field_tree

    def search_term(self) -> str:
        """The search box's text (``?q=``)."""
        return request.args.get(SEARCH_PARAM, "").strip()

    def get_search_fields(self) -> list[str]:
        """The fields the search box looks in (``search_fields``)."""
        return list(self.search_fields or ())

    def apply_search(self, query: peewee.ModelSelect, term: str | None = None) -> peewee.ModelSelect:
        """Keep the rows where a field of :meth:`get_search_fields` contains ``term`` (default: the search box's)."""
        term = self.search_term() if term is None else (term or "").strip()
        search_fields = self.get_search_fields()
        if not term or not search_fields:
            return query
        fields = [name for name in search_fields if self.path_is_visible(name)]
        return apply_search(query, term, fields, exclude=tuple(self.filter_exclude or ()))

    # -- bulk actions -----------------------------------------------------------------

    def get_actions(self) -> list[AdminAction]:
        """The bulk actions offered to the user: delete (built in) and ``actions``, those allowed."""
        return [a for a in resolve_actions(self) if self.can(a.permission)]

    def admin_url(self, name: str, **values: Any) -> str:
        """``url_for`` one of this admin's views."""
        return url_for(self.get_url_name(name), **values)


def _same_to_the_second(old: Any, new: Any) -> bool:
    """Whether ``new`` is ``old`` as the form showed it: a datetime or time without its microseconds."""
    if not isinstance(old, (datetime.datetime, datetime.time)) or type(old) is not type(new) or not old.microsecond:
        return False
    return bool(old.replace(microsecond=0) == new)
