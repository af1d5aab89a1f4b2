"""The "Your sessions" page turned on: the list, ending one session or device, or all but this browser's."""

from __future__ import annotations

import re

import pytest

PAGE = "/accounts/sessions/"
ROW = re.compile(r'name="do" value="(end_session|end_device)">\s*<input type="hidden" name="id" value="(\d+)"')


@pytest.fixture
def app(app):
    app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = True
    app.config["FLASK_PEEWEE_REMEMBER_ME"] = True
    return app


@pytest.fixture
def browser(app, auth, user, login):
    """``browser(address, agent, remember=False)``: a client logged in as alice from that address and browser."""

    def browser(address, agent, remember=False):
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
        extra = {"remember": "y"} if remember else {}
        assert login(client, **extra).status_code == 302
        return client

    return browser


def _rows(text, kind):
    return [int(row) for do, row in ROW.findall(text) if do == kind]


def _post(client, csrf_from, **data):
    data.setdefault("csrf_token", csrf_from(client, PAGE))
    return client.post(PAGE, data=data)


def test_the_page_lists_sessions_and_devices_with_where_and_what(app, auth, browser):
    laptop = browser("198.51.100.7", "Laptop Firefox/140.0", remember=True)
    browser("203.0.113.9", "Phone Safari/18")
    page = laptop.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "198.51.100.7" in text
    assert "203.0.113.9" in text
    assert "Laptop Firefox/140.0" in text
    assert "Phone Safari/18" in text
    assert "This session" in text
    assert "This browser" in text
    assert len(_rows(text, "end_session")) == 2
    assert len(_rows(text, "end_device")) == 1
    assert 'name="csrf_token"' in text
    assert page.headers["X-Frame-Options"] == "DENY"


def test_anonymous_users_are_sent_to_the_login_page(app, auth, client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/?next=/accounts/sessions/" in response.headers["Location"]


def test_ending_another_session_is_immediate(app, auth, browser, csrf_from):
    laptop = browser("198.51.100.7", "Laptop")
    phone = browser("203.0.113.9", "Phone")
    assert phone.get("/private/").status_code == 200
    text = laptop.get(PAGE).get_data(as_text=True)
    with app.app_context():
        phone_row = auth.AuthSession.get(auth.AuthSession.remote_addr == "203.0.113.9").id
    assert phone_row in _rows(text, "end_session")
    assert _post(laptop, csrf_from, do="end_session", id=str(phone_row)).status_code == 302
    assert phone.get("/private/").status_code == 302  # logged out at its next request
    assert laptop.get("/private/").status_code == 200


def test_ending_this_session_logs_out(app, auth, browser, csrf_from):
    laptop = browser("198.51.100.7", "Laptop", remember=True)
    with app.app_context():
        own = auth.AuthSession.get().id
    response = _post(laptop, csrf_from, do="end_session", id=str(own))
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
    assert laptop.get("/private/").status_code == 302  # the remember-me cookie was forgotten too
    with app.app_context():
        assert auth.RememberToken.select().count() == 0


def test_forgetting_a_remembered_device(app, auth, browser, csrf_from):
    laptop = browser("198.51.100.7", "Laptop")
    phone = browser("203.0.113.9", "Phone", remember=True)
    with app.app_context():
        device = auth.RememberToken.get().id
    assert _post(laptop, csrf_from, do="end_device", id=str(device)).status_code == 302
    phone.delete_cookie("session")  # the phone's browser restarted: its cookie no longer logs in
    assert phone.get("/private/").status_code == 302


def test_end_every_other_session(app, auth, browser, csrf_from):
    laptop = browser("198.51.100.7", "Laptop", remember=True)
    phone = browser("203.0.113.9", "Phone", remember=True)
    tablet = browser("192.0.2.44", "Tablet")
    response = _post(laptop, csrf_from, do="end_others")
    assert response.status_code == 302
    assert tablet.get("/private/").status_code == 302
    phone.delete_cookie("session")  # nor does the phone's remember-me cookie log in again
    assert phone.get("/private/").status_code == 302
    assert laptop.get("/private/").status_code == 200
    laptop.delete_cookie("session")
    assert laptop.get("/private/").status_code == 200  # this browser's remember-me token is kept
    with app.app_context():
        assert auth.RememberToken.select().count() == 1


def test_end_every_other_session_also_ends_those_started_while_the_page_was_off(app, auth, browser, csrf_from):
    app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = False
    old = browser("192.0.2.50", "Old")  # an unlisted session: refused while the page is on
    app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = True
    laptop = browser("198.51.100.7", "Laptop")
    assert _post(laptop, csrf_from, do="end_others").status_code == 302
    app.config["FLASK_PEEWEE_AUTH_SESSIONS_PAGE"] = False  # turned off again: it stays ended
    assert old.get("/private/").status_code == 302
    assert laptop.get("/private/").status_code == 200


def test_refused_posts_change_nothing(app, auth, user, browser, new_user, login, csrf_from):
    laptop = browser("198.51.100.7", "Laptop")
    phone = browser("203.0.113.9", "Phone", remember=True)
    new_user("bob")
    bob = app.test_client()
    assert login(bob, "bob").status_code == 302
    with app.app_context():
        alice_rows = [row.id for row in auth.AuthSession.select().where(auth.AuthSession.user_id == user.id)]
        alice_token = auth.RememberToken.get().id
        sessions_before = auth.AuthSession.select().count()
    cases = [
        {"do": "end_others", "csrf_token": "forged"},
        {"do": "end_session", "id": str(max(alice_rows) + 1000)},
        {"do": "end_session", "id": "1; DROP TABLE x"},
        {"do": "end_session", "id": "9" * 40},
        {"do": "end_device", "id": str(alice_token + 1000)},
        {"do": "explode"},
    ]
    for data in cases:
        response = _post(bob, csrf_from, **data)
        assert response.status_code == 200, data
        assert "already ended or is not one of yours" in response.get_data(as_text=True) or "expired" in (
            response.get_data(as_text=True)
        )
    for row in alice_rows:  # bob cannot end alice's sessions by their ids
        _post(bob, csrf_from, do="end_session", id=str(row))
    _post(bob, csrf_from, do="end_device", id=str(alice_token))
    with app.app_context():
        assert auth.RememberToken.select().count() == 1
        assert auth.AuthSession.select().count() == sessions_before
    assert phone.get("/private/").status_code == 200
    assert laptop.get("/private/").status_code == 200
    cross_site = laptop.post(PAGE, data={"do": "end_others"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    assert phone.get("/private/").status_code == 200


def test_last_used_is_written_at_most_once_a_minute(app, auth, browser, count_queries):
    laptop = browser("198.51.100.7", "Laptop")
    with count_queries() as counter:
        for _ in range(3):
            assert laptop.get("/private/").status_code == 200
    updates = [sql for sql in counter.statements if sql.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    assert "last_used" in updates[0]
    with app.app_context():
        assert auth.AuthSession.get().last_used is not None
