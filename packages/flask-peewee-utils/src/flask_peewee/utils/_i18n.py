"""Translations for flask-peewee's own packages: one gettext domain per package, Flask-Babel optional.

Each package that shows text to people (auth, admin) makes one :class:`TranslationDomain`
naming its ``translations`` folder and its gettext domain (``flask_peewee_admin``). When
Flask-Babel is installed *and* initialised on the current app, messages are looked up in
that catalogue for the locale the app's Flask-Babel locale selector picks (a message the
package's catalogue lacks falls back to the English text); otherwise the English text is
returned, with English plurals. Flask-Babel is imported only when an app has set it up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from flask.globals import _cv_app as _app_context
from markupsafe import escape

__all__ = [
    "LazyText",
    "TranslationDomain",
    "app_gettext",
    "babel_active",
    "current_language",
    "gettext_noop",
    "html_language",
    "wtforms_translations",
]


def gettext_noop(string: str) -> str:
    """Mark ``string`` for extraction without translating it now (translate it where it is shown)."""
    return string


def babel_active() -> bool:
    """Whether the current app has Flask-Babel set up (``Babel(app)`` or ``babel.init_app(app)``).

    Asked for every message a page shows, so it reads the app context directly rather than
    through the ``current_app`` proxy.
    """
    context = _app_context.get(None)
    return context is not None and "babel" in context.app.extensions


def current_language() -> str:
    """The language of the current locale (``de``), ``en`` without Flask-Babel."""
    if not babel_active():
        return "en"
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def html_language() -> str:
    """The ``lang`` of a page: the current locale as a language tag (``de-AT``), ``en`` without Flask-Babel."""
    if not babel_active():
        return "en"
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale is not None else "en"


def app_gettext(string: str) -> str:
    """``string`` through the app's own Flask-Babel translations (model and field names), unchanged without them."""
    if not string or not babel_active():
        return string
    from flask_babel import gettext

    return str(gettext(string))


_WTFORMS_TRANSLATIONS: dict[str, Any] = {}


def wtforms_translations() -> Any:
    """WTForms' own catalogue (its validators' messages) for the current language, None for English.

    For the ``Meta.get_translations`` of the auth and admin forms (those packages depend on WTForms).
    """
    language = current_language()
    if language == "en":
        return None
    translations = _WTFORMS_TRANSLATIONS.get(language)
    if translations is None:
        from wtforms.i18n import get_builtin_gnu_translations

        translations = _WTFORMS_TRANSLATIONS[language] = get_builtin_gnu_translations([language])
    return translations


def _format(string: str, variables: dict[str, Any]) -> str:
    return string % variables if variables else string


class TranslationDomain:
    """The gettext functions of one package's catalogue.

    ``directories`` lists the folders searched (each holding ``<lang>/LC_MESSAGES/<domain>.mo``),
    the package's own ``translations`` folder by default; a message of a later folder replaces
    the same message of an earlier one (Flask-Babel merges them in order).
    """

    def __init__(self, package_file: str, domain: str) -> None:
        self.domain = domain
        self.directories: list[str] = [str(Path(package_file).resolve().parent / "translations")]
        self._domains: dict[tuple[str, ...], Any] = {}

    def _babel_domain(self) -> Any:
        """The Flask-Babel ``Domain`` for the current directories, or None when Flask-Babel is not active."""
        if not babel_active():
            return None
        key = tuple(self.directories)
        domain = self._domains.get(key)
        if domain is None:
            from flask_babel import Domain

            domain = self._domains[key] = Domain(translation_directories=list(key), domain=self.domain)
        return domain

    def gettext(self, string: str, **variables: Any) -> str:
        """``string`` translated, then ``%``-formatted with ``variables`` (when any)."""
        domain = self._babel_domain()
        if domain is None:
            return _format(string, variables)
        return str(domain.gettext(string, **variables))

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """The form of ``singular``/``plural`` for ``num`` (also given to the format as ``num``)."""
        domain = self._babel_domain()
        if domain is None:
            variables.setdefault("num", num)
            return _format(singular if num == 1 else plural, variables)
        return str(domain.ngettext(singular, plural, num, **variables))  # Flask-Babel adds ``num`` itself

    def pgettext(self, context: str, string: str, **variables: Any) -> str:
        """``string`` translated in ``context`` (one English word with two meanings)."""
        domain = self._babel_domain()
        if domain is None:
            return _format(string, variables)
        return str(domain.pgettext(context, string, **variables))

    def lazy_gettext(self, string: str, **variables: Any) -> str:
        """A :class:`LazyText` translated each time it is shown (class attributes, form labels).

        It is typed as ``str`` because it stands in for one wherever text is expected (WTForms
        labels, ``escape()``, ``%``, ``+``); ``str(value)`` gives the text in the current locale.
        """
        return cast(str, LazyText(self.gettext, string, **variables))


class LazyText:
    """Text translated when it is turned into a string, so it follows each request's locale."""

    __slots__ = ("_args", "_func", "_variables")

    def __init__(self, func: Callable[..., str], *args: Any, **variables: Any) -> None:
        self._func = func
        self._args = args
        self._variables = variables

    @property
    def message(self) -> str:
        """The English text (the message id)."""
        return str(self._args[0])

    def __str__(self) -> str:
        return self._func(*self._args, **self._variables)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"

    def __len__(self) -> int:
        return len(str(self))

    def __iter__(self) -> Iterator[str]:
        return iter(str(self))

    def __contains__(self, item: str) -> bool:
        return item in str(self)

    def __getitem__(self, key: Any) -> str:
        return str(self)[key]

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, LazyText) else other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: Any) -> bool:
        return str(self) < str(other)

    def __bool__(self) -> bool:
        return bool(self.message)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)
