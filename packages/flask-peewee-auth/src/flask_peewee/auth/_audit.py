"""The audit log shared by the admin and the REST API: one row per write, with the changed fields."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

import peewee
from flask import has_request_context, request

from flask_peewee.auth._links import set_links
from flask_peewee.auth._permissions import model_label, user_id_of
from flask_peewee.db.typed import tuple_rows
from flask_peewee.utils import get_sensitive_fields, insert_instance, many_to_many_ends, serialize_value

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["AUDIT_ACTIONS", "HIDDEN", "AuditLog"]

AUDIT_ACTIONS = ("add", "change", "delete")
#: What the log shows instead of a sensitive field's value.
HIDDEN = "<hidden>"
_DIGEST_PREFIX = "sha256:"
_BATCH = 500  # dependent rows read, recorded and written per step of a recursive delete


def _digest(value: Any) -> str:
    """A stand-in for a sensitive value: enough to tell whether it changed, useless to read it back."""
    return _DIGEST_PREFIX + hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def _object_pk(instance: peewee.Model) -> str:
    pk = instance.get_id()
    if isinstance(pk, (tuple, list)):
        return json.dumps([serialize_value(None, part) for part in pk], default=str)
    value = serialize_value(None, pk)
    return "" if value is None else str(value)


def _sorted_ids(ids: list[Any]) -> list[Any]:
    distinct = list(dict.fromkeys(ids))
    try:
        return sorted(distinct)
    except TypeError:  # ids that do not compare keep the order read
        return distinct


def _has_ends(field: Any) -> bool:
    try:
        many_to_many_ends(field)
    except ValueError:
        return False
    return True


def _single_key(model: type[peewee.Model]) -> peewee.Field | None:
    primary = model._meta.primary_key
    if isinstance(primary, peewee.Field) and not isinstance(primary, peewee.CompositeKey):
        return primary
    return None


class AuditLog:
    """Records writes in the ``fp_audit_log`` table (``auth.AuditEntry``) and queries them.

    Usage, in the same transaction as the write::

        before = auth.audit.snapshot(note)
        note.title = "new title"
        with db.database.atomic():
            note.save()
            auth.audit.record("change", note, before=before)

        auth.audit.query(model=Note, pk=note.id)  # newest first
    """

    HIDDEN = HIDDEN

    def __init__(self, auth: Auth) -> None:
        self.auth = auth

    @property
    def model(self) -> Any:
        """The ``AuditEntry`` model."""
        return self.auth.AuditEntry

    def snapshot(self, instance: peewee.Model, *, many_to_many: Collection[str] | bool = ()) -> dict[str, Any]:
        """The JSON-ready field values of ``instance`` as it is in memory (no query).

        Take it before changing or deleting the instance. A foreign key gives the related
        id; a sensitive field gives a digest that only tells whether it later changed.
        ``many_to_many`` names many-to-many fields (``True``: all the model declares) whose
        linked ids, sorted, are added under the field's name: one query per field.
        """
        sensitive = get_sensitive_fields(type(instance))
        data = instance.__data__
        values: dict[str, Any] = {}
        for field in type(instance)._meta.sorted_fields:
            if field.name not in data:
                continue  # not loaded (a partial select): unknown, not None
            value = data[field.name]
            values[field.name] = _digest(value) if field.name in sensitive else serialize_value(field, value)
        values.update(self.many_to_many_ids(instance, many_to_many))
        return values

    def many_to_many_ids(self, instance: peewee.Model, names: Collection[str] | bool = True) -> dict[str, list[Any]]:
        """``{field: sorted JSON-ready ids}`` of ``instance``'s links through the named many-to-many fields.

        ``names=True`` means every many-to-many field declared on the model (not peewee's
        backrefs, nor one whose ends :func:`~flask_peewee.utils.many_to_many_ends` cannot
        tell); sensitive ones are left out. A field relating the model to itself gives the
        ids its through model's second foreign key holds. An unknown name, or one whose ends
        cannot be told, raises ``ValueError``.
        """
        model = type(instance)
        declared = {name: f for name, f in model._meta.manytomany.items() if not getattr(f, "_is_backref", False)}
        if names is True:  # a field without readable ends is skipped here: only named ones raise
            chosen = [name for name, f in declared.items() if _has_ends(f)]
        elif names is False:
            chosen = []
        else:
            unknown = [name for name in names if name not in declared]
            if unknown:
                raise ValueError(f"{model.__name__} has no many-to-many field {unknown[0]!r}")
            chosen = list(dict.fromkeys(names))
        sensitive = get_sensitive_fields(model)
        result: dict[str, list[Any]] = {}
        for name in chosen:
            if name in sensitive:
                continue
            field = declared[name]
            through, source, target = many_to_many_ends(field)
            query = through.select(target).where(source == getattr(instance, source.rel_field.name))
            ids = _sorted_ids([row[0] for row in tuple_rows(query)])
            result[name] = [serialize_value(target.rel_field, i) for i in ids]
        return result

    def changes(
        self,
        action: str,
        instance: peewee.Model,
        before: dict[str, Any] | None = None,
        *,
        many_to_many: Collection[str] | bool = (),
    ) -> dict[str, Any]:
        """The ``{field: [old, new]}`` that :meth:`record` would store (without writing anything)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; expected one of {AUDIT_ACTIONS}")
        sensitive = get_sensitive_fields(type(instance))
        if action == "change":
            if before is None:
                raise ValueError("record('change', ...) needs before=auth.audit.snapshot(instance) taken before")
            old, new = before, self.snapshot(instance, many_to_many=many_to_many)
        elif action == "add":
            old, new = {}, self.snapshot(instance, many_to_many=many_to_many)
        else:
            old = before if before is not None else self.snapshot(instance, many_to_many=many_to_many)
            new = {}
        result: dict[str, Any] = {}
        for name in dict.fromkeys([*old, *new]):
            old_value, new_value = old.get(name), new.get(name)
            if action == "change" and (name not in old or name not in new or old_value == new_value):
                continue
            if action != "change" and old_value is None and new_value is None:
                continue
            if name in sensitive:
                old_value = None if old_value is None else HIDDEN
                new_value = None if new_value is None else HIDDEN
            result[name] = [old_value, new_value]
        return result

    def record(
        self,
        action: str,
        instance: peewee.Model,
        *,
        before: dict[str, Any] | None = None,
        source: str = "app",
        user: Any = None,
        remote_addr: str | None = None,
        many_to_many: Collection[str] | bool = (),
    ) -> Any:
        """Write one audit entry for ``action`` ("add", "change" or "delete") on ``instance``.

        For "change", ``before`` is a :meth:`snapshot` taken before the change and only the
        fields that changed are stored; a change that changed nothing is not recorded
        (returns None). ``many_to_many`` names many-to-many fields whose linked ids belong in
        the entry (read after the write, one query each; for "change", take ``before`` with
        the same names so both sides hold them). ``user`` defaults to the logged-in user and
        ``remote_addr`` to the request's client address (both None outside a request). A
        ``user`` that is not of the user model (an API key, say) is recorded by name only.
        Exactly one INSERT.
        """
        changes = self.changes(action, instance, before, many_to_many=many_to_many)
        if action == "change" and not changes:
            return None
        if user is None:
            user = self.auth.get_logged_in_user()
        if remote_addr is None and has_request_context():
            remote_addr = request.remote_addr
        username = getattr(user, "username", None) if user is not None else None
        if username is None and user is not None and not isinstance(user, int):
            username = str(user)
        values = {
            "user_id": user_id_of(user, self.auth.User),
            "username": None if username is None else str(username)[:255],
            "remote_addr": None if remote_addr is None else str(remote_addr)[:100],
            "source": str(source)[:32],
            "model": model_label(instance),
            "object_pk": _object_pk(instance)[:191],
            "action": action,
            "changes": json.dumps(changes, default=str),
        }
        model = self.model
        if getattr(model.create, "__func__", None) is not getattr(peewee.Model.create, "__func__", None):
            return model.create(**values)  # an override of create() is honoured
        return insert_instance(model(**values))  # its INSERT built once (an overridden save() still runs)

    def delete(
        self,
        instance: peewee.Model,
        *,
        recursive: bool = False,
        many_to_many: Collection[str] | bool = True,
        source: str = "app",
        user: Any = None,
        remote_addr: str | None = None,
    ) -> int:
        """Delete ``instance`` in one transaction with one entry per row written; the rows deleted (0 or 1).

        With ``recursive``, as peewee's ``delete_instance(recursive=True)``: rows pointing at it
        through a nullable foreign key get NULL there (a "change" entry), the others are deleted
        (a "delete" entry, the many-to-many link rows among them), deepest first. Dependent rows
        are read, recorded and written by primary key in batches, so memory stays flat and no
        row is written unrecorded. The entry of ``instance`` holds its many-to-many ids
        (``many_to_many``, as in :meth:`snapshot`). ``instance.delete_instance()`` deletes it, so a
        model's override still runs; when it deleted nothing (the row was already gone) nothing
        is recorded for it. Every entry goes through :meth:`record` (one INSERT each).

        Usage::

            auth.audit.delete(author, recursive=True, source="admin")
        """
        before = self.snapshot(instance, many_to_many=many_to_many)
        if user is None:
            user = self.auth.get_logged_in_user()
        options = {"source": source, "user": user, "remote_addr": remote_addr}
        with type(instance)._meta.database.atomic():
            if recursive:
                for condition, fk in instance.dependencies(exclude_null_children=True):
                    self._cascade(condition, fk, options)
            deleted = instance.delete_instance()
            if deleted:
                self.record("delete", instance, before=before, **options)
        return deleted

    def set_links(
        self,
        instance: peewee.Model,
        field: Any,
        wanted: Iterable[Any],
        *,
        source: str = "app",
        user: Any = None,
        remote_addr: str | None = None,
    ) -> tuple[list[Any], list[Any]]:
        """Make ``instance``'s links through the many-to-many ``field`` exactly ``wanted``, one entry per link.

        :func:`~flask_peewee.auth.set_links` with this log: the links already there are kept
        (no statement), each one removed is a "delete" entry and each one added an "add"
        entry on the through model; returns the ``(added, removed)`` ids. Take the object's
        own entry with ``many_to_many=[field.name]`` to see the ids before and after::

            before = auth.audit.snapshot(post, many_to_many=["tags"])
            with db.database.atomic():
                auth.audit.set_links(post, Post.tags, [1, 3], source="import")
                auth.audit.record("change", post, before=before, many_to_many=["tags"])
        """
        if user is None:
            user = self.auth.get_logged_in_user()
        return set_links(instance, field, wanted, audit=self, source=source, user=user, remote_addr=remote_addr)

    def _cascade(self, condition: Any, fk: peewee.ForeignKeyField, options: dict[str, Any]) -> None:
        """Unlink (nullable ``fk``) or delete the rows of ``fk.model`` matching ``condition``, recording each."""
        model = fk.model
        primary = _single_key(model)
        while True:
            query = model.select().where(condition)
            rows = list(query if primary is None else query.order_by(primary).limit(_BATCH))
            for row in rows:
                before = self.snapshot(row)
                if fk.null:
                    setattr(row, fk.name, None)
                    self.record("change", row, before=before, **options)
                else:
                    self.record("delete", row, before=before, **options)
            if not rows:
                return
            where = condition if primary is None else primary.in_([row.get_id() for row in rows])
            if fk.null:
                written = model.update(**{fk.name: None}).where(where).execute()
            else:
                written = model.delete().where(where).execute()
            if primary is None or len(rows) < _BATCH or not written:
                return

    def query(
        self,
        model: Any = None,
        pk: Any = None,
        user: Any = None,
        action: str | None = None,
        *,
        source: str | None = None,
    ) -> peewee.ModelSelect:
        """The entries matching every argument given, newest first.

        ``model`` is a model class, an instance or a table name; ``pk`` an object's primary
        key; ``user`` a user object or id.
        """
        entry = self.model
        query = entry.select()
        if model is not None:
            query = query.where(entry.model == model_label(model))
        if pk is not None:
            pk_text = _object_pk(pk) if isinstance(pk, peewee.Model) else str(serialize_value(None, pk))
            query = query.where(entry.object_pk == pk_text)
        if user is not None:
            user_id = user_id_of(user, self.auth.User)
            query = query.where(entry.user_id == user_id if user_id is not None else peewee.SQL("1 = 0"))
        if action is not None:
            query = query.where(entry.action == action)
        if source is not None:
            query = query.where(entry.source == source)
        return query.order_by(entry.created.desc(), entry.id.desc())
