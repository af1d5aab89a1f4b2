"""The admin in the user's language: Flask-Babel's locale, the package's catalogues, the app's own names.

The pseudo-locale test renders every admin page and the login pages under a catalogue made
here from the committed ``.pot`` files, every message wrapped in ``[[...]]``: a visible text
that is not wrapped (and is not data, an app name or a number) was never marked for translation.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, render_template_string, request
from flask_babel import Babel

import flask_peewee.admin
import flask_peewee.auth
from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.admin._i18n import DOMAIN as ADMIN_DOMAIN
from flask_peewee.auth._i18n import DOMAIN as AUTH_DOMAIN

ADMIN_TRANSLATIONS = Path(flask_peewee.admin.__file__).parent / "translations"
AUTH_TRANSLATIONS = Path(flask_peewee.auth.__file__).parent / "translations"


def write_catalogue(folder: Path, lang: str, domain: str, messages: dict[tuple[str | None, Any], Any]) -> None:
    """A compiled catalogue ``folder/lang/LC_MESSAGES/domain.mo`` of ``messages`` ((context, id) -> string)."""
    catalog = Catalog(locale=lang, domain=domain, fuzzy=False)
    for (context, msgid), string in messages.items():
        catalog.add(msgid, string, context=context)
    target = folder / lang / "LC_MESSAGES" / f"{domain}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        write_mo(f, catalog)


def pseudo_catalogue(folder: Path, pot: Path, lang: str) -> None:
    """Every message of ``pot`` wrapped in ``[[...]]`` (each plural form too), as ``lang``."""
    with pot.open("rb") as f:
        template = read_po(f)
    messages: dict[Any, Any] = {}
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            forms = tuple(f"[[{message.id[0] if i == 0 else message.id[1]}]]" for i in range(2))
            messages[(message.context, tuple(message.id))] = forms
        else:
            messages[(message.context, message.id)] = f"[[{message.id}]]"
    write_catalogue(folder, lang, template.domain or pot.stem, messages)


@pytest.fixture
def german(app: Flask, tmp_path: Path) -> Flask:
    """Flask-Babel on the app, locale German, with the app's own catalogue for its model names."""
    app_translations = tmp_path / "app-translations"
    write_catalogue(
        app_translations,
        "de",
        "messages",
        {
            (None, k): v
            for k, v in {
                "Message": "Nachricht",
                "Messages": "Nachrichten",
                "Content": "Inhalt",
                "Hello": "Hallo",
                "User": "Benutzer",
                "Username": "Benutzername",
            }.items()
        },
    )
    Babel(app, locale_selector=lambda: "de", default_translation_directories=str(app_translations))
    return app


def _messages(models: Any, user: Any, count: int) -> list[Any]:
    return [
        models.Message.create(user=user, content=f"m{i}", pub_date=datetime.datetime(2024, 3, 1, 9, 30, 15))
        for i in range(count)
    ]


