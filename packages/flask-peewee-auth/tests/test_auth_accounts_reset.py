"""Password reset by mail: a real local SMTP server receives the link; same answer for unknown addresses."""

from __future__ import annotations

import time

import pytest
from flask import template_rendered

from flask_peewee.auth.testing import create_user, log_in
from flask_peewee.db import connection

PASSWORD = "correct horse"
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def app(app, smtp_inbox):
    app.config.update(smtp_inbox.config, FLASK_PEEWEE_PASSWORD_RESET=True, FLASK_PEEWEE_REMEMBER_ME=True)
    return app


def _forgot(client, csrf_from, email):
    token = csrf_from(client, "/accounts/password/forgot/")
    return client.post("/accounts/password/forgot/", data={"email": email, "csrf_token": token})


def _reset(client, csrf_from, path, password=NEW_PASSWORD, confirm=None):
    token = csrf_from(client, path)
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def test_reset_by_the_mailed_link_then_log_in_with_the_new_password(
    app, auth, user, client, csrf_from, login, smtp_inbox, link_of
):
    response = _forgot(client, csrf_from, "alice@example.com")
    assert response.status_code == 200
    assert "If an account uses this address" in response.text
    [message] = smtp_inbox.wait(1)
    assert message["To"] == "alice@example.com"
    assert message["From"] == "site@example.com"
    assert message["Subject"] == "Choose a new password"
    html = message.get_body(preferencelist=("html",)).get_content()
    path = link_of(message)
    assert path.startswith("/accounts/password/reset/")
    assert f'href="http://localhost{path}"' in html

    page = client.get(path)
    assert page.status_code == 200
    assert "alice" in page.text
    response = _reset(client, csrf_from, path)
    assert response.status_code == 302
    assert response.location == "/accounts/login/"

    assert login(client, password=PASSWORD).status_code == 200  # the old password no longer works
    assert login(client, password=NEW_PASSWORD).status_code == 302
    # the link worked once: the password hash it was bound to has changed
    assert client.get(path).status_code == 400


def test_reset_ends_every_session_and_remember_me_token(app, auth, user, client, csrf_from, smtp_inbox, link_of):
    other = app.test_client()
    log_in(other, user)
    with app.app_context(), connection(auth.db), app.test_request_context():
        auth.remember_user(user)
        assert auth.RememberToken.select().count() == 1
    assert other.get("/private/").status_code == 200
    _forgot(client, csrf_from, "ALICE@example.com")  # the address is matched without case
    [message] = smtp_inbox.wait(1)
    assert _reset(client, csrf_from, link_of(message)).status_code == 302
    assert other.get("/private/").status_code == 302
    with app.app_context(), connection(auth.db):
        assert auth.AuthSession.select().where(auth.AuthSession.user_id == user.id).count() == 0
        assert auth.RememberToken.select().count() == 0
        [entry] = auth.audit.query(model=auth.User, pk=user.id)
        assert (entry.action, entry.source, entry.user_id) == ("change", "password-reset", user.id)
        assert entry.get_changes() == {"password": ["<hidden>", "<hidden>"]}


def test_unknown_address_gets_the_same_answer_and_the_same_work(
    app, auth, user, client, csrf_from, count_queries, smtp_inbox
):
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    answers, queries, templates = [], [], []
    with template_rendered.connected_to(record, app):
        for email in ("alice@example.com", "nobody@example.com"):
            token = csrf_from(client, "/accounts/password/forgot/")
            rendered.clear()
            with count_queries() as counted:
                response = client.post("/accounts/password/forgot/", data={"email": email, "csrf_token": token})
            answers.append((response.status_code, response.text))
            queries.append([q.split(" WHERE ")[0] for q in counted])
            templates.append(list(rendered))
    assert answers[0] == answers[1]
    assert queries[0] == queries[1]
    assert templates[0] == templates[1]
    assert "auth/mail/reset_password.html" in templates[0]
    assert len(smtp_inbox.wait(1)) == 1
    time.sleep(0.2)  # a second message, if one were wrongly sent, would have arrived by now
    assert [m["To"] for m in smtp_inbox.messages] == ["alice@example.com"]


def test_inactive_user_gets_no_link(app, auth, client, csrf_from, smtp_inbox):
    create_user(app, auth, "carol", PASSWORD, active=False)
    response = _forgot(client, csrf_from, "carol@example.com")
    assert response.status_code == 200
    assert "If an account uses this address" in response.text
    time.sleep(0.2)
    assert smtp_inbox.messages == []


def test_reset_requests_are_throttled_with_429(app, auth, user, client, csrf_from, smtp_inbox):
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT"] = 2
    app.extensions.pop("flask_peewee.auth.throttle", None)
    assert _forgot(client, csrf_from, "alice@example.com").status_code == 200
    assert _forgot(client, csrf_from, "alice@example.com").status_code == 200
    response = _forgot(client, csrf_from, "alice@example.com")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts" in response.text
    assert len(smtp_inbox.wait(2)) == 2


def test_forgot_form_needs_the_csrf_token_and_a_valid_address(app, auth, user, client, csrf_from, smtp_inbox):
    response = client.post("/accounts/password/forgot/", data={"email": "alice@example.com", "csrf_token": "x"})
    assert response.status_code == 200
    assert "The form has expired" in response.text
    response = _forgot(client, csrf_from, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    time.sleep(0.2)
    assert smtp_inbox.messages == []


def test_bad_expired_and_tampered_links_are_refused(
    app, auth, user, client, csrf_from, smtp_inbox, link_of, monkeypatch
):
    assert client.get("/accounts/password/reset/nonsense/").status_code == 400
    _forgot(client, csrf_from, "alice@example.com")
    path = link_of(smtp_inbox.wait(1)[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert client.get(tampered).status_code == 400
    app.config["FLASK_PEEWEE_RESET_TOKEN_AGE"] = 1
    from itsdangerous import TimestampSigner

    later = int(time.time()) + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(path)
    assert response.status_code == 400
    assert "invalid or has expired" in response.text


def test_reset_form_applies_the_password_policy_and_the_repeat(app, auth, user, client, csrf_from, smtp_inbox, link_of):
    _forgot(client, csrf_from, "alice@example.com")
    path = link_of(smtp_inbox.wait(1)[0])
    response = _reset(client, csrf_from, path, password="short")
    assert response.status_code == 200
    assert "The password must be at least 8 characters long." in response.text
    response = _reset(client, csrf_from, path, password=NEW_PASSWORD, confirm="something else")
    assert response.status_code == 200
    assert "The two passwords differ." in response.text
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert "The form has expired" in response.text
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).check_password(PASSWORD)


def test_reset_password_url_makes_a_working_link_without_mail(app, auth, user, client, csrf_from):
    from urllib.parse import urlsplit

    with app.test_request_context(), connection(auth.db):
        link = auth.reset_password_url(auth.User.get_by_id(user.id))
    assert link.startswith("http://localhost/accounts/password/reset/")
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    assert _reset(client, csrf_from, path).status_code == 302
    assert client.get(path).status_code == 400
