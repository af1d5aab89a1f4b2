"""The :class:`BaseUser` mixin, the default ``User`` model and the models auth owns."""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.auth._policy import PasswordPolicyError, password_problems
from flask_peewee.utils import check_password, dummy_verify, make_password

if TYPE_CHECKING:
    from flask_peewee.db import Database

__all__ = [
    "BaseUser",
    "make_audit_model",
    "make_grant_model",
    "make_group_models",
    "make_remember_model",
    "make_session_end_model",
    "make_session_model",
    "make_throttle_model",
    "make_user_model",
    "utcnow",
]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def utcnow() -> datetime.datetime:
    """The current time in UTC, without tzinfo (how auth's own tables store times on every backend)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class BaseUser:
    """Mixin giving a user model ``set_password`` and ``check_password``.

    The model needs a text field named ``password`` that stores the hash::

        class User(db.Model, BaseUser):
            username = CharField(unique=True)
            password = CharField()
    """

    __sensitive_fields__: tuple[str, ...] = ("password",)
    password: Any

    def set_password(self, password: str, *, check_policy: bool = False) -> None:
        """Hash ``password`` and store the hash on the model (call ``save()`` to write it).

        With ``check_policy=True`` the password policy is applied first (against this user's
        ``username`` and ``email``): a refused password raises
        :class:`~flask_peewee.auth.PasswordPolicyError` and nothing is changed. By default any
        password is accepted, as before.
        """
        if check_policy:
            problems = password_problems(
                password, username=_text(getattr(self, "username", None)), email=_text(getattr(self, "email", None))
            )
            if problems:
                raise PasswordPolicyError(problems)
        self.password = make_password(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash; always costs one verification."""
        stored = self.password
        if not isinstance(stored, str) or not stored:
            dummy_verify(password if isinstance(password, str) else "")
            return False
        return check_password(password, stored)


def make_user_model(db: Database, db_table: str = "user") -> type[peewee.Model]:
    """Declare the default ``User`` model on ``db.Model`` with the table name ``db_table``."""

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class User(base, BaseUser):
        username = peewee.CharField(max_length=255, unique=True)
        password = peewee.CharField(max_length=255)
        email = peewee.CharField(max_length=255, default="")
        active = peewee.BooleanField(default=True)
        admin = peewee.BooleanField(default=False)
        join_date = peewee.DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = db_table

        def __str__(self) -> str:
            return str(self.username)

    return User


def make_throttle_model(db: Database) -> type[peewee.Model]:
    """The table of failed-login counters (one row per hashed username or client address)."""

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class LoginThrottle(base):
        key = peewee.CharField(max_length=80, unique=True)
        attempts = peewee.IntegerField(default=0)
        window_start = peewee.BigIntegerField()

        class Meta:
            table_name = "fp_login_throttle"

    return LoginThrottle


def make_grant_model(db: Database) -> type[peewee.Model]:
    """Stored permission grants: user ``user_id`` may do ``action`` on the model whose table is ``model``."""

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class PermissionGrant(base):
        user_id = peewee.BigIntegerField(index=True)
        model = peewee.CharField(max_length=128)
        action = peewee.CharField(max_length=32)
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_permission_grant"
            indexes = ((("user_id", "model", "action"), True),)

        def __str__(self) -> str:
            return f"user {self.user_id} may {self.action} {self.model}"

    return PermissionGrant


def make_audit_model(db: Database) -> type[peewee.Model]:
    """The audit log: who changed what, when, from where, with the changed fields as JSON text."""

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class AuditEntry(base):
        created = peewee.DateTimeField(default=utcnow, index=True)
        user_id = peewee.BigIntegerField(null=True, index=True)
        username = peewee.CharField(max_length=255, null=True)
        remote_addr = peewee.CharField(max_length=100, null=True)
        source = peewee.CharField(max_length=32, default="app")
        model = peewee.CharField(max_length=128)
        object_pk = peewee.CharField(max_length=191)
        action = peewee.CharField(max_length=16)
        changes = peewee.TextField(default="{}")

        class Meta:
            table_name = "fp_audit_log"
            indexes = ((("model", "object_pk"), False),)

        def get_changes(self) -> dict[str, Any]:
            """The recorded changes, ``{field: [old, new]}`` (sensitive values are ``"<hidden>"``)."""
            try:
                changes = json.loads(self.changes or "{}")
            except ValueError:
                return {}
            return changes if isinstance(changes, dict) else {}

        def __str__(self) -> str:
            who = self.username or "(no user)"
            return f"{self.created:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.model} {self.object_pk}"

    return AuditEntry


