"""The login pages in the user's language (Flask-Babel's locale, the package's own catalogue)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import form_csrf_token

pytestmark = pytest.mark.backends("sqlite")


def _post_login(client: Any, **data: str) -> Any:
    token = form_csrf_token(client, "/accounts/login/")
    return client.post("/accounts/login/", data={"csrf_token": token, **data})


def test_german_login_and_logout_pages(app: Flask, auth: Auth, client: Any, user: Any) -> None:
    Babel(app, locale_selector=lambda: "de")
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert '<label for="username">Benutzername</label>' in page
    assert '<button type="submit">Anmelden</button>' in page
    wrong = _post_login(client, username="alice", password="wrong").get_data(as_text=True)
    assert "Benutzername oder Passwort ist falsch" in wrong
    empty = _post_login(client, username="", password="").get_data(as_text=True)
    assert "Dieses Feld wird benötigt." in empty  # WTForms' own message, in its German
    done = _post_login(client, username="alice", password="correct horse")
    assert done.status_code == 302
    logout = client.get("/accounts/logout/").get_data(as_text=True)
    assert "Sie sind als alice angemeldet. Möchten Sie sich abmelden?" in logout
    assert "Sie sind als alice angemeldet" in logout  # the flash of the login


@pytest.mark.parametrize(("lang", "minutes"), [("de", "15 Minuten"), ("fr", "15 minutes"), ("es", "15 minutos")])
def test_throttle_message_uses_the_language_plural(
    app: Flask, auth: Auth, client: Any, user: Any, lang: str, minutes: str
) -> None:
    Babel(app, locale_selector=lambda: lang)
    for _ in range(10):
        _post_login(client, username="alice", password="wrong")
    refused = _post_login(client, username="alice", password="wrong")
    assert refused.status_code == 429
    assert minutes in refused.get_data(as_text=True)


def test_english_without_flask_babel_on_the_app(auth: Auth, client: Any) -> None:
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<button type="submit">Log in</button>' in page
    assert '<label for="password">Password</label>' in page


def test_the_apps_own_underscore_is_untouched(app: Flask, auth: Auth) -> None:
    """Auth adds auth_gettext/auth_ngettext; ``_`` and ``gettext`` stay Flask-Babel's (the app's domain)."""
    Babel(app, locale_selector=lambda: "de")
    with app.test_request_context():
        assert render_template_string("{{ _('Log in') }}|{{ auth_gettext('Log in') }}") == "Log in|Anmelden"
        assert render_template_string("{{ auth_ngettext('%(num)d minute', '%(num)d minutes', 2) }}") == "2 Minuten"
