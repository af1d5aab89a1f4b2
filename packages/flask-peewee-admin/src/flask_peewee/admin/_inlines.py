"""Inline editing of child rows (objects whose foreign key points at the edited object) on its form.

Each inline is a list of small forms, one per child row, posted with the parent's form and
saved in the parent's transaction: rows are added, changed or deleted, each write with its
audit entry, each existing row with its own optimistic check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import peewee
from flask import abort
from wtfpeewee.orm import model_form

from flask_peewee.admin._audit import delete_with_audit, record, snapshot
from flask_peewee.admin._forms import AdminModelConverter, SecretField, fingerprint, keep_unchanged
from flask_peewee.admin._helpers import english_plural
from flask_peewee.admin._i18n import N_, TranslatedForm, gettext
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import get_sensitive_fields
from flask_peewee.utils.internal import app_gettext

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["InlineFormSet", "InlineModelAdmin", "InlineRow", "resolve_inlines"]

ROW_CONFLICT = N_("Someone else changed this row after you opened the page: it now shows the current values.")
ROW_GONE = N_("A row you had open was deleted by someone else meanwhile; it is no longer shown.")
_INDEX = re.compile(r"[A-Za-z0-9]{1,12}")
MAX_POSTED_ROWS = 1000


class InlineModelAdmin:
    """How child rows of one model are edited on the parent's page; list it in ``ModelAdmin.inlines``.

    Usage::

        class CommentInline(InlineModelAdmin):
            model = Comment
            fields = ("author", "body")

        class PostAdmin(ModelAdmin):
            inlines = (CommentInline, Attachment)   # a model alone gets the defaults

    ``fk_name`` picks the foreign key to the parent when the child has several; ``fields``
    and ``exclude`` shape the row form (the foreign key to the parent is never shown);
    ``max_rows`` existing rows are shown (oldest first); ``delete_recursive`` as on ModelAdmin.
    """

    #: set by each subclass or passed to ``__init__``, which refuses an inline without a model
    model: type[peewee.Model] = cast("type[peewee.Model]", None)
    fk_name: str | None = None
    fields: Sequence[str] | None = None
    exclude: Sequence[str] = ()
    foreign_key_lookups: dict[str, str] = {}
    max_rows = 100
    delete_recursive = True
    verbose_name: str | None = None
    verbose_name_plural: str | None = None

    def __init__(self, parent: ModelAdmin, model: type[peewee.Model] | None = None) -> None:
        self.parent = parent
        if model is not None:
            self.model = model
        if not (isinstance(self.model, type) and issubclass(self.model, peewee.Model)):
            raise ImproperlyConfigured(f"{type(self).__name__} needs a peewee model (set model = ...)")
        self.fk = self._find_fk()
        self.prefix = self.model._meta.name if self.fk_name is None else f"{self.model._meta.name}_{self.fk.name}"

    def _find_fk(self) -> peewee.ForeignKeyField:
        model = self.model
        assert model is not None
        candidates = [
            f
            for f in model._meta.sorted_fields
            if isinstance(f, peewee.ForeignKeyField)
            and f.rel_model is self.parent.model
            and (self.fk_name is None or f.name == self.fk_name)
        ]
        if len(candidates) != 1:
            what = "no" if not candidates else "several"
            raise ImproperlyConfigured(
                f"{model.__name__} has {what} foreign key(s) to {self.parent.model.__name__}"
                + ("; set fk_name" if candidates else (f" named {self.fk_name!r}" if self.fk_name else ""))
            )
        return candidates[0]

    # -- what the admin's form machinery asks of an inline ---------------------------

    @property
    def admin(self) -> Any:
        """The :class:`~flask_peewee.admin.Admin` of the parent."""
        return self.parent.admin

    def get_display_name(self) -> str:
        """The child model's name as shown on a row (``New comment``), through the app's translations."""
        if self.verbose_name:
            return app_gettext(str(self.verbose_name))
        return self.admin.template_helper.get_model_name(self.model)

    def get_title(self) -> str:
        """The heading of the inline on the parent's page: the plural, through the app's translations."""
        if self.verbose_name_plural:
            return app_gettext(str(self.verbose_name_plural))
        if self.verbose_name:
            return app_gettext(english_plural(str(self.verbose_name)))
        model_admin = self.admin.get_model_admin(self.model)
        if model_admin is not None:  # its verbose_name_plural, or the English plural, translated
            return model_admin.get_display_name_plural()
        return app_gettext(english_plural(self.admin.template_helper.readable_name(self.model)))

    def related_query(self, field: Any) -> peewee.ModelSelect:
        """The rows a foreign key of a child may point at (the related admin's query when registered)."""
        return self.parent.related_query(field)

    def get_url_name(self, name: str) -> str:
        """Endpoints of the parent (the lookup dialog of a child's foreign key goes through it)."""
        return self.parent.get_url_name(name)

    def lookup_name(self, field_name: str) -> str:
        """The ``field`` parameter of the parent's lookup endpoint for a child field: ``comment.author``."""
        return f"{self.prefix}.{field_name}"

    def can(self, action: str) -> bool:
        """Whether the logged-in user may ``action`` the child model."""
        return self.admin.has_permission(self.model, action)

    # -- hooks ------------------------------------------------------------------------

    def get_query(self, parent: peewee.Model) -> peewee.ModelSelect:
        """The child rows of ``parent`` shown on its page (oldest first)."""
        assert self.model is not None
        key = getattr(parent, self.fk.rel_field.name)
        return self.model.select().where(self.fk == key).order_by(self.model._meta.primary_key)

    def get_form(self) -> type[Any]:
        """The wtf-peewee form class of one row (without the foreign key to the parent)."""
        return model_form(
            self.model,
            only=self.fields,
            exclude=[self.fk.name, *self.exclude],
            # the converter reads only what an inline shares with a ModelAdmin (model, can, lookups...)
            converter=AdminModelConverter(cast("ModelAdmin", self)),
            base_class=TranslatedForm,
        )

    def save_row(self, instance: peewee.Model, form: Any, parent: peewee.Model, adding: bool) -> peewee.Model:
        """Copy a valid row form into ``instance``, point it at ``parent`` and save it."""
        form.populate_obj(instance)
        setattr(instance, self.fk.name, parent)
        instance.save(force_insert=adding)
        return instance


class InlineRow:
    """One child row on the page: its form, the stored object (None for a new row), its version."""

    def __init__(self, index: str, prefix: str, form: Any, instance: peewee.Model | None, version: str | None) -> None:
        self.index = index
        self.prefix = prefix
        self.form = form
        self.instance = instance
        self.version = version
        self.delete = False
        self.errors: list[str] = []

    @property
    def is_new(self) -> bool:
        """Whether the row is not stored yet."""
        return self.instance is None


class InlineFormSet:
    """The rows of one inline for one parent: built from the database (GET) or from the posted form."""

    def __init__(self, inline: InlineModelAdmin, parent: peewee.Model, formdata: Any = None) -> None:
        self.inline = inline
        self.parent = parent
        self.prefix = inline.prefix
        self.form_class = inline.get_form()
        self.errors: list[str] = []
        self.rows: list[InlineRow] = []
        self.can_change = inline.can("change")
        self.can_add = inline.can("add")
        self.can_delete = inline.can("delete")
        if formdata is None:
            self._load()
        else:
            self._bind(formdata)

    @property
    def title(self) -> str:
        """The heading of the inline."""
        return self.inline.get_title()

    def _row_prefix(self, index: str) -> str:
        return f"{self.prefix}-{index}"

    def _stored(self) -> list[peewee.Model]:
        if self.parent.get_id() is None:
            return []
        return list(self.inline.get_query(self.parent).limit(self.inline.max_rows))

    def _load(self) -> None:
        for number, child in enumerate(self._stored()):
            index = str(number)
            form = self.form_class(obj=child, prefix=self._row_prefix(index) + "-")
            self.rows.append(InlineRow(index, self._row_prefix(index), form, child, fingerprint(child)))

    def _bind(self, formdata: Any) -> None:
        indexes = list(dict.fromkeys(formdata.getlist(f"{self.prefix}-_row")))
        if len(indexes) > MAX_POSTED_ROWS or not all(_INDEX.fullmatch(i) for i in indexes):
            abort(400, description=gettext("The inline rows of this form are malformed."))
        primary = self.inline.model._meta.primary_key
        for index in indexes:
            prefix = self._row_prefix(index)
            pk = formdata.get(f"{prefix}-_pk", "").strip()
            delete = bool(formdata.get(f"{prefix}-_delete"))
            child = None
            if pk:
                try:
                    child = self.inline.get_query(self.parent).where(primary == pk).first()
                except (ValueError, TypeError, peewee.DataError):
                    child = None
                if child is None:
                    if gettext(ROW_GONE) not in self.errors:
                        self.errors.append(gettext(ROW_GONE))
                    continue
                if not (self.can_delete if delete else self.can_change):
                    abort(403)
            elif delete:
                continue  # a new row the user discarded
            elif not self.can_add:
                abort(403)
            form = self.form_class(formdata, obj=child, prefix=prefix + "-")
            version = fingerprint(child) if child is not None else None
            row = InlineRow(index, prefix, form, child, version)
            row.delete = delete
            if child is not None and formdata.get(f"{prefix}-_version") != version:
                row.form = self.form_class(obj=child, prefix=prefix + "-")
                row.delete = False
                row.errors.append(gettext(ROW_CONFLICT))
            self.rows.append(row)

    def add_blank_row(self) -> None:
        """One more empty row (the add button without JavaScript)."""
        taken = {row.index for row in self.rows}
        number = len(self.rows)
        while f"n{number}" in taken:
            number += 1
        index = f"n{number}"
        prefix = self._row_prefix(index)
        self.rows.append(InlineRow(index, prefix, self.form_class(prefix=prefix + "-"), None, None))

    def template_row(self) -> InlineRow:
        """The row JavaScript copies for "add": index ``__n__``, replaced in the browser."""
        prefix = self._row_prefix("__n__")
        return InlineRow("__n__", prefix, self.form_class(prefix=prefix + "-"), None, None)

    def validate(self) -> bool:
        """Validate every row that is kept (deleted rows are not validated); True when all are fine."""
        valid = not self.errors
        for row in self.rows:
            if row.errors or (not row.delete and not row.form.validate()):
                valid = False
        return valid

    def _keep_secrets(self, row: InlineRow) -> None:
        for name in get_sensitive_fields(self.inline.model):
            field = getattr(row.form, name, None)
            if isinstance(field, SecretField) and not field.data and row.instance is not None:
                field.data = getattr(row.instance, name)

    def save(self, auth: Any) -> None:
        """Write the rows (inside the caller's transaction), one audit entry per row written."""
        for row in self.rows:
            if row.delete:
                if row.instance is not None:
                    delete_with_audit(auth, row.instance, recursive=self.inline.delete_recursive)
                continue
            if row.instance is None:
                child = self.inline.save_row(self.inline.model(), row.form, self.parent, adding=True)
                record(auth, "add", child)
                row.instance = child
                continue
            self._keep_secrets(row)
            keep_unchanged(row.form)
            before = snapshot(auth, row.instance)
            self.inline.save_row(row.instance, row.form, self.parent, adding=False)
            record(auth, "change", row.instance, before)


def resolve_inlines(model_admin: ModelAdmin) -> list[InlineModelAdmin]:
    """``ModelAdmin.inlines`` as :class:`InlineModelAdmin` objects (a bare model gets the defaults)."""
    result: list[InlineModelAdmin] = []
    for item in model_admin.inlines:
        if isinstance(item, type) and issubclass(item, InlineModelAdmin):
            result.append(item(model_admin))
        elif isinstance(item, type) and issubclass(item, peewee.Model):
            result.append(InlineModelAdmin(model_admin, item))
        else:
            raise ImproperlyConfigured(
                f"{type(model_admin).__name__}.inlines: {item!r} is neither an InlineModelAdmin subclass nor a model"
            )
    prefixes = [inline.prefix for inline in result]
    if len(prefixes) != len(set(prefixes)):
        raise ImproperlyConfigured(f"{type(model_admin).__name__}.inlines: two inlines edit the same rows")
    return result
