"""The admin's translations (gettext domain ``flask_peewee_admin``) and its locale-aware formatting.

Python code marks text with :func:`gettext` / :func:`ngettext` (at request time) or
:func:`lazy_gettext` / ``N_`` (module and class level); templates call ``admin_gettext`` and
``admin_ngettext``, installed on the app's Jinja environment under those names so they never
replace the app's own ``_``/``gettext``. Without Flask-Babel on the app, everything is English.
"""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

import wtforms
from markupsafe import Markup
from wtforms.meta import DefaultMeta

from flask_peewee.utils.internal import (
    TranslationDomain,
    babel_active,
    current_language,
    gettext_noop,
    html_language,
    wtforms_translations,
)

__all__ = [
    "DOMAIN",
    "N_",
    "TranslatedForm",
    "action_name",
    "format_datetime",
    "format_number",
    "gettext",
    "html_language",
    "is_singular",
    "lazy_gettext",
    "lower_name",
    "ngettext",
    "pgettext",
    "script_texts",
]

DOMAIN = TranslationDomain(__file__, "flask_peewee_admin")
gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
pgettext = DOMAIN.pgettext
lazy_gettext = DOMAIN.lazy_gettext
N_ = gettext_noop


class TranslatedForm(wtforms.Form):
    """The base of the admin's forms: WTForms' own messages (``Not a valid integer value.``) in the user's language."""

    class Meta(DefaultMeta):
        def get_translations(self, form: Any) -> Any:
            return wtforms_translations() or super().get_translations(form)


#: Languages that write nouns with a capital letter: a model name keeps its case inside a sentence.
_CAPITALISED_NOUNS = frozenset({"de", "lb"})


def lower_name(name: str) -> str:
    """A model name inside a sentence (``Add message``): lower case, except in languages that capitalise nouns."""
    return name if current_language() in _CAPITALISED_NOUNS else name.lower()


def is_singular(count: int) -> bool:
    """Whether ``count`` takes the singular form of a noun in the current locale (``1`` in English)."""
    if not babel_active():
        return count == 1
    from flask_babel import get_locale

    locale = get_locale()
    return (locale.plural_form(count) if locale is not None else ("one" if count == 1 else "other")) == "one"


def format_number(value: Any) -> Any:
    """A number as the locale writes it (``1.234,5`` in German); unchanged without Flask-Babel.

    Every digit is kept (no rounding), so what is shown is what is stored.
    """
    if not babel_active() or isinstance(value, bool):
        return value
    from flask_babel import format_decimal
    from flask_babel import format_number as babel_format_number

    if isinstance(value, int):
        return babel_format_number(value)
    if isinstance(value, (float, decimal.Decimal)) and value == value and abs(value) != float("inf"):
        return format_decimal(value, decimal_quantization=False)
    return value


def format_datetime(value: datetime.date | datetime.time) -> str:
    """A date, time or datetime for display: the locale's medium format in the user's time zone (Flask-Babel's),
    ISO 8601 without Flask-Babel."""
    if not babel_active():
        if isinstance(value, datetime.datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        return value.isoformat()
    import flask_babel

    if isinstance(value, datetime.datetime):
        return str(flask_babel.format_datetime(value, "medium"))
    if isinstance(value, datetime.date):
        return str(flask_babel.format_date(value, "medium"))
    return str(flask_babel.format_time(value, "medium"))


def action_name(action: str) -> str:
    """An audit log action (``add``, ``change``, ``delete``) in words, for the list and its filter."""
    if action == "add":
        return pgettext("audit action", "add")
    if action == "change":
        return pgettext("audit action", "change")
    if action == "delete":
        return pgettext("audit action", "delete")
    return action


def script_texts() -> Markup:
    """The texts admin.js shows, translated, as JSON for a ``<script type="application/json">`` block."""
    texts = {
        "nothingFound": gettext("Nothing found."),
        "page": gettext("Page %(page)s of %(pages)s"),
        "loadFailed": gettext("The list could not be loaded."),
        "remove": gettext("Remove %(label)s"),
        "selectField": gettext("Select %(field)s"),
        "select": gettext("Select\u2026"),
    }
    # JSON in a script element: "<" escaped so no text can close the element
    return Markup(json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"))  # noqa: S704 - JSON, "<" escaped
