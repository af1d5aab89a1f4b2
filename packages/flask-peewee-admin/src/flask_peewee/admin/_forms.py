"""Admin forms from wtf-peewee: secrets as empty password inputs, big foreign keys as a lookup button."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee
from flask import url_for
from markupsafe import Markup
from wtforms import fields, validators
from wtfpeewee.fields import HiddenQueryField, SelectQueryField
from wtfpeewee.orm import ModelConverter, ValueRequired

from flask_peewee.admin._keys import KeyedQueryFieldMixin
from flask_peewee.admin._m2m import ManyToManyFormField
from flask_peewee.utils import get_sensitive_fields, object_version

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = [
    "LOOKUP_THRESHOLD",
    "VERSION_FIELD",
    "AdminModelConverter",
    "LookupField",
    "SecretField",
    "fingerprint",
]

LOOKUP_THRESHOLD = 50
VERSION_FIELD = "_fp_version"


def no_nul(form: Any, field: Any) -> None:
    """Refuse text holding a NUL character: no database column stores it (PostgreSQL refuses it outright)."""
    data = field.data
    if isinstance(data, str) and "\x00" in data:
        raise validators.StopValidation("This field may not contain NUL characters.")


class SecretField(fields.PasswordField):
    """A write-only input for a sensitive field: always rendered empty; blank on edit keeps the stored value."""

    def _value(self) -> str:
        return ""


def lookup_widget(field: LookupField, **kwargs: Any) -> Markup:
    """A hidden input holding the key plus a button opening the lookup dialog (and one to clear it)."""
    data = field.data
    label = field.get_label(data) if data is not None else "Select\u2026"
    value = data._pk if data is not None else ""
    parts = [
        Markup('<span class="fp-lookup">'),
        Markup('<input type="hidden" id="{}" name="{}" value="{}">').format(field.id, field.name, value),
        Markup(
            '<button type="button" class="fp-btn fp-lookup-btn" data-lookup-url="{}" data-lookup-field="{}"'
            ' data-lookup-target="{}" aria-haspopup="dialog" aria-label="{}: {}">{}</button>'
        ).format(field.lookup_url, field.lookup_field, field.id, field.label.text, label, label),
    ]
    if field.allow_blank:
        parts.append(
            Markup(
                '<button type="button" class="fp-btn fp-btn-plain fp-lookup-clear" data-lookup-target="{}"'
                ' aria-label="Clear {}">&times;</button>'
            ).format(field.id, field.label.text)
        )
    parts.append(Markup("</span>"))
    return Markup("").join(parts)


class KeySelectField(KeyedQueryFieldMixin, SelectQueryField):
    """wtf-peewee's select of related rows; a submitted key the column cannot hold is not a valid choice."""


class LookupField(KeyedQueryFieldMixin, HiddenQueryField):
    """A foreign key picked in the lookup dialog (paginated, type-ahead) instead of a ``<select>``."""

    widget = staticmethod(lookup_widget)

    def __init__(self, *args: Any, lookup_url: str = "", lookup_field: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lookup_url = lookup_url
        self.lookup_field = lookup_field
        self._submitted: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self._submitted = valuelist[0] if valuelist and valuelist[0] not in ("", "__None") else None
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        if self._submitted is not None and self.data is None:
            raise validators.StopValidation("Not a valid choice.")
        if self.data is None and not self.allow_blank:
            raise validators.StopValidation("This field is required.")


class AdminModelConverter(ModelConverter):
    """wtf-peewee's converter with the admin's rules for sensitive fields and foreign keys.

    A foreign key listed in ``foreign_key_lookups``, or whose related table holds more than
    :data:`LOOKUP_THRESHOLD` rows, becomes a :class:`LookupField`; others stay a select
    limited to what the related model's admin shows.
    """

    def __init__(self, model_admin: ModelAdmin, additional: Any = None, adding: bool = False) -> None:
        super().__init__(additional)
        self.model_admin = model_admin
        self.adding = adding

    def convert(self, model: type[peewee.Model], field: peewee.Field, field_args: Any) -> Any:
        name, unbound = self._convert(model, field, field_args)
        field_class = getattr(unbound, "field_class", None)
        if isinstance(field_class, type) and issubclass(field_class, fields.StringField):
            unbound.kwargs["validators"] = [no_nul, *(unbound.kwargs.get("validators") or [])]
        return name, unbound

    def _convert(self, model: type[peewee.Model], field: peewee.Field, field_args: Any) -> Any:
        if field.name in get_sensitive_fields(model):
            checks: list[Any] = []
            if self.adding and not field.null and field.default is None:
                checks.append(ValueRequired())
            else:
                checks.append(validators.Optional())
            if isinstance(field, peewee.CharField) and field.max_length:
                checks.append(validators.Length(max=field.max_length))
            return field.name, SecretField(label=field.verbose_name, validators=checks, description=field.help_text)
        return super().convert(model, field, field_args)

    def handle_foreign_key(self, model: type[peewee.Model], field: peewee.ForeignKeyField, **kwargs: Any) -> Any:
        if field.null:
            kwargs["allow_blank"] = True
        query = self.model_admin.related_query(field)
        lookups = self.model_admin.foreign_key_lookups or {}
        if field.name in lookups or query.count() > LOOKUP_THRESHOLD:
            label_attr = lookups.get(field.name)
            form_field = LookupField(
                query=query,
                get_label=(lambda obj, attr=label_attr: str(getattr(obj, attr))) if label_attr else None,
                lookup_url=url_for(self.model_admin.get_url_name("lookup")),
                lookup_field=self.model_admin.lookup_name(field.name),
                **kwargs,
            )
        else:
            form_field = KeySelectField(query=query, **kwargs)
        return field.name, form_field

    def convert_many_to_many(self, field: peewee.ManyToManyField) -> ManyToManyFormField:
        """The form field of a many-to-many field: a multiple select, or the lookup dialog above the threshold."""
        query = self.model_admin.related_query(field)
        lookups = self.model_admin.foreign_key_lookups or {}
        label_attr = lookups.get(field.name)
        lookup = field.name in lookups or query.count() > LOOKUP_THRESHOLD
        helper = self.model_admin.admin.template_helper
        return ManyToManyFormField(
            label=getattr(field, "verbose_name", None) or helper.fix_underscores(field.name),
            query=query,
            get_label=(lambda obj, attr=label_attr: str(getattr(obj, attr))) if label_attr else None,
            lookup=lookup,
            lookup_url=url_for(self.model_admin.get_url_name("lookup")) if lookup else "",
            lookup_field=self.model_admin.lookup_name(field.name),
        )


def fingerprint(instance: peewee.Model, extra: dict[str, Any] | None = None) -> str:
    """A form's version of ``instance``: :func:`~flask_peewee.utils.object_version`, REST's ETag too."""
    return object_version(instance, extra)
