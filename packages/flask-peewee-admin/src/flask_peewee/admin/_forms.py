"""Admin forms from wtf-peewee: secrets as empty password inputs, big foreign keys as a lookup button."""

from __future__ import annotations

import datetime
import decimal
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import peewee
import wtforms
from flask import url_for
from markupsafe import Markup
from wtforms import fields, validators
from wtforms.utils import unset_value
from wtfpeewee import fields as wp_fields
from wtfpeewee.fields import HiddenQueryField, SelectQueryField
from wtfpeewee.orm import ModelConverter, ValueRequired

from flask_peewee.admin._i18n import gettext
from flask_peewee.admin._keys import KeyedQueryFieldMixin
from flask_peewee.admin._m2m import ManyToManyFormField
from flask_peewee.auth import BaseUser, PasswordPolicy
from flask_peewee.utils import get_sensitive_fields, object_version
from flask_peewee.utils.internal import app_gettext
from flask_peewee.utils.uploads import FileField

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = [
    "LOOKUP_THRESHOLD",
    "VERSION_FIELD",
    "AdminModelConverter",
    "LookupField",
    "SecretField",
    "fingerprint",
    "keep_unchanged",
]

LOOKUP_THRESHOLD = 50
VERSION_FIELD = "_fp_version"


def no_nul(form: Any, field: Any) -> None:
    """Refuse text holding a NUL character: no database column stores it (PostgreSQL refuses it outright)."""
    data = field.data
    if isinstance(data, str) and "\x00" in data:
        raise validators.StopValidation(gettext("This field may not contain NUL characters."))


class SecretField(fields.PasswordField):
    """A write-only input for a sensitive field: always rendered empty; blank on edit keeps the stored value."""

    def _value(self) -> str:
        return ""


