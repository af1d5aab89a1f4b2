"""Serving stored files safely (the admin's and the API's file views share it) and their thumbnails."""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

from flask import Response, abort, current_app, send_file

from flask_peewee.utils._file_fields import FileField
from flask_peewee.utils._storage import safe_relative_name
from flask_peewee.utils._uploads import pillow, thumbnail_name

__all__ = ["INLINE_TYPES", "make_thumbnail", "send_stored_file"]

#: The extensions served inline (safe raster images); everything else is sent as an attachment.
INLINE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
_ATTACHMENT_TYPES = {"pdf": "application/pdf"}


def make_thumbnail(file_field: FileField, name: str) -> str | None:
    """The name of the thumbnail of ``name`` (made with Pillow the first time, then kept in the storage).

    None when the field is not an :class:`ImageField`, Pillow is missing, or the image cannot be read.
    """
    size = getattr(file_field, "thumbnail_size", None)
    image = pillow()
    if not file_field.is_image or size is None or image is None:
        return None
    storage = file_field.get_storage()
    thumb = thumbnail_name(name, size)
    if storage.exists(thumb):
        return thumb
    max_pixels = file_field.get_max_pixels(current_app.config)
    try:
        with storage.open(name) as handle:
            content = handle.read(file_field.get_max_size(current_app.config, storage) + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("error", image.DecompressionBombWarning)
            with image.open(io.BytesIO(content)) as opened:
                if opened.size[0] * opened.size[1] > max_pixels:
                    return None
                opened.thumbnail(size)
                converted = opened.convert("RGBA")
        out = io.BytesIO()
        converted.save(out, format="PNG")
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or hostile file gets no thumbnail, never a 500
        current_app.logger.warning("could not make a thumbnail of %r", name, exc_info=True)
        return None
    with contextlib.suppress(FileExistsError):  # made by another request at the same moment
        storage.save(thumb, out.getvalue())
    return thumb


def send_stored_file(file_field: FileField, name: str, *, thumbnail: bool = False) -> Response:
    """The response serving the file ``name`` of ``file_field`` (404 when it is missing).

    Only safe raster images (by the stored name's extension, which the server chose from the
    content) are shown inline; anything else is a download (``Content-Disposition:
    attachment``), SVG and HTML included. Always ``X-Content-Type-Options: nosniff`` and a
    sandboxing ``Content-Security-Policy``. The caller checks permissions first.
    """
    try:
        safe_relative_name(name)
    except ValueError:
        abort(404)
    if thumbnail:
        thumb = make_thumbnail(file_field, name)
        if thumb is None:
            abort(404)
        name = thumb
    storage = file_field.get_storage()
    try:
        with storage.open(name) as handle:  # files are small (the upload limit): read, and close at once
            content: Any = io.BytesIO(handle.read())
    except (FileNotFoundError, ValueError):
        abort(404)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    inline = extension in INLINE_TYPES
    mimetype = INLINE_TYPES.get(extension) or _ATTACHMENT_TYPES.get(extension, "application/octet-stream")
    response = send_file(
        content,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=name.rsplit("/", 1)[-1],
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response
