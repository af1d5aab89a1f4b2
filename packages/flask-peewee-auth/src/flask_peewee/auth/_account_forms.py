"""The forms of the account views: sign-up, forgot and reset password, change password and email."""

from __future__ import annotations

import re
from typing import Any

from wtforms import Form, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from flask_peewee.auth._forms import MAX_PASSWORD, MAX_USERNAME, TranslatedForm, _printable
from flask_peewee.auth._i18n import gettext, lazy_gettext

__all__ = [
    "ChangeEmailForm",
    "ChangePasswordForm",
    "ForgotPasswordForm",
    "ResetPasswordForm",
    "SignupForm",
    "normalize_email",
]

MAX_EMAIL = 254  # RFC 5321's limit on a path
# deliberately loose: one @, no spaces, a dot in the domain; the confirmation mail proves the rest
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str | None) -> str:
    """The address as stored and compared: trimmed, with the domain in lower case."""
    value = (value or "").strip()
    local, at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}" if at else value


def _email(form: Form, field: Any) -> None:
    if not _EMAIL.match((field.data or "").strip()):
        raise ValidationError(gettext("Enter a valid email address."))


def _username(form: Form, field: Any) -> None:
    value = field.data or ""
    if value != value.strip() or any(c.isspace() for c in value):
        raise ValidationError(gettext("Usernames cannot contain spaces."))


def _email_field(label: str | None = None) -> StringField:
    return StringField(
        label or lazy_gettext("Email"),
        validators=[DataRequired(), Length(max=MAX_EMAIL), _printable, _email],
        render_kw={"autocomplete": "email", "type": "email"},
    )


def _new_password(label: str | None = None) -> PasswordField:
    return PasswordField(
        label or lazy_gettext("Password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), _printable],
        render_kw={"autocomplete": "new-password"},
    )


def _repeat() -> PasswordField:
    return PasswordField(
        lazy_gettext("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=lazy_gettext("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def _current_password() -> PasswordField:
    return PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), _printable],
        render_kw={"autocomplete": "current-password"},
    )


class SignupForm(TranslatedForm):
    """Username, email and password (twice)."""

    username = StringField(
        lazy_gettext("Username"),
        validators=[DataRequired(), Length(max=MAX_USERNAME), _printable, _username],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    email = _email_field()
    password = _new_password()
    confirm = _repeat()


class ForgotPasswordForm(TranslatedForm):
    """The address a reset link is sent to."""

    email = _email_field()


class ResetPasswordForm(TranslatedForm):
    """The new password (twice)."""

    password = _new_password(lazy_gettext("New password"))
    confirm = _repeat()


class ChangePasswordForm(TranslatedForm):
    """The current password and the new one (twice)."""

    current_password = _current_password()
    password = _new_password(lazy_gettext("New password"))
    confirm = _repeat()


class ChangeEmailForm(TranslatedForm):
    """The new address and the current password."""

    email = _email_field(lazy_gettext("New email"))
    current_password = _current_password()
