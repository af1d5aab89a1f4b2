"""Many-to-many fields in the add/edit form: a multiple select, or the lookup dialog for big tables.

The form field only reads and validates the chosen rows; the links are written after the
object is saved, in the same transaction, by :meth:`ModelAdmin.save_related` through the auth
layer's ``set_links`` (the REST API's writer too), with one audit entry per link added
("add") or removed ("delete") on the through model. The ends of a field are
:func:`flask_peewee.utils.many_to_many_ends`, so a field relating a model to itself works.
"""

from __future__ import annotations

from typing import Any

import peewee
from markupsafe import Markup
from wtforms import fields, validators
from wtforms.utils import unset_value
from wtforms.widgets import html_params

from flask_peewee.admin._audit import SOURCE
from flask_peewee.admin._i18n import gettext, lower_name
from flask_peewee.admin._keys import parse_keys
from flask_peewee.auth import set_links
from flask_peewee.db.typed import pk_value, primary_key
from flask_peewee.utils import many_to_many_ends
from flask_peewee.utils.internal import app_gettext

__all__ = [
    "ManyToManyFormField",
    "ManyToManyFormMixin",
    "form_many_to_many_fields",
    "linked_objects",
    "write_links",
]


def form_many_to_many_fields(model: type[peewee.Model]) -> list[peewee.ManyToManyField]:
    """The many-to-many fields declared on ``model`` whose ends can be told (not the backrefs peewee adds)."""
    return [f for f in model._meta.manytomany.values() if not getattr(f, "_is_backref", False) and _has_ends(f)]


def _has_ends(field: peewee.ManyToManyField) -> bool:
    try:
        many_to_many_ends(field)
    except ValueError:  # e.g. peewee's generated through model of a self-reference: one key only
        return False
    return True


def linked_objects(instance: peewee.Model, field: peewee.ManyToManyField) -> list[peewee.Model]:
    """The rows ``instance`` links to through ``field``, in the order the links were made (one query).

    Read through :func:`~flask_peewee.utils.many_to_many_ends`, not peewee's accessor, which
    cannot read a field relating a model to itself.
    """
    through, source, target = many_to_many_ends(field)
    src_id = getattr(instance, source.rel_field.name)
    if src_id is None:
        return []
    primary = through._meta.primary_key
    order = primary if isinstance(primary, peewee.Field) and not isinstance(primary, peewee.CompositeKey) else target
    query = (
        field.rel_model.select().join(through, on=(target == target.rel_field)).where(source == src_id).order_by(order)
    )
    return list(query)


class _LinkedObject:
    """``instance`` as a form reads it: the named many-to-many fields give :func:`linked_objects`."""

    def __init__(self, instance: peewee.Model, fields: dict[str, peewee.ManyToManyField]) -> None:
        self._instance = instance
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        if name in self._fields:
            return linked_objects(self._instance, self._fields[name])
        return getattr(self._instance, name)


class ManyToManyFormMixin:
    """Put first in the bases of a model form with :class:`ManyToManyFormField` fields: the edit form reads their
    current rows through the field's ends (peewee's accessor fails on a field relating a model to itself)."""

    _fields: dict[str, Any]

    def process(self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any) -> None:
        if isinstance(obj, peewee.Model):
            declared = type(obj)._meta.manytomany
            fields = {
                name: declared[name]
                for name, form_field in self._fields.items()
                if isinstance(form_field, ManyToManyFormField) and name in declared
            }
            if fields:
                obj = _LinkedObject(obj, fields)
        super().process(formdata, obj, data=data, **kwargs)  # type: ignore[misc]  # a mixin: the wtforms Form it is mixed into has process()


