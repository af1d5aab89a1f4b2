"""The login pages' translations (gettext domain ``flask_peewee_auth``).

Python code marks text with :func:`gettext` / :func:`ngettext` (at request time) or
:func:`lazy_gettext` / ``N_`` (module and class level); the package's templates call
``auth_gettext`` and ``auth_ngettext``, template globals of those names, so the app's own
``_``/``gettext`` (Flask-Babel's) stay the app's. Without Flask-Babel on the app, English.
"""

from __future__ import annotations

from flask_peewee.utils.internal import TranslationDomain, gettext_noop

__all__ = ["CSRF_ERROR", "DOMAIN", "N_", "THROTTLED", "gettext", "lazy_gettext", "minutes", "ngettext"]

DOMAIN = TranslationDomain(__file__, "flask_peewee_auth")
gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext
N_ = gettext_noop

#: The error of a form whose CSRF token is missing or stale (every auth form).
CSRF_ERROR = N_("The form has expired or did not come from this site. Please try again.")
#: The error of a throttled account or two-factor form (``%(minutes)s`` from :func:`minutes`).
THROTTLED = N_("Too many attempts. Please wait %(minutes)s before trying again.")


def minutes(seconds: int) -> str:
    """``seconds`` of waiting as whole minutes, rounded up, with the plural of the language ("2 Minuten")."""
    count = max(1, -(-seconds // 60))
    return ngettext("%(num)d minute", "%(num)d minutes", count)