def test_german_admin(german: Flask, admin: Admin, models: Any, admin_client: Any, superuser: Any, csrf: Any) -> None:
    with german.app_context():
        messages = _messages(models, superuser, 7)
    admin.auth.db.database.close()
    page = admin_client.get("/admin/message/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Nachricht hinzufügen" in page  # the app's name, in a German sentence (nouns keep their capital)
    assert '<p class="fp-count">7 Nachrichten</p>' in page
    assert ">Inhalt<" in page  # a column label through the app's own catalogue
    assert "01.03.2024, 09:30:15" in page  # the locale's date format
    assert '"page": "Seite %(page)s von %(pages)s"' in page  # admin.js texts, translated, as JSON
    one = admin_client.get("/admin/message/?content=m3").get_data(as_text=True)
    assert '<p class="fp-count">1 Nachricht</p>' in one
    confirm = admin_client.get(f"/admin/message/delete/?id={messages[0].id}").get_data(as_text=True)
    assert "1 Nachricht löschen?" in confirm
    assert "Ja, löschen" in confirm
    token = csrf(admin_client, "/admin/message/")
    done = admin_client.post(
        "/admin/message/delete/", data={"csrf_token": token, "id": [str(m.id) for m in messages[:2]], "confirm": "1"}
    )
    assert done.status_code == 302
    assert "2 Nachrichten gelöscht." in admin_client.get("/admin/message/").get_data(as_text=True)
    empty = admin_client.post("/admin/message/add/", data={"csrf_token": token, "content": ""})
    assert "Bitte korrigieren Sie die unten angezeigten Fehler." in empty.get_data(as_text=True)


@pytest.mark.backends("sqlite")
def test_related_filter_labels_and_the_lookup_title_in_german(german: Flask, admin: Admin, admin_client: Any) -> None:
    """A filter on a related model's field names both in the app's language; the lookup dialog its field's label."""
    page = admin_client.get("/admin/message/?user__username=admin").get_data(as_text=True)
    assert '<option value="user__username" data-kind="text" data-ops="' in page
    assert ">Benutzer / Benutzername</option>" in page  # model and field names through the app's catalogue
    assert "User / Username" not in page
    assert 'data-lookup-label="Benutzer"' in admin_client.get("/admin/message/add/").get_data(as_text=True)


@pytest.mark.backends("sqlite")
def test_filter_labels_follow_each_requests_language(
    app: Flask, admin: Admin, admin_client: Any, tmp_path: Path
) -> None:
    """The filter offers are cached per model admin: their labels are still translated at each request."""
    write_catalogue(tmp_path, "de", "messages", {(None, "User"): "Benutzer", (None, "Username"): "Benutzername"})
    Babel(
        app,
        locale_selector=lambda: request.accept_languages.best_match(["en", "de"]),
        default_translation_directories=str(tmp_path),
    )
    german = admin_client.get("/admin/message/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    english = admin_client.get("/admin/message/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Benutzer / Benutzername</option>" in german
    assert ">User / Username</option>" in english
    assert "Benutzer" not in english
    # the rendered options are kept per language across requests: German again after English
    again = admin_client.get("/admin/message/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert ">Benutzer / Benutzername</option>" in again
    assert ">User / Username</option>" not in again


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("lang", "add", "dashboard", "login"),
    [("fr", "Ajouter message", "Tableau de bord", "Se connecter"), ("es", "Añadir message", "Panel", "Iniciar sesión")],
)
def test_french_and_spanish(
    app: Flask, admin: Admin, admin_client: Any, client: Any, lang: str, add: str, dashboard: str, login: str
) -> None:
    Babel(app, locale_selector=lambda: lang)
    assert add in admin_client.get("/admin/message/").get_data(as_text=True)
    assert dashboard in admin_client.get("/admin/").get_data(as_text=True)
    with app.test_client() as anonymous:
        assert login in anonymous.get("/accounts/login/").get_data(as_text=True)


@pytest.mark.backends("sqlite")
def test_plural_forms_follow_the_locale(app: Flask, admin: Admin) -> None:
    """French counts zero as singular: one rule per language, from Babel's data, never "object(s)"."""
    Babel(app, locale_selector=lambda: "fr")
    with app.test_request_context():
        users = ModelAdmin(admin, admin.auth.User)
        assert users.count_label(0) == "0 user"
        assert users.count_label(2) == "2 users"
        assert users.count_label(1234) == "1\u202f234 users"  # the locale's digit grouping


@pytest.mark.backends("sqlite")
def test_english_without_flask_babel_on_the_app(app: Flask, admin: Admin, admin_client: Any) -> None:
    page = admin_client.get("/admin/message/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Add message" in page
    assert "Dashboard" in page


@pytest.mark.backends("sqlite")
def test_packages_import_and_work_without_flask_babel() -> None:
    """With Flask-Babel missing (import blocked), admin and auth import and speak English."""
    code = (
        "import sys; sys.modules['flask_babel'] = None\n"
        "import flask_peewee.admin, flask_peewee.auth\n"
        "from flask import Flask\n"
        "from flask_peewee.admin._i18n import ngettext, gettext, format_number\n"
        "with Flask('x').test_request_context():\n"
        "    assert ngettext('%(num)d row', '%(num)d rows', 1) == '1 row'\n"
        "    assert ngettext('%(num)d row', '%(num)d rows', 7) == '7 rows'\n"
        "    assert gettext('Save') == 'Save' and format_number(1234) == 1234\n"
        "print('english')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "english"


@pytest.mark.backends("sqlite")
def test_app_templates_keep_their_own_gettext(german: Flask, admin: Admin) -> None:
    """The admin installs admin_gettext/admin_ngettext: the app's ``_`` is still Flask-Babel's, with its catalogue."""
    with german.test_request_context():
        assert render_template_string("{{ _('Hello') }} {{ gettext('Hello') }}") == "Hallo Hallo"
        assert render_template_string("{{ admin_gettext('Dashboard') }}") == "Übersicht"
        assert render_template_string("{{ auth_gettext('Log in') }}") == "Anmelden"


@pytest.mark.backends("sqlite")
def test_shipped_catalogues_are_compiled() -> None:
    """The install (editable here, a wheel for users) has a compiled .mo beside every .po."""
    for folder in (ADMIN_TRANSLATIONS, AUTH_TRANSLATIONS):
        sources = sorted(folder.glob("*/LC_MESSAGES/*.po"))
        assert {p.parent.parent.name for p in sources} >= {"de", "fr", "es"}
        for po in sources:
            assert po.with_suffix(".mo").is_file(), po


# -- the pseudo-locale: every visible text must come from a catalogue ----------------------

_WRAPPED = re.compile(r"\[\[[^\[\]]*\]\]")
_WORD = re.compile(r"[^\W\d_]+")
#: data of the test (rows, usernames), the app's model and field names and format names: not the library's text
_DATA_WORDS = {
    "admin", "staff", "m0", "m1", "m2", "note", "Message", "Messages", "Note", "Notes", "User", "Users",
    "Content", "Pub", "Date", "Created", "Username", "Email", "Password", "Active", "Admin", "Id", "CSV",
    "JSON", "flask", "peewee", "Welcome", "to", "the", "m", "Inhalt", "Join", "example", "com",
}  # fmt: skip
_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


class _Texts(HTMLParser):
    """The text nodes and labelling attributes a person reads (script and style bodies left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _wtforms_messages(lang: str) -> set[str]:
    """WTForms' own translated messages (its validators'): WTForms' catalogue, not ours."""
    from wtforms.i18n import get_builtin_gnu_translations

    catalog = get_builtin_gnu_translations([lang])._catalog  # type: ignore[attr-defined]
    return {value for value in catalog.values() if isinstance(value, str)}


def untranslated(html: str) -> list[str]:
    """The visible texts left with words of their own once the wrapped messages and the data are taken out."""
    wtforms_messages = _wtforms_messages("de")
    parser = _Texts()
    parser.feed(html)
    found = []
    for text in parser.texts:
        if text in wtforms_messages:
            continue
        rest = text
        while True:
            stripped = _WRAPPED.sub(" ", rest)
            if stripped == rest:
                break
            rest = stripped
        if [w for w in _WORD.findall(rest) if w not in _DATA_WORDS]:
            found.append(text)
    return found


@pytest.fixture
def pseudo(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """German locale (numeric dates) whose admin and auth catalogues are the pseudo ones."""
    folder = tmp_path / "pseudo"
    pseudo_catalogue(folder, ADMIN_TRANSLATIONS / "flask_peewee_admin.pot", "de")
    pseudo_catalogue(folder, AUTH_TRANSLATIONS / "flask_peewee_auth.pot", "de")
    monkeypatch.setattr(ADMIN_DOMAIN, "directories", [str(folder)])
    monkeypatch.setattr(AUTH_DOMAIN, "directories", [str(folder)])
    Babel(app, locale_selector=lambda: "de")
    return app


def test_every_admin_and_login_page_is_translated(
    pseudo: Flask, admin: Admin, models: Any, client: Any, superuser: Any, csrf: Any
) -> None:
    with pseudo.app_context():
        messages = _messages(models, superuser, 3)
        models.Note.create(message="Welcome to the admin", user=superuser)
    admin.auth.db.database.close()
    pages: dict[str, str] = {}
    pages["login"] = client.get("/accounts/login/").get_data(as_text=True)
    token = csrf(client, "/accounts/login/")
    failed = client.post("/accounts/login/", data={"csrf_token": token, "username": "admin", "password": "wrong"})
    pages["login failed"] = failed.get_data(as_text=True)
    logged_in = client.post(
        "/accounts/login/",
        data={"csrf_token": token, "username": "admin", "password": "correct horse", "next": "/admin/"},
        follow_redirects=True,
    )
    pages["dashboard after login"] = logged_in.get_data(as_text=True)
    first = messages[0].id
    for name, url in {
        "list": "/admin/message/",
        "filtered list": "/admin/message/?content__ilike=m%25&ordering=-content",
        "add": "/admin/message/add/",
        "edit": f"/admin/message/{first}/",
        "history": f"/admin/message/{first}/history/",
        "delete": f"/admin/message/delete/?id={first}",
        "delete nothing": "/admin/message/delete/",
        "export": "/admin/message/export/?content=m1",
        "audit log": "/admin/audit-log/",
        "users": "/admin/user/",
        "logout": "/accounts/logout/",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        pages[name] = response.get_data(as_text=True)
    token = csrf(client, "/admin/message/add/")
    invalid = client.post("/admin/message/add/", data={"csrf_token": token, "content": ""})
    pages["form errors"] = invalid.get_data(as_text=True)
    saved = client.post(
        "/admin/message/add/",
        data={"csrf_token": token, "content": "m2", "user": str(superuser.id), "_save": "1"},
        follow_redirects=True,
    )
    pages["flash after save"] = saved.get_data(as_text=True)
    action = client.post(
        "/admin/message/action/",
        data={"csrf_token": token, "action": "delete", "id": [str(first)]},
        follow_redirects=True,
    )
    pages["bulk action"] = action.get_data(as_text=True)
    assert "[[Dashboard]]" in pages["dashboard after login"]
    assert "[[Add Message]]" in pages["list"]
    assert ">[[User / Username]]</option>" in pages["list"]  # a related filter's label: the separator is a message
    problems = [f"{name}: {text!r}" for name, html in pages.items() for text in dict.fromkeys(untranslated(html))]
    assert not problems, "texts not marked for translation:\n" + "\n".join(problems)
