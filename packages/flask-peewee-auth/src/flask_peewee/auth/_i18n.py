"""The login pages' translations (gettext domain ``flask_peewee_auth``).

Python code marks text with :func:`gettext` / :func:`ngettext` (at request time) or
:func:`lazy_gettext` / ``N_`` (module and class level); the package's templates call
``auth_gettext`` and ``auth_ngettext``, template globals of those names, so the app's own
``_``/``gettext`` (Flask-Babel's) stay the app's. Without Flask-Babel on the app, English.
"""

from __future__ import annotations

from flask_peewee.utils.internal import TranslationDomain, gettext_noop

__all__ = ["DOMAIN", "N_", "gettext", "lazy_gettext", "ngettext"]

DOMAIN = TranslationDomain(__file__, "flask_peewee_auth")
gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext
N_ = gettext_noop
