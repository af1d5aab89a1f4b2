"""Model fields for uploaded files and images: a relative path of their storage in a text column."""

from __future__ import annotations

import weakref
from typing import Any

import peewee

from flask_peewee.utils._settings import UPLOADS_DELETE_WITH_OBJECT, UPLOADS_MAX_PIXELS, UPLOADS_MAX_SIZE
from flask_peewee.utils._storage import Storage, default_storage

__all__ = ["IMAGE_TYPES", "FileField", "ImageField", "file_fields"]

#: The raster image types an :class:`ImageField` accepts by default (and the only ones served inline).
IMAGE_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif", "image/webp")


class FileField(peewee.CharField):
    """An uploaded file, stored as the relative name its :class:`Storage` gave it (a VARCHAR(255)).

    ``storage`` defaults to a :class:`LocalStorage` at ``FLASK_PEEWEE_UPLOADS_ROOT``;
    ``allowed_types`` are MIME types checked against the file's content (default: the
    storage's, else PDF and raster images); ``max_size`` in bytes (default: the storage's,
    else ``FLASK_PEEWEE_UPLOADS_MAX_SIZE``); ``upload_to`` the folder of new names (default
    ``<table>/<field>``). The admin renders it as an upload control and the REST API takes
    it as a multipart upload::

        class Document(db.Model):
            title = CharField()
            scan = FileField(null=True, allowed_types=("application/pdf",))
    """

    #: the types accepted when neither the field nor its storage says
    default_types: tuple[str, ...] = ("application/pdf", *IMAGE_TYPES)
    #: whether the field holds raster images (thumbnails, an image check with Pillow)
    is_image = False

    def __init__(
        self,
        storage: Storage | None = None,
        *,
        allowed_types: tuple[str, ...] | list[str] | None = None,
        max_size: int | None = None,
        upload_to: str | None = None,
        delete_with_object: bool | None = None,
        max_length: int = 255,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.storage = storage
        self.allowed_types = tuple(allowed_types) if allowed_types is not None else None
        self.max_size = max_size
        self.upload_to = upload_to
        self.delete_with_object = delete_with_object

    def get_storage(self) -> Storage:
        """The storage of this field's files."""
        return self.storage if self.storage is not None else default_storage()

    def get_allowed_types(self, storage: Storage | None = None) -> tuple[str, ...]:
        """The MIME types accepted (checked against the content)."""
        if self.allowed_types is not None:
            return self.allowed_types
        storage = storage or self.get_storage()
        return storage.allowed_types if storage.allowed_types is not None else self.default_types

    def get_max_size(self, config: Any, storage: Storage | None = None) -> int:
        """The largest file accepted, in bytes."""
        if self.max_size is not None:
            return int(self.max_size)
        storage = storage or self.get_storage()
        return int(storage.max_size if storage.max_size is not None else UPLOADS_MAX_SIZE.get(config))

    def get_max_pixels(self, config: Any) -> int:
        """The largest image accepted, in pixels."""
        return int(UPLOADS_MAX_PIXELS.get(config))

    def deletes_with_object(self, config: Any) -> bool:
        """Whether deleting the object deletes its file (``FLASK_PEEWEE_UPLOADS_DELETE_WITH_OBJECT`` by default)."""
        if self.delete_with_object is not None:
            return bool(self.delete_with_object)
        return bool(UPLOADS_DELETE_WITH_OBJECT.get(config))

    def get_prefix(self) -> str:
        """The folder new names go in: ``upload_to``, else ``<table>/<field>``."""
        if self.upload_to is not None:
            return self.upload_to.strip("/")
        return f"{self.model._meta.table_name}/{self.name}"


class ImageField(FileField):
    """An uploaded raster image (JPEG, PNG, GIF, WebP by default), shown with a thumbnail.

    ``thumbnail_size`` is the box thumbnails fit in (made once with Pillow, then kept in the
    storage). With Pillow installed (``flask-peewee-utils[images]``) uploads are also
    decoded to check them (damaged files, polyglots, decompression bombs).
    """

    default_types = IMAGE_TYPES
    is_image = True

    def __init__(self, storage: Storage | None = None, *, thumbnail_size: tuple[int, int] = (160, 160), **kwargs: Any):
        super().__init__(storage, **kwargs)
        self.thumbnail_size = (int(thumbnail_size[0]), int(thumbnail_size[1]))


# Per model class: its fields dict's size when last looked at, and its file fields. Asked for
# every object a page serializes; a field added later (``add_field``) changes the size.
_FILE_FIELDS: weakref.WeakKeyDictionary[type, tuple[int, dict[str, FileField]]] = weakref.WeakKeyDictionary()


def file_fields(model: type[peewee.Model] | peewee.Model) -> dict[str, FileField]:
    """The :class:`FileField` (and :class:`ImageField`) fields of ``model``, by name."""
    cls = model if isinstance(model, type) else type(model)
    fields = cls._meta.fields
    cached = _FILE_FIELDS.get(cls)
    if cached is None or cached[0] != len(fields):
        found = {name: field for name, field in fields.items() if isinstance(field, FileField)}
        _FILE_FIELDS[cls] = cached = (len(fields), found)
    return dict(cached[1]) if cached[1] else {}