def _widget(field: ManyToManyFormField, **kwargs: Any) -> Markup:
    # an empty value is always sent, so "no row chosen" is told apart from "field not in the form"
    blank = Markup('<input type="hidden" name="{}" value="">').format(field.name)
    if not field.lookup:
        options = [
            Markup('<option value="{}"{}>{}</option>').format(
                pk_value(obj), Markup(" selected") if pk_value(obj) in field.chosen_keys() else "", field.get_label(obj)
            )
            for obj in field.query.clone()
        ]
        kwargs.setdefault("id", field.id)
        params = Markup(html_params(multiple=True, name=field.name, **kwargs))  # noqa: S704 - html_params escapes
        return blank + Markup("<select {}>").format(params) + Markup("").join(options) + Markup("</select>")
    label = app_gettext(str(field.label.text))  # the field's label in the app's language
    items = [
        Markup(
            '<li><input type="hidden" name="{}" value="{}"><span>{}</span><button type="button"'
            ' class="fp-btn fp-btn-plain fp-m2m-remove" aria-label="{}">&times;</button></li>'
        ).format(
            field.name, pk_value(obj), field.get_label(obj), gettext("Remove %(label)s", label=field.get_label(obj))
        )
        for obj in field.data
    ]
    return Markup(
        '<div class="fp-m2m" role="group" aria-labelledby="{id}-label">{blank}'
        '<ul class="fp-m2m-list" id="{id}-list" data-name="{name}">{items}</ul>'
        '<button type="button" class="fp-btn fp-lookup-btn" id="{id}" data-lookup-url="{url}" data-lookup-field="{lf}"'
        ' data-lookup-label="{label}" data-lookup-list="{id}-list" aria-haspopup="dialog">{add}</button></div>'
    ).format(
        id=field.id,
        blank=blank,
        name=field.name,
        items=Markup("").join(items),
        url=field.lookup_url,
        lf=field.lookup_field,
        label=label,
        add=gettext("Add %(label)s\u2026", label=lower_name(label)),
    )


class ManyToManyFormField(fields.Field):
    """The rows a many-to-many field links to: a ``<select multiple>``, or chips picked in the lookup dialog.

    ``data`` is the list of chosen related objects. A submitted key that is not among
    ``query``'s rows is a validation error, never silently dropped.
    """

    widget = staticmethod(_widget)

    def __init__(
        self,
        label: str | None = None,
        validators_: Any = None,
        *,
        query: peewee.ModelSelect,
        get_label: Any = None,
        lookup: bool = False,
        lookup_url: str = "",
        lookup_field: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators_, **kwargs)
        self.query = query
        self.model = query.model
        self.get_label = get_label or str
        self.lookup = lookup
        self.lookup_url = lookup_url
        self.lookup_field = lookup_field
        self.submitted: list[str] | None = None
        self.data: list[peewee.Model] = []
        self._invalid: list[str] = []

    def chosen_keys(self) -> set[Any]:
        """The primary keys of :attr:`data`."""
        return {pk_value(obj) for obj in self.data}

    def process_data(self, value: Any) -> None:
        if value is None:
            self.data = []
        elif isinstance(value, (list, tuple)):
            self.data = list(value)
        else:  # the related query of a saved object
            self.data = list(value.clone()) if hasattr(value, "clone") else list(value)

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata is not None and self.name not in formdata:
            formdata = None  # not part of the submitted form: keep the object's links as they are
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: list[Any]) -> None:
        keys = list(dict.fromkeys(str(v).strip() for v in valuelist if str(v).strip()))
        self.submitted = keys
        if not keys:
            self.data = []
            return
        found = self._find(keys)  # keys the column cannot hold are left out before the query
        self._invalid = [k for k in keys if k not in found]
        self.data = [found[k] for k in keys if k in found]

    def _find(self, keys: list[str]) -> dict[str, peewee.Model]:
        primary = primary_key(self.model)
        values = parse_keys(self.model, keys)
        if not values:
            return {}
        return {str(pk_value(obj)): obj for obj in self.query.clone().where(primary.in_(values))}

    def pre_validate(self, form: Any) -> None:
        if self._invalid:
            raise validators.StopValidation(gettext("Not a valid choice: %(keys)s", keys=", ".join(self._invalid)))

    def populate_obj(self, obj: Any, name: str) -> None:
        """Nothing here: the links need the saved object, :meth:`ModelAdmin.save_related` writes them."""


def write_links(instance: peewee.Model, field: peewee.ManyToManyField, chosen: list[peewee.Model], audit: Any) -> None:
    """Make ``instance``'s links through ``field`` exactly ``chosen``: the auth layer's ``set_links``.

    Only what changed is written; with the audit log each link added or removed is one entry
    ("add" or "delete" on the through model, source "admin"), as the REST API records them.
    """
    if audit is None:
        set_links(instance, field, chosen)
    else:
        audit.set_links(instance, field, chosen, source=SOURCE)
