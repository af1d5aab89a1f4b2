"""What every write goes through: the auth permission policy, one transaction, clean conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import peewee

from flask_peewee.db.typed import pk_expr
from flask_peewee.rest._auths import only_auth
from flask_peewee.rest._errors import ApiError
from flask_peewee.utils.internal import stored_row_known, unique_violation

if TYPE_CHECKING:
    from flask_peewee.auth import Auth
    from flask_peewee.rest._resource import RestResource

__all__ = [
    "check_permission",
    "conflicting_fields",
    "find_auth",
    "locked_row",
    "missing_fields",
    "reload_stored",
    "write_atomic",
    "write_transaction",
]


def find_auth(resource: RestResource) -> Auth | None:
    """The ``Auth`` that governs ``resource``: its authentication's, the API's, or the app's only one."""
    # only the user-based authentications hold an Auth; every RestAPI has ``auth`` (None by default)
    auth = getattr(resource.authentication, "auth", None) or resource.api.auth
    if auth is not None:
        return auth
    return only_auth()


def check_permission(resource: RestResource, action: str) -> None:
    """Ask the auth permission policy whether the request's user may ``action`` the model; 403 if not.

    The request has passed the resource's Authentication already, so the policy's default is to allow.
    """
    auth = find_auth(resource)
    if auth is None:
        return
    user = resource.authentication.get_user()
    if not auth.has_permission(user, resource.model, action, default=True):
        raise ApiError(403, "Forbidden")


def conflicting_fields(instance: peewee.Model) -> dict[str, str]:
    """The unique fields (or unique indexes) of ``instance`` whose values another row already holds."""
    return {
        name: "already exists" if len(group) == 1 else "this combination already exists"
        for group in unique_violation(instance)
        for name in group
    }


def missing_fields(instance: peewee.Model) -> dict[str, str]:
    """The NOT NULL fields of ``instance`` that hold no value (a database-generated primary key excepted)."""
    model = type(instance)
    primary = model._meta.primary_key
    errors: dict[str, str] = {}
    for field in model._meta.sorted_fields:
        if field.null or (field is primary and isinstance(field, peewee.AutoField)):
            continue
        if instance.__data__.get(field.name) is None:
            errors[field.name] = "this field is required"
    return errors


def reload_stored(instance: peewee.Model) -> peewee.Model:
    """Put in ``instance`` the field values the database stored (one SELECT by primary key).

    What a backend keeps can differ from what was sent: MariaDB drops a datetime's
    microseconds, a NUMERIC column rounds to its scale, a REAL column to single precision.
    The answer and the audit entry then show the stored row. Nothing is read when the
    INSERT already returned it (:func:`insert_instance` on PostgreSQL and SQLite).
    """
    if stored_row_known(instance):
        return instance
    model = type(instance)
    fields = model._meta.sorted_fields
    row = model.select(*fields).where(pk_expr(instance)).tuples().first()
    if row is not None:
        for field, value in zip(fields, row, strict=True):
            instance.__data__[field.name] = value
    return instance


def write_atomic(database: peewee.Database | peewee.DatabaseProxy) -> Any:
    """``database.atomic()``; on SQLite an immediate transaction, so concurrent writers queue for the write lock.

    A deferred SQLite transaction that read before writing fails with "database is locked"
    when another writer got there first; an immediate one waits (the driver's ``timeout``).
    """
    bound = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if isinstance(bound, peewee.SqliteDatabase) and bound.transaction_depth() == 0:
        return bound.atomic(lock_type="IMMEDIATE")
    return database.atomic()


def locked_row(instance: peewee.Model) -> peewee.Model | None:
    """``instance``'s row read again in the current transaction, locked until it ends (``FOR UPDATE``).

    SQLite has no row locks: there the immediate transaction of :func:`write_atomic` already
    holds the database's write lock. ``None`` when the row is gone.
    """
    model = type(instance)
    query = model.select().where(pk_expr(instance))
    if getattr(model._meta.database, "for_update", False):
        query = query.for_update()
    return query.first()


def _required(instance: peewee.Model | None) -> ApiError | None:
    missing = missing_fields(instance) if instance is not None else {}
    return ApiError(422, "Invalid data", errors=missing) if missing else None


@contextmanager
def write_transaction(
    resource: RestResource, instance: peewee.Model | None = None, conflict: str | None = None
) -> Iterator[None]:
    """Run a write in one transaction; database refusals become 409/422 JSON errors without driver text.

    A unique violation names the fields (409, ``{"error": ..., "errors": {"username": "already exists"}}``);
    a NOT NULL field left empty answers 422 naming it (``{"errors": {"password": "this field is
    required"}}``); another integrity error answers 409 ``conflict`` when given, else 422 (a
    CHECK constraint, say).
    """
    database = resource.model._meta.database
    try:
        with write_atomic(database):
            yield
    except peewee.IntegrityError:
        errors = conflicting_fields(instance) if instance is not None else {}
        if errors:
            raise ApiError(409, "Conflict with an existing object", errors=errors) from None
        required = _required(instance)
        if required is not None:
            raise required from None
        if conflict is not None:
            raise ApiError(409, conflict) from None
        raise ApiError(422, "The data breaks a rule of the database") from None
    except peewee.DataError:
        raise ApiError(422, "A value does not fit its column") from None
    except peewee.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        required = _required(instance) if code == _NO_DEFAULT_FOR_FIELD else None
        if required is not None:
            raise required from None
        if not _is_check_violation(exc):
            raise
        raise ApiError(422, "The data breaks a rule of the database") from None


# MariaDB/MySQL report a NOT NULL column left out of an INSERT as an operational error
_NO_DEFAULT_FOR_FIELD = 1364


def _is_check_violation(exc: peewee.OperationalError) -> bool:
    """MariaDB (4025) and MySQL (3819) report a failed CHECK constraint as an operational error."""
    code = exc.args[0] if exc.args else None
    return isinstance(code, int) and code in (3819, 4025)
