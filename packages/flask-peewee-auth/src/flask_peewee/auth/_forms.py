"""The login form."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Form, PasswordField, StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, Length, ValidationError

from flask_peewee.auth._i18n import gettext, lazy_gettext
from flask_peewee.utils.internal import wtforms_translations

__all__ = ["LoginForm", "RememberLoginForm", "TranslatedForm"]

MAX_USERNAME = 255
MAX_PASSWORD = 1024


def _printable(form: Form, field: Any) -> None:
    """Refuse control characters (NUL and friends) that no username or password contains."""
    value = field.data or ""
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or "\ufffd" in value:
        raise ValidationError(gettext("Contains characters that are not allowed."))


class LoginForm(Form):
    """Username and password, bounded in length so a huge value cannot cost a slow hash."""

    class Meta(DefaultMeta):
        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages (``This field is required.``) in the user's language."""
            return wtforms_translations() or super().get_translations(form)

    username = StringField(
        lazy_gettext("Username"),
        validators=[DataRequired(), Length(max=MAX_USERNAME), _printable],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), _printable],
        render_kw={"autocomplete": "current-password"},
    )


class TranslatedForm(Form):
    """The base of the account and two-factor forms: WTForms' own messages in the user's language."""

    class Meta(DefaultMeta):
        def get_translations(self, form: Any) -> Any:
            return wtforms_translations() or super().get_translations(form)


class RememberLoginForm(LoginForm):
    """The login form with a "Remember me" checkbox (used when ``FLASK_PEEWEE_REMEMBER_ME`` is true)."""

    remember = BooleanField(lazy_gettext("Remember me"))
