"""Groups of users and their permission grants: what :class:`~flask_peewee.auth.Auth` adds to the stored grants.

A user may do what their own grants allow and what the grants of each of their groups allow;
the permission policy reads both in one query per request (``stored_grants``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import peewee

from flask_peewee.auth._permissions import (
    forget_cached_grants,
    model_label,
    stored_grants,
    user_id_of,
)

if TYPE_CHECKING:
    from flask_peewee.auth._audit import AuditLog
    from flask_peewee.auth._permissions import PermissionPolicy
    from flask_peewee.db import Database

__all__ = ["GroupError", "GroupMethods"]

_MAX_ID = 2**63 - 1  # past it, no id column holds the value (a query would fail, not miss)
#: The longest group name the ``fp_group`` table holds.
NAME_MAX_LENGTH = 150


class GroupError(ValueError):
    """A group write refused (a bad or taken name, a group that does not exist): ``str()`` says why, in English.

    ``template`` is that text before ``params`` were filled in (``a group named %(name)s already
    exists``, ``{"name": "'editors'"}``), so an interface in another language can look the
    template up in its own catalogue (the admin's groups pages do).
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def clean_group_name(name: Any) -> str:
    """``name`` stripped; :class:`GroupError` when it is empty, too long or holds a NUL character."""
    if not isinstance(name, str):
        raise GroupError("the group name must be text")
    name = name.strip()
    if not name:
        raise GroupError("the group name must not be empty")
    if len(name) > NAME_MAX_LENGTH:
        raise GroupError("the group name must be at most %(limit)s characters", limit=NAME_MAX_LENGTH)
    if "\x00" in name:
        raise GroupError("the group name must not hold a NUL character")
    return name


def _clean_description(description: Any) -> str:
    description = description.strip() if isinstance(description, str) else ""
    if len(description) > 255 or "\x00" in description:
        raise GroupError("the description must be at most 255 characters, without NUL")
    return description


class GroupMethods:
    """The group methods of :class:`~flask_peewee.auth.Auth` (a mixin; Auth supplies the models).

    Every write runs in one transaction; with ``source`` (``"admin"``, ``"cli"``) each row
    added or deleted is recorded in the audit log in that transaction.
    """

    db: Database
    User: Any
    Group: Any
    GroupMember: Any
    GroupGrant: Any
    PermissionGrant: Any
    permission_policy: PermissionPolicy
    audit: AuditLog

    # -- reading ----------------------------------------------------------------------

    def get_permissions(self, user: Any) -> frozenset[tuple[str, str]]:
        """The ``(model table, action)`` pairs stored for ``user``: their own grants and their groups'.

        One query, cached for the request (the query :meth:`has_grant` uses).
        """
        user_id = user_id_of(user, self.User)
        if user_id is None:
            return frozenset()
        return stored_grants(cast(Any, self), user_id)

    def get_group(self, group: Any) -> Any:
        """The group named ``group`` (or with that id, or the group itself, re-read), or None."""
        model = self.Group
        if isinstance(group, model):
            group = group.get_id()
        if isinstance(group, bool):
            return None
        if isinstance(group, int):
            return model.get_or_none(model.id == group) if 0 < group <= _MAX_ID else None
        if isinstance(group, str) and "\x00" not in group:
            return model.get_or_none(model.name == group.strip())
        return None

    def get_groups(self, user: Any = None) -> list[Any]:
        """The groups of ``user`` (a user or an id) by name; every group when ``user`` is None."""
        model, member = self.Group, self.GroupMember
        query = model.select().order_by(model.name)
        if user is not None:
            user_id = user_id_of(user, self.User)
            if user_id is None:
                return []
            query = query.join(member, on=(member.group_id == model.id)).where(member.user_id == user_id)
        return list(query)

    def get_group_members(self, group: Any) -> list[Any]:
        """The users in ``group``, by primary key (ids of deleted users are left out)."""
        found = self._require_group(group)
        user_model, member = self.User, self.GroupMember
        pk = user_model._meta.primary_key
        query = (
            user_model.select().join(member, on=(member.user_id == pk)).where(member.group_id == found.id).order_by(pk)
        )
        return list(query)

    def get_group_permissions(self, group: Any) -> set[tuple[str, str]]:
        """The ``(model table, action)`` pairs granted to ``group``."""
        found = self._require_group(group)
        grant = self.GroupGrant
        rows = grant.select(grant.model, grant.action).where(grant.group_id == found.id).tuples()
        return {(model, action) for model, action in rows}

    # -- writing ----------------------------------------------------------------------

    def create_group(self, name: str, description: str = "", *, source: str | None = None) -> Any:
        """Create the group ``name``; :class:`GroupError` (a ValueError) when the name is empty, too long or taken."""
        name, description = clean_group_name(name), _clean_description(description)
        model = self.Group
        taken = GroupError("a group named %(name)s already exists", name=repr(name))
        if model.get_or_none(model.name == name) is not None:
            raise taken
        try:
            with self.db.database.atomic():
                group = model.create(name=name, description=description)
                self._audit("add", group, source)
        except peewee.IntegrityError:  # created at the same moment elsewhere
            raise taken from None
        return group

    def update_group(self, group: Any, name: str, description: str = "", *, source: str | None = None) -> Any:
        """Rename ``group`` and set its description; :class:`GroupError` for a bad or taken name. Returns the group."""
        found = self._require_group(group)
        name, description = clean_group_name(name), _clean_description(description)
        model = self.Group
        taken = GroupError("a group named %(name)s already exists", name=repr(name))
        if model.get_or_none((model.name == name) & (model.id != found.id)) is not None:
            raise taken
        before = self.audit.snapshot(found) if source is not None else None
        found.name, found.description = name, description
        try:
            with self.db.database.atomic():
                found.save()
                if source is not None:
                    self.audit.record("change", found, before=before, source=source)
        except peewee.IntegrityError:  # taken at the same moment elsewhere
            raise taken from None
        return found

    def delete_group(self, group: Any, *, source: str | None = None) -> bool:
        """Delete ``group`` with its memberships and grants; whether it existed."""
        found = self.get_group(group)
        if found is None:
            return False
        member, grant = self.GroupMember, self.GroupGrant
        with self.db.database.atomic():
            if source is not None:
                for row in [
                    *member.select().where(member.group_id == found.id),
                    *grant.select().where(grant.group_id == found.id),
                ]:
                    self._audit("delete", row, source)
            member.delete().where(member.group_id == found.id).execute()
            grant.delete().where(grant.group_id == found.id).execute()
            self._audit("delete", found, source)
            deleted = self.Group.delete().where(self.Group.id == found.id).execute()
        forget_cached_grants()
        return bool(deleted)

    def add_to_group(self, user: Any, group: Any, *, source: str | None = None) -> bool:
        """Make ``user`` (a user or an id) a member of ``group``; False when they already were."""
        user_id = self._require_user_id(user)
        found = self._require_group(group)
        member = self.GroupMember
        query = member.select().where(member.group_id == found.id, member.user_id == user_id)
        added = False
        if query.first() is None:
            try:
                with self.db.database.atomic():
                    row = member.create(group_id=found.id, user_id=user_id)
                    self._audit("add", row, source)
                added = True
            except peewee.IntegrityError:  # added at the same moment elsewhere
                added = False
        forget_cached_grants()
        return added

    def remove_from_group(self, user: Any, group: Any, *, source: str | None = None) -> bool:
        """Take ``user`` out of ``group``; whether they were in it."""
        user_id = self._require_user_id(user)
        found = self._require_group(group)
        member = self.GroupMember
        where = (member.group_id == found.id) & (member.user_id == user_id)
        with self.db.database.atomic():
            if source is not None:
                for row in member.select().where(where):
                    self._audit("delete", row, source)
            removed = member.delete().where(where).execute()
        forget_cached_grants()
        return bool(removed)

    def grant_group_permission(self, group: Any, model: Any, action: str, *, source: str | None = None) -> Any:
        """Let every member of ``group`` do ``action`` on ``model``; return the grant (stored once)."""
        found = self._require_group(group)
        label = model_label(model)
        self.permission_policy.check_action(action)
        grant = self.GroupGrant
        query = grant.select().where(grant.group_id == found.id, grant.model == label, grant.action == action)
        existing = query.first()
        if existing is None:
            try:
                with self.db.database.atomic():
                    existing = grant.create(group_id=found.id, model=label, action=action)
                    self._audit("add", existing, source)
            except peewee.IntegrityError:  # granted at the same moment elsewhere
                existing = query.get()
        forget_cached_grants()
        return existing

    def revoke_group_permission(self, group: Any, model: Any, action: str, *, source: str | None = None) -> bool:
        """Take back ``group``'s grant of ``action`` on ``model``; whether there was one."""
        found = self._require_group(group)
        label = model_label(model)
        self.permission_policy.check_action(action)
        grant = self.GroupGrant
        where = (grant.group_id == found.id) & (grant.model == label) & (grant.action == action)
        with self.db.database.atomic():
            if source is not None:
                for row in grant.select().where(where):
                    self._audit("delete", row, source)
            deleted = grant.delete().where(where).execute()
        forget_cached_grants()
        return bool(deleted)

    # -- helpers ----------------------------------------------------------------------

    def _audit(self, action: str, row: Any, source: str | None) -> None:
        if source is not None:
            self.audit.record(action, row, source=source)

    def _require_group(self, group: Any) -> Any:
        found = self.get_group(group)
        if found is None:
            raise GroupError("no group %(group)s", group=repr(group))
        return found

    def _require_user_id(self, user: Any) -> int:
        user_id = user_id_of(user, self.User)
        if user_id is None:
            raise ValueError(f"group members must be saved users with an integer primary key, got {user!r}")
        return user_id
