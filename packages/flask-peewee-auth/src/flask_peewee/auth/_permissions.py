"""The permission policy shared by the admin and the REST API, and the stored grants it reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import peewee
from flask import g, has_request_context

from flask_peewee.db import use_primary

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["ACTIONS", "PermissionPolicy", "model_label", "user_id_of"]

#: The actions the admin and the REST API ask about.
ACTIONS: tuple[str, ...] = ("view", "add", "change", "delete", "export")
_G_GRANTS = "_flask_peewee_auth_grants"


def model_label(model: Any) -> str:
    """The name grants and audit entries use for ``model``: its table name.

    ``model`` is a model class, an instance, or already a table name.
    """
    if isinstance(model, str):
        if not model:
            raise ValueError("the model name must not be empty")
        return model
    meta = getattr(model, "_meta", None)
    table_name = getattr(meta, "table_name", None)
    if not isinstance(table_name, str):
        raise TypeError(f"expected a peewee model, an instance or a table name, got {model!r}")
    return table_name


def user_id_of(user: Any, user_model: type | None = None) -> int | None:
    """The integer id of ``user`` (a user object or an id), None when it has none.

    With ``user_model``, an object of another class (an API key, say) has no user id either.
    """
    if user is None:
        return None
    if user_model is not None and not isinstance(user, (int, user_model)):
        return None
    pk = user if isinstance(user, int) else getattr(user, "get_id", lambda: None)()
    if isinstance(pk, bool) or not isinstance(pk, int):
        return None
    return pk


class PermissionPolicy:
    """Decides whether a user may ``view``, ``add``, ``change``, ``delete`` or ``export`` a model.

    The default grants the action when the caller's ``default`` says so (the admin passes
    ``Admin.check_user_permission(user)``, the REST API passes True once its authentication
    accepted the request) or when a grant is stored for that user, model and action. It
    never reads ``user.admin`` itself. Override :meth:`has_permission` to change the rule::

        class NoDeletes(PermissionPolicy):
            def has_permission(self, auth, user, model, action, *, default):
                if action == "delete":
                    return False
                return super().has_permission(auth, user, model, action, default=default)

        auth = Auth(app, db, permission_policy=NoDeletes())
    """

    #: The actions this policy knows; subclasses may add their own.
    actions: tuple[str, ...] = ACTIONS

    def check_action(self, action: str) -> str:
        """Return ``action`` when this policy knows it; raise ValueError otherwise."""
        if action not in self.actions:
            raise ValueError(f"unknown permission action {action!r}; expected one of {self.actions}")
        return action

    def has_permission(self, auth: Auth, user: Any, model: Any, action: str, *, default: bool) -> bool:
        """Whether ``user`` (None when anonymous) may do ``action`` on ``model``."""
        self.check_action(action)
        if default:
            return True
        if user is None:
            return False
        return auth.has_grant(user, model, action)


def stored_grants(auth: Auth, user_id: int) -> frozenset[tuple[str, str]]:
    """The ``(model, action)`` pairs granted to ``user_id`` or to one of its groups, read once per request."""
    cache: dict[tuple[str, int], frozenset[tuple[str, str]]] | None = None
    key = (auth.blueprint.name, user_id)
    if has_request_context():
        cache = g.setdefault(_G_GRANTS, {})
        if key in cache:
            return cache[key]
    grant: Any = auth.PermissionGrant
    query: Any = grant.select(grant.model, grant.action).where(grant.user_id == user_id)
    group_grant: Any = getattr(auth, "GroupGrant", None)
    if group_grant is not None:  # the user's own grants and their groups' in one query
        member: Any = auth.GroupMember
        query = query | (
            group_grant.select(group_grant.model, group_grant.action)
            .join(member, on=(member.group_id == group_grant.group_id))
            .where(member.user_id == user_id)
        )
    rows = query.tuples()
    with use_primary():  # a revoked grant takes effect at once, replicas or not
        grants = frozenset((model, action) for model, action in rows)
    if cache is not None:
        cache[key] = grants
    return grants


def forget_cached_grants() -> None:
    """Drop this request's cached grants (after a grant or a revocation)."""
    if has_request_context():
        g.pop(_G_GRANTS, None)


def add_grant(auth: Auth, user: Any, model: Any, action: str, *, source: str | None = None) -> Any:
    """Store a grant (once); return it. With ``source``, a new grant is recorded in the audit log."""
    user_id = _required_user_id(auth, user)
    label = model_label(model)
    auth.permission_policy.check_action(action)
    grant: Any = auth.PermissionGrant
    query = grant.select().where(grant.user_id == user_id, grant.model == label, grant.action == action)
    existing = query.first()
    if existing is None:
        try:
            with auth.db.database.atomic():
                existing = grant.create(user_id=user_id, model=label, action=action)
                if source is not None:
                    auth.audit.record("add", existing, source=source)
        except peewee.IntegrityError:  # granted at the same moment by another request
            existing = query.get()
    forget_cached_grants()
    return existing


def remove_grant(auth: Auth, user: Any, model: Any, action: str, *, source: str | None = None) -> bool:
    """Delete a grant; whether there was one. With ``source``, the deletion is recorded in the audit log."""
    user_id = _required_user_id(auth, user)
    label = model_label(model)
    auth.permission_policy.check_action(action)
    grant: Any = auth.PermissionGrant
    where = (grant.user_id == user_id) & (grant.model == label) & (grant.action == action)
    with auth.db.database.atomic():
        if source is not None:
            for row in grant.select().where(where):
                auth.audit.record("delete", row, source=source)
        deleted = grant.delete().where(where).execute()
    forget_cached_grants()
    return bool(deleted)


def _required_user_id(auth: Auth, user: Any) -> int:
    user_id = user_id_of(user, auth.User)
    if user_id is None:
        raise ValueError(f"permission grants need a saved user with an integer primary key, got {user!r}")
    return user_id
