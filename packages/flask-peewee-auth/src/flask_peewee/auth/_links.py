"""The one writer of many-to-many links, shared by the admin and the REST API: a diff, audited per link."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.db.typed import primary_key
from flask_peewee.utils import many_to_many_ends

if TYPE_CHECKING:
    from flask_peewee.auth._audit import AuditLog

__all__ = ["set_links"]


def set_links(
    instance: peewee.Model,
    field: Any,
    wanted: Iterable[Any],
    *,
    audit: AuditLog | None = None,
    source: str = "app",
    user: Any = None,
    remote_addr: str | None = None,
) -> tuple[list[Any], list[Any]]:
    """Make the links of ``instance`` through the many-to-many ``field`` exactly ``wanted``; ``(added, removed)``.

    ``wanted`` holds related objects or the values their through rows store (their ids). The
    links are read in one query; only the difference is written: one DELETE for the links
    gone, and the new ones inserted (one INSERT each with ``audit``, one for all without).
    With ``audit`` (an :class:`~flask_peewee.auth.AuditLog`) each link removed or added is one
    entry ("delete" or "add") on the through model, with ``source``, ``user`` and
    ``remote_addr`` as in :meth:`AuditLog.record`. It runs in the caller's transaction, or in
    its own when there is none. The ends are :func:`flask_peewee.utils.many_to_many_ends`, so a
    field relating a model to itself works. Usage::

        with db.database.atomic():
            set_links(post, Post.tags, [1, 3], audit=auth.audit, source="import")
    """
    through, src_fk, dest_fk = many_to_many_ends(field)
    src_id = getattr(instance, src_fk.rel_field.name)
    if src_id is None:
        raise ValueError(f"cannot link an unsaved {type(instance).__name__} through {field.name!r}")
    key_name = dest_fk.rel_field.name
    keys = list(dict.fromkeys(getattr(obj, key_name) if isinstance(obj, peewee.Model) else obj for obj in wanted))
    database = through._meta.database
    if database.in_transaction():  # the caller's: no savepoint, no extra statement
        return _write(through, src_fk, dest_fk, src_id, keys, audit, source, user, remote_addr)
    with database.atomic():
        return _write(through, src_fk, dest_fk, src_id, keys, audit, source, user, remote_addr)


def _write(
    through: type[peewee.Model],
    src_fk: peewee.ForeignKeyField,
    dest_fk: peewee.ForeignKeyField,
    src_id: Any,
    keys: list[Any],
    audit: AuditLog | None,
    source: str,
    user: Any,
    remote_addr: str | None,
) -> tuple[list[Any], list[Any]]:
    options = {"source": source, "user": user, "remote_addr": remote_addr}
    primary = through._meta.primary_key
    single = isinstance(primary, peewee.Field) and not isinstance(primary, peewee.CompositeKey)
    existing = list(through.select().where(src_fk == src_id).order_by(primary if single else dest_fk))
    wanted = set(keys)
    current = {row.__data__.get(dest_fk.name) for row in existing}
    gone = [row for row in existing if row.__data__.get(dest_fk.name) not in wanted]
    removed = list(dict.fromkeys(row.__data__.get(dest_fk.name) for row in gone))
    if gone:
        if audit is not None:
            for row in gone:
                audit.record("delete", row, **options)
        if single:
            through.delete().where(primary_key(through).in_([row.get_id() for row in gone])).execute()
        else:
            through.delete().where((src_fk == src_id) & dest_fk.in_(removed)).execute()
    added = [key for key in keys if key not in current]
    if audit is None:
        if added:
            through.insert_many([{src_fk.name: src_id, dest_fk.name: key} for key in added]).execute()
    else:
        for key in added:
            audit.record("add", through.create(**{src_fk.name: src_id, dest_fk.name: key}), **options)
    return added, removed
