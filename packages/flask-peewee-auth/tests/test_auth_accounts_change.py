"""Change password and change email (confirmed at the new address) for the logged-in user."""

from __future__ import annotations

import time

import pytest

from flask_peewee.auth.testing import log_in
from flask_peewee.db import connection

PASSWORD = "correct horse"
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def app(app, smtp_inbox):
    app.config.update(smtp_inbox.config, FLASK_PEEWEE_CHANGE_PASSWORD=True, FLASK_PEEWEE_CHANGE_EMAIL=True)
    return app


def _change_password(client, csrf_from, current=PASSWORD, new=NEW_PASSWORD):
    token = csrf_from(client, "/accounts/password/change/")
    data = {"current_password": current, "password": new, "confirm": new, "csrf_token": token}
    return client.post("/accounts/password/change/", data=data)


def _change_email(client, csrf_from, email, current=PASSWORD):
    token = csrf_from(client, "/accounts/email/change/")
    return client.post(
        "/accounts/email/change/", data={"email": email, "current_password": current, "csrf_token": token}
    )


def test_anonymous_users_are_sent_to_the_login_form(auth, client):
    for url in ("/accounts/password/change/", "/accounts/email/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/accounts/login/?next=")


def test_change_password_keeps_this_session_and_ends_the_others(app, auth, user, client, csrf_from, login):
    other = app.test_client()
    log_in(other, user)
    assert login(client).status_code == 302
    response = _change_password(client, csrf_from)
    assert response.status_code == 302
    assert client.get("/private/").status_code == 200
    assert other.get("/private/").status_code == 302
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).check_password(NEW_PASSWORD)
        # the sessions page is off: the user's cut-off ends the others, and this browser's session
        # before the change is ended too (it took a new one, started after the cut-off)
        assert sorted(end.before is None for end in auth.AuthSessionEnd.select()) == [False, True]
        [entry] = auth.audit.query(model=auth.User, pk=user.id)
        assert entry.source == "password-change"


def test_change_password_needs_the_current_one_and_counts_wrong_ones(app, auth, user, client, csrf_from, login):
    app.config["FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT"] = 2
    app.extensions.pop("flask_peewee.auth.throttle", None)
    assert login(client).status_code == 302
    for _ in range(2):
        response = _change_password(client, csrf_from, current="wrong")
        assert response.status_code == 200
        assert "Incorrect password." in response.text
    response = _change_password(client, csrf_from)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    response = _change_password(client, csrf_from, current=PASSWORD, new="short")
    assert response.status_code == 429  # still throttled: the policy is not even reached
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).check_password(PASSWORD)


@pytest.mark.backends("sqlite")
def test_change_password_applies_the_policy(app, auth, user, client, csrf_from, login):
    assert login(client).status_code == 302
    response = _change_password(client, csrf_from, new="short")
    assert response.status_code == 200
    assert "The password must be at least 8 characters long." in response.text


def test_change_email_is_confirmed_at_the_new_address(app, auth, user, client, csrf_from, login, smtp_inbox, link_of):
    assert login(client).status_code == 302
    response = _change_email(client, csrf_from, "Alice.New@Example.COM")
    assert response.status_code == 200
    assert "We sent a link to Alice.New@example.com" in response.text
    [message] = smtp_inbox.wait(1)
    assert (message["To"], message["Subject"]) == ("Alice.New@example.com", "Confirm your new email address")
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).email == "alice@example.com"  # not before the link is opened
    path = link_of(message)
    response = client.get(path)
    assert response.status_code == 302
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).email == "Alice.New@example.com"
        [entry] = auth.audit.query(model=auth.User, pk=user.id)
        assert entry.source == "change-email"
        assert entry.get_changes() == {"email": ["alice@example.com", "Alice.New@example.com"]}
    assert client.get(path).status_code == 400  # used once: the address it was bound to changed


def test_change_email_refuses_a_taken_address_and_a_wrong_password(
    app, auth, user, new_user, client, csrf_from, login, smtp_inbox
):
    new_user("bob")
    assert login(client).status_code == 302
    response = _change_email(client, csrf_from, "bob@example.com")
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.text
    response = _change_email(client, csrf_from, "fresh@example.com", current="wrong")
    assert "Incorrect password." in response.text
    time.sleep(0.2)
    assert smtp_inbox.messages == []


def test_email_taken_between_request_and_confirmation_is_refused(
    app, auth, user, new_user, client, csrf_from, login, smtp_inbox, link_of
):
    assert login(client).status_code == 302
    _change_email(client, csrf_from, "wanted@example.com")
    path = link_of(smtp_inbox.wait(1)[0])
    new_user("bob", email="wanted@example.com")
    response = client.get(path)
    assert response.status_code == 409
    with app.app_context(), connection(auth.db):
        assert auth.User.get_by_id(user.id).email == "alice@example.com"
