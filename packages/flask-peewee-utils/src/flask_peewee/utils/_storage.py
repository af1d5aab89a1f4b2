"""Where uploaded files live: the :class:`Storage` interface and its local-directory implementation."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from typing import IO, Any

from flask import current_app, has_app_context

__all__ = ["LocalStorage", "Storage", "default_storage", "random_name", "safe_relative_name"]


def safe_relative_name(name: str) -> str:
    """``name`` when it is a plain relative path (``a/b.png``); ValueError for ``..``, absolute paths, NUL..."""
    if not isinstance(name, str) or not name or len(name) > 255:
        raise ValueError("not a stored file name")
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        raise ValueError(f"not a stored file name: {name!r}")
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise ValueError(f"not a stored file name: {name!r}")
    return name


def random_name(prefix: str, extension: str) -> str:
    """A new name ``<prefix>/<32 random hex digits>.<extension>``: nothing of the client's file name is kept."""
    token = secrets.token_hex(16)
    return safe_relative_name(f"{prefix.strip('/')}/{token}.{extension}" if prefix else f"{token}.{extension}")


class Storage:
    """The interface uploads are stored through: relative names in, bytes out.

    A subclass implements :meth:`save`, :meth:`open`, :meth:`delete` and :meth:`exists`;
    :meth:`url` returns a public address for a name, or None to have files served through
    the admin's and the API's views (with their permission checks). ``max_size`` (bytes) and
    ``allowed_types`` (MIME types) are this storage's limits, used when a field sets none.
    """

    #: the largest file accepted, in bytes (None: ``FLASK_PEEWEE_UPLOADS_MAX_SIZE``)
    max_size: int | None = None
    #: the MIME types accepted, as detected from the content (None: the field's defaults)
    allowed_types: tuple[str, ...] | None = None

    def save(self, name: str, content: bytes) -> None:
        """Store ``content`` under ``name`` (a new name: never overwrite)."""
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        """A binary file object reading the file ``name``; FileNotFoundError when it is missing."""
        raise NotImplementedError

    def delete(self, name: str) -> None:
        """Remove the file ``name``; nothing when it is already gone."""
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        """Whether a file ``name`` is stored."""
        raise NotImplementedError

    def url(self, name: str) -> str | None:
        """A public URL of ``name``, or None (served by the admin's and the API's views)."""
        return None


class LocalStorage(Storage):
    """Files in a directory of the server, ``root`` (created on first save).

    ``public_url`` (for example ``"/media/"``, served by your web server) makes :meth:`url`
    return ``public_url + name``; without it files are served through the admin's and the
    API's views with their permission checks::

        storage = LocalStorage("/srv/uploads", max_size=2 * 1024 * 1024)
        avatar = ImageField(storage=storage, null=True)
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        public_url: str | None = None,
        max_size: int | None = None,
        allowed_types: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        self.root = os.path.abspath(os.fspath(root))
        self.public_url = public_url
        self.max_size = max_size
        self.allowed_types = tuple(allowed_types) if allowed_types is not None else None

    def path(self, name: str) -> str:
        """The absolute path of ``name``; ValueError when it would leave :attr:`root`."""
        path = os.path.abspath(os.path.join(self.root, safe_relative_name(name)))
        if os.path.commonpath([self.root, path]) != self.root:
            raise ValueError(f"not a stored file name: {name!r}")
        return path

    def save(self, name: str, content: bytes) -> None:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as handle:  # "x": a name is never reused
            handle.write(content)

    def open(self, name: str) -> IO[bytes]:
        return open(self.path(name), "rb")

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(name))

    def exists(self, name: str) -> bool:
        try:
            return os.path.isfile(self.path(name))
        except ValueError:
            return False

    def url(self, name: str) -> str | None:
        if not self.public_url:
            return None
        return self.public_url.rstrip("/") + "/" + safe_relative_name(name)

    def clear(self) -> None:
        """Remove :attr:`root` and everything in it (for test suites)."""
        shutil.rmtree(self.root, ignore_errors=True)


def default_storage() -> LocalStorage:
    """The storage of fields that name none: ``FLASK_PEEWEE_UPLOADS_ROOT`` (default ``<instance path>/uploads``)."""
    from flask_peewee.utils._settings import UPLOADS_PUBLIC_URL, UPLOADS_ROOT

    if not has_app_context():
        raise RuntimeError("a file field without a storage needs an app context (FLASK_PEEWEE_UPLOADS_ROOT)")
    config: Any = current_app.config
    root = UPLOADS_ROOT.get(config) or os.path.join(current_app.instance_path, "uploads")
    return LocalStorage(root, public_url=UPLOADS_PUBLIC_URL.get(config))
