"""What the account views share: which are on, their set-up checks, mailed links and user look-ups."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import peewee
from flask import current_app, url_for

from flask_peewee.auth._settings import (
    ACCOUNT_EXTERNAL_URL,
    CHANGE_EMAIL,
    CHANGE_PASSWORD,
    CONFIRM_TOKEN_AGE,
    MAIL_SENDER,
    PASSWORD_RESET,
    RESET_TOKEN_AGE,
    SIGNUP,
    SIGNUP_CONFIRM,
)
from flask_peewee.db import ImproperlyConfigured

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "account_link",
    "confirm_age",
    "email_taken",
    "enabled_features",
    "get_user",
    "reset_age",
    "set_up_accounts",
    "user_by_email",
    "username_taken",
]


def enabled_features(config: Mapping[str, Any]) -> set[str]:
    """The account features the app switched on: "signup", "confirm", "reset", "password", "email"."""
    features = set()
    if SIGNUP.get(config):
        features.add("signup")
        if SIGNUP_CONFIRM.get(config):
            features.add("confirm")
    if PASSWORD_RESET.get(config):
        features.add("reset")
    if CHANGE_PASSWORD.get(config):
        features.add("password")
    if CHANGE_EMAIL.get(config):
        features.add("email")
    return features


def _age(config: Mapping[str, Any], setting: Any) -> int:
    value = setting.get(config)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(f"{setting.key} must be a positive number of seconds, got {value!r}")
    return value


def reset_age() -> int:
    """Seconds a password reset link is valid."""
    return _age(current_app.config, RESET_TOKEN_AGE)


def confirm_age() -> int:
    """Seconds a confirmation link (sign-up, email change) is valid."""
    return _age(current_app.config, CONFIRM_TOKEN_AGE)


def set_up_accounts(app: Flask, user_model: Any) -> None:
    """At ``init_app``: refuse a configuration the enabled features cannot work with; set Flask-Mail up."""
    features = enabled_features(app.config)
    if not features:
        return
    _age(app.config, RESET_TOKEN_AGE)
    _age(app.config, CONFIRM_TOKEN_AGE)
    fields = user_model._meta.fields
    needed = {"username", "password", "email"}
    if "confirm" in features:
        needed.add("active")
    missing = sorted(name for name in needed if name not in fields)
    if missing:
        raise ImproperlyConfigured(
            f"the account views ({', '.join(sorted(features))}) need a user model with the fields "
            f"{', '.join(sorted(needed))}; {user_model.__name__} lacks {', '.join(missing)}"
        )
    if features & {"confirm", "reset", "email"}:
        from flask_peewee.auth._mail import ensure_mail

        ensure_mail(app)
        if not (MAIL_SENDER.get(app.config) or getattr(app.extensions["mail"], "default_sender", None)):
            raise ImproperlyConfigured(
                "the account views mail links: set FLASK_PEEWEE_MAIL_SENDER or Flask-Mail's MAIL_DEFAULT_SENDER "
                "(before Auth is set up on the app)"
            )


def account_link(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` for a mail: under ``FLASK_PEEWEE_ACCOUNT_EXTERNAL_URL`` when set."""
    base = ACCOUNT_EXTERNAL_URL.get(current_app.config)
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def get_user(user_model: Any, user_pk: Any) -> Any:
    """The user with this primary key, or None (also for a value the column cannot hold)."""
    try:
        return user_model.get_or_none(user_model._meta.primary_key == user_pk)
    except (peewee.DataError, ValueError, TypeError):
        _rollback(user_model)
        return None


def user_by_email(user_model: Any, email: str) -> Any:
    """The first user (by primary key) whose address is ``email``, compared without case: one query."""
    query = (
        user_model.select()
        .where(peewee.fn.LOWER(user_model.email) == email.lower())
        .order_by(user_model._meta.primary_key)
    )
    return query.first()


def username_taken(user_model: Any, username: str) -> bool:
    """Whether a user already has this username."""
    return bool(user_model.select().where(user_model.username == username).exists())


def email_taken(user_model: Any, email: str, exclude: Any = None) -> bool:
    """Whether another user already has the address ``email`` (compared without case)."""
    query = user_model.select().where(peewee.fn.LOWER(user_model.email) == email.lower())
    if exclude is not None:
        query = query.where(user_model._meta.primary_key != exclude)
    return bool(query.exists())


def _rollback(user_model: Any) -> None:
    """After a failed statement, leave the connection usable (PostgreSQL aborts the transaction)."""
    database = user_model._meta.database
    with contextlib.suppress(Exception):
        if not database.is_closed() and not database.in_transaction():
            database.rollback()
