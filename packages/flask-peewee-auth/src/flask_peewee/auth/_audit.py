"""The audit log shared by the admin and the REST API: one row per write, with the changed fields."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import peewee
from flask import has_request_context, request

from flask_peewee.auth._permissions import model_label, user_id_of
from flask_peewee.utils import get_sensitive_fields, serialize_value

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["AUDIT_ACTIONS", "HIDDEN", "AuditLog"]

AUDIT_ACTIONS = ("add", "change", "delete")
#: What the log shows instead of a sensitive field's value.
HIDDEN = "<hidden>"
_DIGEST_PREFIX = "sha256:"


def _digest(value: Any) -> str:
    """A stand-in for a sensitive value: enough to tell whether it changed, useless to read it back."""
    return _DIGEST_PREFIX + hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def _object_pk(instance: peewee.Model) -> str:
    pk = instance.get_id()
    if isinstance(pk, (tuple, list)):
        return json.dumps([serialize_value(None, part) for part in pk], default=str)
    value = serialize_value(None, pk)
    return "" if value is None else str(value)


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

    def snapshot(self, instance: peewee.Model) -> dict[str, Any]:
        """The JSON-ready field values of ``instance`` as it is in memory (no query).

        Take it before changing or deleting the instance. A foreign key gives the related
        id; a sensitive field gives a digest that only tells whether it later changed.
        """
        sensitive = get_sensitive_fields(type(instance))
        data = instance.__data__
        values: dict[str, Any] = {}
        for field in type(instance)._meta.sorted_fields:
            if field.name not in data:
                continue  # not loaded (a partial select): unknown, not None
            value = data[field.name]
            values[field.name] = _digest(value) if field.name in sensitive else serialize_value(field, value)
        return values

    def changes(self, action: str, instance: peewee.Model, before: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``{field: [old, new]}`` that :meth:`record` would store (without writing anything)."""
        if action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; expected one of {AUDIT_ACTIONS}")
        sensitive = get_sensitive_fields(type(instance))
        if action == "change":
            if before is None:
                raise ValueError("record('change', ...) needs before=auth.audit.snapshot(instance) taken before")
            old, new = before, self.snapshot(instance)
        elif action == "add":
            old, new = {}, self.snapshot(instance)
        else:
            old, new = (before if before is not None else self.snapshot(instance)), {}
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
    ) -> Any:
        """Write one audit entry for ``action`` ("add", "change" or "delete") on ``instance``.

        For "change", ``before`` is a :meth:`snapshot` taken before the change and only the
        fields that changed are stored; a change that changed nothing is not recorded
        (returns None). ``user`` defaults to the logged-in user and ``remote_addr`` to the
        request's client address (both None outside a request). A ``user`` that is not of the
        user model (an API key, say) is recorded by name only. Exactly one INSERT.
        """
        changes = self.changes(action, instance, before)
        if action == "change" and not changes:
            return None
        if user is None:
            user = self.auth.get_logged_in_user()
        if remote_addr is None and has_request_context():
            remote_addr = request.remote_addr
        username = getattr(user, "username", None) if user is not None else None
        if username is None and user is not None and not isinstance(user, int):
            username = str(user)
        return self.model.create(
            user_id=user_id_of(user, self.auth.User),
            username=None if username is None else str(username)[:255],
            remote_addr=None if remote_addr is None else str(remote_addr)[:100],
            source=str(source)[:32],
            model=model_label(instance),
            object_pk=_object_pk(instance)[:191],
            action=action,
            changes=json.dumps(changes, default=str),
        )

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
