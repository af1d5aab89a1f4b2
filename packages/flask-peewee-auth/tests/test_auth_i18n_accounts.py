"""The account, sessions and two-factor texts in the user's language; the mails in the request's language."""

from __future__ import annotations

import pytest
from flask_babel import Babel

pytestmark = pytest.mark.backends("sqlite")

PASSWORD = "correct horse"


@pytest.fixture
def app(app, smtp_inbox):
    app.config.update(
        smtp_inbox.config,
        FLASK_PEEWEE_SIGNUP=True,
        FLASK_PEEWEE_PASSWORD_RESET=True,
        FLASK_PEEWEE_AUTH_SESSIONS_PAGE=True,
    )
    return app


def test_german_signup_page_labels_and_errors(app, auth, user, client, csrf_from):
    Babel(app, locale_selector=lambda: "de")
    page = client.get("/accounts/signup/").text
    assert ">Registrieren</button>" in page
    assert ">Passwort wiederholen</label>" in page
    token = csrf_from(client, "/accounts/signup/")
    data = {"username": "alice", "email": "nope", "password": "short", "confirm": "other", "csrf_token": token}
    refused = client.post("/accounts/signup/", data=data)
    assert refused.status_code == 200
    assert "Geben Sie eine gültige E-Mail-Adresse ein." in refused.text
    assert "Die beiden Passwörter stimmen nicht überein." in refused.text
    token = csrf_from(client, "/accounts/signup/")
    data = {"username": "alice", "email": "a@example.com", "password": "short", "confirm": "short", "csrf_token": token}
    taken = client.post("/accounts/signup/", data=data)
    assert "Dieser Benutzername ist bereits vergeben." in taken.text
    assert "Das Passwort muss mindestens 8 Zeichen lang sein." in taken.text  # the policy, in a form


def test_french_sessions_page_and_its_plural_flash(app, auth, user, client, login, csrf_from):
    Babel(app, locale_selector=lambda: "fr")
    assert login(client).status_code == 302
    page = client.get("/accounts/sessions/").text
    assert "Vos sessions" in page
    assert "<strong>Cette session</strong>" in page
    token = csrf_from(client, "/accounts/sessions/")
    done = client.post("/accounts/sessions/", data={"do": "end_others", "csrf_token": token}, follow_redirects=True)
    assert "0 autre session terminée." in done.text  # French puts 0 in the singular


def test_spanish_reset_mail(app, auth, user, client, csrf_from, smtp_inbox):
    Babel(app, locale_selector=lambda: "es")
    token = csrf_from(client, "/accounts/password/forgot/")
    answer = client.post("/accounts/password/forgot/", data={"email": "alice@example.com", "csrf_token": token})
    assert "Revise su correo electrónico" in answer.text
    [message] = smtp_inbox.wait(1)
    assert message["Subject"] == "Elegir una contraseña nueva"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hola, alice:" in text
    assert "(sirve una sola vez, durante" in text
