"""Checking an upload by its content, storing it under a new name, and never leaving an orphan file."""

from __future__ import annotations

import importlib
import io
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import peewee
from flask import current_app, g, has_app_context

from flask_peewee.utils._file_fields import FileField, file_fields
from flask_peewee.utils._storage import Storage, random_name

__all__ = [
    "UPLOAD_MESSAGES",
    "CheckedUpload",
    "UploadBatch",
    "UploadError",
    "check_field_upload",
    "check_upload",
    "delete_object_files",
    "delete_stored_file",
    "discard_file",
    "pillow",
    "save_upload",
    "store_checked_upload",
    "thumbnail_name",
    "upload_batch",
]

_G_BATCHES = "_flask_peewee_upload_batches"
_SVG = "image/svg+xml"
# what an HTML page or script hidden in a file looks like (a polyglot: a valid image that is also HTML)
_MARKUP = re.compile(rb"<\s*(script|html|body|iframe|object|embed|svg|\?php)\b|<!doctype\s+html|javascript:", re.I)
# Pillow's format name -> the MIME type filetype gives the same file
_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


#: The message templates of the refusals below, in English; the admin translates them (its catalogue has each one).
UPLOAD_MESSAGES = (
    "The upload is not a file.",
    "The file is too large (limit %(limit)s bytes).",
    "The file name must be a plain name, without a path.",
    "The image is too large (%(width)sx%(height)s pixels, limit %(limit)s pixels).",
    "The image's content does not match its type.",
    "The image is too large to decode safely.",
    "The image is damaged or not an image.",
    "The file is empty.",
    "SVG files are not accepted (they can carry scripts).",
    "The SVG file holds a script: refused.",
    "The file holds HTML or script markup: refused.",
    "The file's type is not recognised; accepted: %(accepted)s.",
    "Files of type %(type)s are not accepted; accepted: %(accepted)s.",
)


