"""Upload controls for :class:`~flask_peewee.utils.uploads.FileField` in admin forms, and the view serving the files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee
import wtforms
from flask import abort, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import FileStorage
from wtforms import validators
from wtforms.utils import unset_value

from flask_peewee.admin._i18n import N_, format_number, gettext
from flask_peewee.utils.uploads import (
    CheckedUpload,
    FileField,
    UploadError,
    check_field_upload,
    discard_file,
    file_fields,
    pillow,
    safe_relative_name,
    send_stored_file,
    store_checked_upload,
)

if TYPE_CHECKING:
    from flask import Response

    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["FileUploadField", "FileViews", "file_url"]

#: the ``name`` of the checkbox that clears a file: ``<field name>-clear``
CLEAR_SUFFIX = "-clear"

#: The refusals of flask-peewee-utils' upload check (its ``UPLOAD_MESSAGES``), marked for the admin's catalogue.
UPLOAD_MESSAGES = frozenset(
    {
        N_("The upload is not a file."),
        N_("The file is too large (limit %(limit)s bytes)."),
        N_("The file name must be a plain name, without a path."),
        N_("The image is too large (%(width)sx%(height)s pixels, limit %(limit)s pixels)."),
        N_("The image's content does not match its type."),
        N_("The image is too large to decode safely."),
        N_("The image is damaged or not an image."),
        N_("The file is empty."),
        N_("SVG files are not accepted (they can carry scripts)."),
        N_("The SVG file holds a script: refused."),
        N_("The file holds HTML or script markup: refused."),
        N_("The file's type is not recognised; accepted: %(accepted)s."),
        N_("Files of type %(type)s are not accepted; accepted: %(accepted)s."),
    }
)


def upload_error_text(error: UploadError) -> str:
    """Why an upload was refused, in the user's language (the English ``message`` when the catalogue lacks it)."""
    template = getattr(error, "template", None)
    if template not in UPLOAD_MESSAGES:
        return error.message
    params = {key: format_number(value) for key, value in getattr(error, "params", {}).items()}
    return gettext(template, **params)


def file_url(model_admin: ModelAdmin, field_name: str, stored: str, *, thumbnail: bool = False) -> str:
    """The address of a stored file: its storage's public URL, else the admin's file view."""
    field = file_fields(model_admin.model)[field_name]
    public = field.get_storage().url(stored)
    if public and not thumbnail:
        return public
    url = url_for(model_admin.get_url_name("stored_file"), field=field_name, name=stored)
    return url + "?thumb=1" if thumbnail else url


def upload_widget(field: FileUploadField, **kwargs: Any) -> Markup:
    """The current file (a link, and a thumbnail for images), a "Clear" box when it may be empty, and the file input."""
    kwargs.setdefault("id", field.id)
    accept = ",".join(field.model_field.get_allowed_types())
    parts = [Markup('<div class="fp-upload">')]
    stored = field.object_data if isinstance(field.object_data, str) and field.object_data else None
    if stored:
        link = file_url(field.model_admin, field.model_field.name, stored)
        parts.append(Markup('<p class="fp-upload-current">{} ').format(gettext("Current file:")))
        if field.model_field.is_image and pillow() is not None:
            thumb = file_url(field.model_admin, field.model_field.name, stored, thumbnail=True)
            parts.append(Markup('<img class="fp-upload-thumb" src="{}" alt="" loading="lazy"> ').format(thumb))
        name = stored.rsplit("/", 1)[-1]
        parts.append(Markup('<a href="{}" target="_blank" rel="noopener">{}</a></p>').format(link, name))
        if field.model_field.null:
            parts.append(
                Markup(
                    '<span class="fp-check fp-upload-clear">'
                    '<input type="checkbox" name="{0}{1}" id="{2}{1}" value="1"{3}>'
                    ' <label for="{2}{1}">{4}</label></span>'
                ).format(
                    field.name, CLEAR_SUFFIX, field.id, Markup(" checked") if field.clear else "", gettext("Clear")
                )
            )
    attributes = wtforms.widgets.html_params(name=field.name, type="file", accept=accept, **kwargs)
    parts.append(Markup(f"<input {attributes}>"))  # noqa: S704 - html_params escapes every value
    if stored:
        parts.append(Markup('<p class="fp-help">{}</p>').format(gettext("Choose a file to replace the current one.")))
    parts.append(Markup("</div>"))
    return Markup("").join(parts)


class FileUploadField(wtforms.Field):
    """The form field of a model :class:`FileField`: upload, replace or clear its file.

    The upload is checked (type by content, size, name) when the form validates and stored
    only when the object is saved, inside the save's :func:`~flask_peewee.utils.uploads.upload_batch`:
    a failed save deletes it again; a replaced or cleared file is deleted once the save commits.
    """

    widget = staticmethod(upload_widget)

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        model_field: FileField,
        model_admin: ModelAdmin,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.model_field = model_field
        self.model_admin = model_admin
        self.upload: FileStorage | None = None
        self.checked: CheckedUpload | None = None
        self.clear = False

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.upload = None
        self.checked = None
        self.clear = bool(formdata is not None and formdata.get(self.name + CLEAR_SUFFIX))
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: list[Any]) -> None:
        for value in valuelist:
            if isinstance(value, FileStorage) and (value.filename or value.content_length):
                self.upload = value
                return

    def _value(self) -> str:
        return ""

    def pre_validate(self, form: Any) -> None:
        if self.upload is not None:
            try:
                self.checked = check_field_upload(self.model_field, self.upload)
            except UploadError as exc:
                raise validators.StopValidation(upload_error_text(exc)) from None
            return
        empty = self.clear or not self.object_data
        if empty and not self.model_field.null:
            raise validators.StopValidation(gettext("This field is required: choose a file."))

    def populate_obj(self, obj: Any, name: str) -> None:
        old = obj.__data__.get(name) if isinstance(obj, peewee.Model) else getattr(obj, name, None)
        if self.checked is not None:
            new = store_checked_upload(self.model_field, self.checked)
            setattr(obj, name, new)
            self.data = new
            discard_file(self.model_field, old)
        elif self.clear and self.model_field.null:
            setattr(obj, name, None)
            self.data = None
            discard_file(self.model_field, old)


class FileViews:
    """The admin's file view, ``<admin>/<model>/_file/<field>/<name>``: for users who may view the model."""

    def stored_file(self: Any, field: str, name: str) -> Response:
        """Serve the file ``name`` of ``field`` when a row the user may see holds it (``?thumb=1``: its thumbnail)."""
        self._require("view")
        model_field = file_fields(self.model).get(field)
        if (
            model_field is None
            or field in (self.exclude or ())
            or (self.fields is not None and field not in self.fields)
        ):
            abort(404)
        try:  # a name no upload could have (NUL, "..", too long) never reaches the database
            safe_relative_name(name)
        except ValueError:
            abort(404)
        if not self.get_query().where(model_field == name).exists():
            abort(404)
        return send_stored_file(model_field, name, thumbnail=request.args.get("thumb") == "1")