def make_remember_model(db: Database) -> type[peewee.Model]:
    """Remember-me tokens: only a SHA-256 of each token's secret part is stored."""

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class RememberToken(base):
        user_id = peewee.BigIntegerField(index=True)
        selector = peewee.CharField(max_length=32, unique=True)
        token_hash = peewee.CharField(max_length=64)
        fingerprint = peewee.CharField(max_length=64)
        created = peewee.DateTimeField(default=utcnow)
        expires = peewee.DateTimeField()
        # written only with FLASK_PEEWEE_AUTH_SESSIONS_PAGE (added to an older table then, see _devices.py)
        last_used = peewee.DateTimeField(null=True)
        remote_addr = peewee.CharField(max_length=100, null=True)
        user_agent = peewee.CharField(max_length=255, null=True)

        class Meta:
            table_name = "fp_remember_token"

    return RememberToken


def make_session_model(db: Database) -> type[peewee.Model]:
    """Listed login sessions: a SHA-256 of each session's random id, its user and its expiry.

    With the sessions page on, a login adds a row and a logout deletes it; a listed session
    whose row is gone (its cookie copied before the logout, say) no longer logs anyone in.
    With the page off, sessions are unlisted (see :func:`make_session_end_model`).
    """

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class AuthSession(base):
        key = peewee.CharField(max_length=64, unique=True)
        user_id = peewee.BigIntegerField(index=True)
        created = peewee.DateTimeField(default=utcnow)
        expires = peewee.DateTimeField(index=True)
        # written only with FLASK_PEEWEE_AUTH_SESSIONS_PAGE (added to an older table then, see _devices.py)
        last_used = peewee.DateTimeField(null=True)
        remote_addr = peewee.CharField(max_length=100, null=True)
        user_agent = peewee.CharField(max_length=255, null=True)

        class Meta:
            table_name = "fp_auth_session"

    return AuthSession


def make_session_end_model(db: Database) -> type[peewee.Model]:
    """Ended login sessions, kept until the sessions themselves would have expired.

    A session started while the sessions page is off writes nothing at its login; its
    logout adds a row here (``key``: the SHA-256 of its id), and ending every session of a
    user adds (or moves) that user's cut-off row (``key``: the SHA-256 of
    :func:`~flask_peewee.auth._live_sessions.cutoff_name`, ``before``: the moment, in
    microseconds since the epoch, before which the user's sessions started are ended).
    """

    base: Any = db.Model

    class AuthSessionEnd(base):
        key = peewee.CharField(max_length=64, unique=True)
        before = peewee.BigIntegerField(null=True)
        expires = peewee.DateTimeField(index=True)

        class Meta:
            table_name = "fp_auth_session_end"

    return AuthSessionEnd


def make_group_models(db: Database) -> tuple[type[peewee.Model], type[peewee.Model], type[peewee.Model]]:
    """Groups of users: ``fp_group``, its members (``fp_group_member``) and its grants (``fp_group_grant``).

    Members are stored by the user's id as a plain integer, like the user's own grants; a
    member of a group may do what the group's grants allow.
    """

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class Group(base):
        name = peewee.CharField(max_length=150, unique=True)
        description = peewee.CharField(max_length=255, default="")
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_group"

        def __str__(self) -> str:
            return str(self.name)

    class GroupMember(base):
        group_id = peewee.BigIntegerField()
        user_id = peewee.BigIntegerField(index=True)
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_group_member"
            indexes = ((("group_id", "user_id"), True),)

        def __str__(self) -> str:
            return f"user {self.user_id} in group {self.group_id}"

    class GroupGrant(base):
        group_id = peewee.BigIntegerField()
        model = peewee.CharField(max_length=128)
        action = peewee.CharField(max_length=32)
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_group_grant"
            indexes = ((("group_id", "model", "action"), True),)

        def __str__(self) -> str:
            return f"group {self.group_id} may {self.action} {self.model}"

    return Group, GroupMember, GroupGrant
