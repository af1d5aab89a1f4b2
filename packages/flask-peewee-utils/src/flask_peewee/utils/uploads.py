"""File and image uploads: model fields, storages, upload checks and safe serving.

The admin renders :class:`FileField` and :class:`ImageField` as upload controls and the REST
API takes them as multipart uploads; both serve the files through views built on
:func:`send_stored_file`. Checking types by content needs ``filetype``
(``pip install 'flask-peewee-utils[uploads]'``); thumbnails and image checks need Pillow
(``flask-peewee-utils[images]``). Both are imported only when an upload is handled.
"""

from __future__ import annotations

from flask_peewee.utils._file_fields import IMAGE_TYPES, FileField, ImageField, file_fields
from flask_peewee.utils._file_serving import INLINE_TYPES, make_thumbnail, send_stored_file
from flask_peewee.utils._storage import LocalStorage, Storage, default_storage, random_name, safe_relative_name
from flask_peewee.utils._uploads import (
    CheckedUpload,
    UploadBatch,
    UploadError,
    check_field_upload,
    check_upload,
    delete_object_files,
    delete_stored_file,
    discard_file,
    pillow,
    save_upload,
    store_checked_upload,
    thumbnail_name,
    upload_batch,
)

__all__ = [
    "IMAGE_TYPES",
    "INLINE_TYPES",
    "CheckedUpload",
    "FileField",
    "ImageField",
    "LocalStorage",
    "Storage",
    "UploadBatch",
    "UploadError",
    "check_field_upload",
    "check_upload",
    "default_storage",
    "delete_object_files",
    "delete_stored_file",
    "discard_file",
    "file_fields",
    "make_thumbnail",
    "pillow",
    "random_name",
    "safe_relative_name",
    "save_upload",
    "send_stored_file",
    "store_checked_upload",
    "thumbnail_name",
    "upload_batch",
]
