"""File fields in the REST API: multipart uploads on create and update, URLs in the output, the file view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee
from flask import Response, current_app, request, url_for

from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._request import max_body_size
from flask_peewee.rest._writes import check_permission
from flask_peewee.utils import get_sensitive_fields
from flask_peewee.utils.internal import effective_body_limit
from flask_peewee.utils.uploads import (
    FileField,
    UploadError,
    discard_file,
    file_fields,
    save_upload,
    send_stored_file,
)

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = [
    "FILE_ROUTE",
    "FILE_URL_SCHEMA",
    "accept_uploads",
    "add_file_urls",
    "multipart_schema",
    "serve_file",
    "served_file_fields",
    "upload_body_limit",
]

#: the file view of a resource with file fields, relative to ``<prefix>/<name>``
FILE_ROUTE = "/<pk>/file/<field>/"
_MULTIPART_SLACK = 64 * 1024  # the other form fields and the multipart framing


def served_file_fields(resource: RestResource) -> dict[str, FileField]:
    """The file fields of the resource's model that its output shows (``fields``/``exclude``, never sensitive)."""
    candidates = file_fields(resource.model)
    if not candidates:
        return candidates
    sensitive = get_sensitive_fields(resource.model)
    return {
        name: field
        for name, field in candidates.items()
        if name not in sensitive
        and (resource.fields is None or name in resource.fields)
        and name not in (resource.exclude or ())
    }


#: the OpenAPI schema of a file field in the output: its URL
FILE_URL_SCHEMA: dict[str, Any] = {"type": ["string", "null"], "format": "uri"}


def multipart_schema(resource: RestResource, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The OpenAPI schema of a multipart body for the JSON body ``schema``: its file fields as binary parts."""
    names = [name for name in served_file_fields(resource) if name in schema.get("properties", {})]
    if not names:
        return None
    properties = dict(schema["properties"])
    for name in names:
        properties[name] = {"type": "string", "format": "binary"}
    return {**schema, "properties": properties}


def upload_body_limit(resource: RestResource) -> int | None:
    """The body limit of a multipart write with files: room for each file field's own limit (else None)."""
    fields = served_file_fields(resource)
    if not fields or request.mimetype != "multipart/form-data":
        return None
    config = current_app.config
    own = max(max_body_size(), sum(field.get_max_size(config) for field in fields.values()) + _MULTIPART_SLACK)
    limit = effective_body_limit(own, config.get("MAX_CONTENT_LENGTH"))
    return int(own if limit is None else limit)


def file_url(resource: RestResource, obj: peewee.Model, name: str, stored: str) -> str:
    """The address of a stored file: its storage's public URL, else this resource's file view (absolute)."""
    public = file_fields(resource.model)[name].get_storage().url(stored)
    if public:
        return public
    detail = url_for(f"{resource.api.blueprint.name}.api_detail", resource=resource.get_api_name(), pk=obj.get_id())
    return request.host_url.rstrip("/") + detail + f"file/{name}/"


def add_file_urls(resource: RestResource, obj: peewee.Model, data: dict[str, Any]) -> None:
    """Replace the stored names of ``obj``'s file fields in ``data`` by their URLs (None when empty)."""
    for name in served_file_fields(resource):
        if name in data:
            stored = obj.__data__.get(name)
            data[name] = file_url(resource, obj, name, stored) if stored else None


def accept_uploads(resource: RestResource, data: dict[str, Any], obj: peewee.Model | None) -> dict[str, Any]:
    """Store the uploads of a write (multipart ``request.files``) and put their names in ``data``.

    Call it inside :func:`~flask_peewee.utils.uploads.upload_batch`: a failed write deletes
    the new files, a committed one deletes the files it replaced. A file field can also be set
    to ``null`` (cleared) or sent back unchanged (its name or URL); any other string is refused:
    a client never chooses a stored name. Answers 422 (413 for a file over its limit).
    """
    fields = served_file_fields(resource)
    if not fields and not request.files:
        return data
    read_only = resource.get_read_only_fields()
    writable = {name: field for name, field in fields.items() if name not in read_only}
    errors: dict[str, str] = {
        name: "not a file field of this resource" for name in request.files if name not in writable
    }
    if errors:
        raise ApiError(422, "Invalid data", errors=errors)
    for name, field in writable.items():
        current = obj.__data__.get(name) if obj is not None else None
        # a browser form's file input left empty sends a part with no file name: nothing chosen
        uploads = [upload for upload in request.files.getlist(name) if upload.filename]
        if uploads:
            if len(uploads) != 1:
                errors[name] = "send one file"
                continue
            try:
                data[name] = save_upload(field, uploads[0])
            except UploadError as exc:
                if exc.status == 413:
                    raise ApiError(413, exc.message, errors={name: exc.message}) from None
                errors[name] = exc.message
                continue
            discard_file(field, current)
        elif name in data:
            value = data[name]
            if value is None or value == "":
                if not field.null:
                    errors[name] = "this field is required"
                    continue
                data[name] = None
                discard_file(field, current)
            elif current and obj is not None and value in (current, file_url(resource, obj, name, current)):
                data.pop(name)  # sent back unchanged
            else:
                errors[name] = "upload a file with multipart/form-data (or send null to clear it)"
    if errors:
        raise ApiError(422, "Invalid data", errors=errors)
    return data


def serve_file(resource: RestResource, pk: str, field: str) -> Response:
    """``GET <name>/<pk>/file/<field>/`` (``?thumb=1``: the thumbnail): after ``check_get`` and the view permission."""
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, "Method not allowed", headers={"Allow": "GET, HEAD"})
    model_field = served_file_fields(resource).get(field)
    if model_field is None:
        raise ApiError(404, "Not found")
    obj = resource.get_object(pk)
    if not resource.check_get(obj):
        return resource.response_forbidden()
    check_permission(resource, "view")
    stored = obj.__data__.get(field)
    if not stored:
        raise ApiError(404, "Not found")
    return send_stored_file(model_field, stored, thumbnail=request.args.get("thumb") == "1")