def lookup_widget(field: LookupField, **kwargs: Any) -> Markup:
    """A hidden input holding the key plus a button opening the lookup dialog (and one to clear it)."""
    data = field.data
    label = field.get_label(data) if data is not None else gettext("Select\u2026")
    value = data._pk if data is not None else ""
    field_label = app_gettext(str(field.label.text))  # the dialog's title: "Select <field label>"
    parts = [
        Markup('<span class="fp-lookup">'),
        Markup('<input type="hidden" id="{}" name="{}" value="{}">').format(field.id, field.name, value),
        Markup(
            '<button type="button" class="fp-btn fp-lookup-btn" data-lookup-url="{}" data-lookup-field="{}"'
            ' data-lookup-label="{}" data-lookup-target="{}" aria-haspopup="dialog" aria-label="{}: {}">{}</button>'
        ).format(field.lookup_url, field.lookup_field, field_label, field.id, field_label, label, label),
    ]
    if field.allow_blank:
        parts.append(
            Markup(
                '<button type="button" class="fp-btn fp-btn-plain fp-lookup-clear" data-lookup-target="{}"'
                ' aria-label="{}">&times;</button>'
            ).format(field.id, gettext("Clear %(label)s", label=field_label))
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
            raise validators.StopValidation(gettext("Not a valid choice."))
        if self.data is None and not self.allow_blank:
            raise validators.StopValidation(gettext("This field is required."))


def _time_text(value: datetime.time) -> str:
    """``HH:MM:SS``, plus milliseconds when there is a fraction: what an ``<input type=time>`` accepts."""
    text = value.strftime("%H:%M:%S")
    return f"{text}.{value.microsecond // 1000:03d}" if value.microsecond else text


class WPTimeField(wp_fields.WPTimeField):
    """wtf-peewee's time input that shows and reads fractions of a second (its class name kept for templates).

    A time with a fraction is shown to the millisecond with ``step="0.001"`` (what browsers
    accept); :func:`keep_unchanged` keeps the stored microseconds when that is submitted back.
    """

    formats = ["%H:%M:%S.%f", "%H:%M:%S", "%H:%M"]

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return _time_text(self.data) if isinstance(self.data, datetime.time) else ""

    def __call__(self, **kwargs: Any) -> Markup:
        if isinstance(self.data, datetime.time) and self.data.microsecond:
            kwargs["step"] = "0.001"
        return super().__call__(**kwargs)


def _datetime_form(checks: Any) -> type[wtforms.Form]:
    class DateTimeForm(wtforms.Form):
        date = wp_fields.WPDateField(validators=checks)
        time = WPTimeField(validators=checks)

    return DateTimeForm


class WPDateTimeField(wp_fields.WPDateTimeField):
    """wtf-peewee's date and time inputs with :class:`WPTimeField`; remembers the stored value (``object_data``)."""

    def __init__(self, label: Any = "", validators: Any = None, **kwargs: Any) -> None:
        fields.FormField.__init__(self, _datetime_form(validators), label, validators=None, **kwargs)

    def process(self, formdata: Any, data: Any = unset_value, **kwargs: Any) -> None:
        super().process(formdata, data, **kwargs)
        self.object_data = None if data is unset_value else data


def _same_time(submitted: Any, stored: Any) -> bool:
    """``submitted`` is ``stored`` as the time input showed it (to the millisecond)."""
    if type(submitted) is not type(stored) or submitted.microsecond % 1000:
        return False
    return bool(stored.replace(microsecond=stored.microsecond // 1000 * 1000) == submitted)


def _same(submitted: Any, stored: Any) -> bool:
    """Whether ``submitted`` is ``stored`` sent back through its input unchanged."""
    if stored is None:  # a blank input or an unticked box of a NULL value
        return submitted is None or submitted == "" or submitted is False
    if isinstance(stored, (datetime.datetime, datetime.time)):
        return _same_time(submitted, stored)
    if isinstance(stored, str) and isinstance(submitted, str):  # browsers send newlines as CR LF
        return stored.replace("\r\n", "\n") == submitted.replace("\r\n", "\n")
    if isinstance(stored, decimal.Decimal) and isinstance(submitted, decimal.Decimal):
        return stored.is_finite() and submitted.is_finite() and stored == submitted
    return False


def keep_unchanged(form: Any) -> None:
    """Give each field of a validated edit ``form`` whose input came back unchanged its stored value.

    What an input shows is not always the stored value itself: a time to the millisecond, a
    NULL as a blank input or an unticked box, newlines the browser sends as CR LF, ``1.5`` for
    ``1.50``. Saved without edits, the object and its audit log stay as they were.
    """
    for field in form:
        if isinstance(field, SecretField) or not hasattr(field, "object_data"):
            continue
        stored = field.object_data
        if stored is unset_value or not _same(field.data, stored) or field.data is stored:
            continue
        if isinstance(field, WPDateTimeField):
            field.form.date.data = stored.date()
            field.form.time.data = stored.timetz()
        else:
            field.data = stored


class AdminModelConverter(ModelConverter):
    """wtf-peewee's converter with the admin's rules for sensitive fields and foreign keys.

    A foreign key listed in ``foreign_key_lookups``, or whose related table holds more than
    :data:`LOOKUP_THRESHOLD` rows, becomes a :class:`LookupField`; others stay a select
    limited to what the related model's admin shows.
    """

    defaults = OrderedDict(ModelConverter.defaults)
    defaults.update(
        {peewee.TimestampField: WPDateTimeField, peewee.DateTimeField: WPDateTimeField, peewee.TimeField: WPTimeField}
    )

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
            if field.name == "password" and issubclass(model, BaseUser):
                checks.append(PasswordPolicy(username_field="username", email_field="email"))
            return field.name, SecretField(label=field.verbose_name, validators=checks, description=field.help_text)
        if isinstance(field, FileField):
            from flask_peewee.admin._uploads import FileUploadField

            label = field.verbose_name or self.model_admin.admin.template_helper.fix_underscores(field.name)
            return field.name, FileUploadField(
                label=label, description=field.help_text, model_field=field, model_admin=self.model_admin
            )
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
