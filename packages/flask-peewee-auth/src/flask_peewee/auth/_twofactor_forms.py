"""The forms of the two-factor views: a code, and the current password for changes."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from flask_peewee.auth._forms import MAX_PASSWORD, TranslatedForm, _printable
from flask_peewee.auth._i18n import lazy_gettext

__all__ = ["CodeForm", "PasswordConfirmForm"]


class CodeForm(TranslatedForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        lazy_gettext("Code"),
        validators=[DataRequired(), Length(max=64), _printable],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "spellcheck": "false"},
    )


class PasswordConfirmForm(TranslatedForm):
    """The current password, required to regenerate the recovery codes or switch the second factor off."""

    action = HiddenField(validators=[AnyOf(("regenerate", "disable"))])
    password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD), _printable],
        render_kw={"autocomplete": "current-password"},
    )