class UploadError(ValueError):
    """An upload refused: ``message`` says why (in English); ``status`` is 413 when it is too large, else 422.

    ``template`` is the message before ``params`` were filled in (``The file is too large (limit
    %(limit)s bytes).``, ``{"limit": 1048576}``): an interface in another language looks the
    template up in its own catalogue and fills in the same ``params`` (the admin does).
    """

    def __init__(self, message: str, status: int = 422, *, params: Mapping[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.status = status


@dataclass
class CheckedUpload:
    """An upload that passed :func:`check_upload`: its bytes, detected MIME type and extension."""

    content: bytes
    mime: str
    extension: str


def _filetype() -> Any:
    try:
        filetype = importlib.import_module("filetype")  # untyped: imported by name, only when an upload is checked
    except ImportError:
        raise RuntimeError(
            "file uploads need the filetype package: pip install 'flask-peewee-utils[uploads]'"
        ) from None
    return filetype


def pillow() -> Any:
    """Pillow's ``PIL.Image``, or None when it is not installed (``flask-peewee-utils[images]``)."""
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image


def _read(upload: Any, max_size: int) -> bytes:
    stream = getattr(upload, "stream", upload)
    content = stream.read(max_size + 1)
    if not isinstance(content, bytes):
        raise UploadError("The upload is not a file.")
    if len(content) > max_size:
        raise UploadError("The file is too large (limit %(limit)s bytes).", 413, params={"limit": max_size})
    return content


def _check_name(filename: str | None) -> None:
    name = filename or ""
    if "/" in name or "\\" in name or "\x00" in name or name in (".", ".."):
        raise UploadError("The file name must be a plain name, without a path.")


def _check_image(image: Any, content: bytes, mime: str, max_pixels: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", image.DecompressionBombWarning)
        try:
            with image.open(io.BytesIO(content)) as opened:
                width, height = opened.size
                if width * height > max_pixels:
                    raise UploadError(
                        "The image is too large (%(width)sx%(height)s pixels, limit %(limit)s pixels).",
                        params={"width": width, "height": height, "limit": max_pixels},
                    )
                if _PIL_FORMATS.get(opened.format or "") != mime:
                    raise UploadError("The image's content does not match its type.")
                opened.verify()
        except UploadError:
            raise
        except (image.DecompressionBombWarning, image.DecompressionBombError):
            raise UploadError("The image is too large to decode safely.") from None
        except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError...) on a damaged file
            raise UploadError("The image is damaged or not an image.") from None


def check_upload(
    upload: Any,
    *,
    allowed_types: Iterable[str],
    max_size: int,
    max_pixels: int = 25_000_000,
) -> CheckedUpload:
    """Read and check an upload (a werkzeug ``FileStorage``); raise :class:`UploadError` when it is refused.

    Refused: an empty file, one over ``max_size`` bytes (status 413), a file name holding a
    path, a type not in ``allowed_types`` as detected from the content with ``filetype`` (the
    name and the client's Content-Type are ignored), SVG (unless allowed, and never with a
    script), HTML or script markup in any file (polyglots), and, with Pillow, an image that
    does not decode, is over ``max_pixels`` or is not what its header says.
    """
    allowed = tuple(allowed_types)
    _check_name(getattr(upload, "filename", None))
    content = _read(upload, max_size)
    if not content:
        raise UploadError("The file is empty.")
    head = content.lstrip()[:512].lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in content.lower():
        if _SVG not in allowed:
            raise UploadError("SVG files are not accepted (they can carry scripts).")
        if re.search(rb"<\s*script|\son\w+\s*=|javascript:|<\s*foreignobject", content, re.I):
            raise UploadError("The SVG file holds a script: refused.")
        return CheckedUpload(content, _SVG, "svg")
    if _MARKUP.search(content):
        raise UploadError("The file holds HTML or script markup: refused.")
    kind = _filetype().guess(content)
    accepted = ", ".join(allowed)
    if kind is None:
        raise UploadError("The file's type is not recognised; accepted: %(accepted)s.", params={"accepted": accepted})
    if kind.mime not in allowed:
        raise UploadError(
            "Files of type %(type)s are not accepted; accepted: %(accepted)s.",
            params={"type": kind.mime, "accepted": accepted},
        )
    if kind.mime.startswith("image/") and kind.mime != _SVG:
        pil = pillow()
        if pil is not None:  # without Pillow, the type detected from the content is all there is
            _check_image(pil, content, kind.mime, max_pixels)
    return CheckedUpload(content, kind.mime, re.sub(r"[^a-z0-9]", "", kind.extension.lower())[:10] or "bin")


@dataclass
class UploadBatch:
    """The files one write stored (deleted again if it fails) and replaced (deleted once it commits)."""

    stored: list[tuple[FileField, Storage, str]] = field(default_factory=list)
    replaced: list[tuple[FileField, Storage, str]] = field(default_factory=list)


def _current_batch() -> UploadBatch | None:
    if not has_app_context():
        return None
    stack = g.get(_G_BATCHES)
    return stack[-1] if stack else None


@contextmanager
def upload_batch() -> Iterator[UploadBatch]:
    """Wrap a write that stores uploads (around its transaction).

    If the block fails, the files :func:`save_upload` stored in it are deleted (no orphan);
    when it succeeds, the files :func:`discard_file` replaced or cleared are deleted. Nested
    blocks join the outermost one.
    """
    outer = _current_batch()
    if outer is not None:
        yield outer
        return
    batch = UploadBatch()
    stack = g.setdefault(_G_BATCHES, [])
    stack.append(batch)
    try:
        yield batch
    except BaseException:
        for file_field, storage, name in batch.stored:
            delete_stored_file(file_field, name, storage)
        raise
    else:
        for file_field, storage, name in batch.replaced:
            delete_stored_file(file_field, name, storage)
    finally:
        stack.remove(batch)


def check_field_upload(file_field: FileField, upload: Any) -> CheckedUpload:
    """:func:`check_upload` with the limits of ``file_field`` (its types, size and pixels)."""
    storage = file_field.get_storage()
    config = current_app.config
    return check_upload(
        upload,
        allowed_types=file_field.get_allowed_types(storage),
        max_size=file_field.get_max_size(config, storage),
        max_pixels=file_field.get_max_pixels(config),
    )


def save_upload(file_field: FileField, upload: Any) -> str:
    """Check ``upload`` for ``file_field``, store it under a new random name and return that name.

    Inside :func:`upload_batch` the file is deleted again if the write fails. Raises
    :class:`UploadError` (nothing stored) when the upload is refused.
    """
    return store_checked_upload(file_field, check_field_upload(file_field, upload))


def store_checked_upload(file_field: FileField, checked: CheckedUpload) -> str:
    """Store an upload :func:`check_field_upload` accepted under a new random name; return the name."""
    storage = file_field.get_storage()
    name = random_name(file_field.get_prefix(), checked.extension)
    storage.save(name, checked.content)
    batch = _current_batch()
    if batch is not None:
        batch.stored.append((file_field, storage, name))
    return name


def discard_file(file_field: FileField, name: str | None) -> None:
    """The file ``name`` of ``file_field`` is being replaced or cleared: delete it once the write commits.

    Outside :func:`upload_batch` it is deleted at once.
    """
    if not name:
        return
    storage = file_field.get_storage()
    batch = _current_batch()
    if batch is None:
        delete_stored_file(file_field, name, storage)
    else:
        batch.replaced.append((file_field, storage, name))


def thumbnail_name(name: str, size: tuple[int, int]) -> str:
    """Where the thumbnail of ``name`` fitting ``size`` is kept: ``<folder>/thumbs/<stem>-<w>x<h>.png``."""
    folder, _, base = name.rpartition("/")
    stem = base.rsplit(".", 1)[0]
    thumb = f"thumbs/{stem}-{size[0]}x{size[1]}.png"
    return f"{folder}/{thumb}" if folder else thumb


def delete_stored_file(file_field: FileField, name: str, storage: Storage | None = None) -> None:
    """Delete the file ``name`` and its thumbnail (errors are logged, never raised: the write is done)."""
    storage = storage or file_field.get_storage()
    names = [name]
    if file_field.is_image:
        names.append(thumbnail_name(name, getattr(file_field, "thumbnail_size", (160, 160))))
    for each in names:
        try:
            storage.delete(each)
        except Exception:  # a storage error must not turn a committed write into a 500
            if has_app_context():
                current_app.logger.warning("could not delete the stored file %r", each, exc_info=True)


def delete_object_files(objects: Iterable[peewee.Model]) -> None:
    """After deleting ``objects`` (committed): delete their stored files, for fields that delete with the object."""
    config = current_app.config
    for obj in objects:
        for name, file_field in file_fields(obj).items():
            value = obj.__data__.get(name)
            if value and file_field.deletes_with_object(config):
                delete_stored_file(file_field, value)
