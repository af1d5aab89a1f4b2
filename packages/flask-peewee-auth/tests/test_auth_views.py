"""Login and logout views through the test client: templates, CSRF, logout confirm, next, bad input."""

from __future__ import annotations

import pytest

from flask_peewee.auth import Auth

PASSWORD = "correct horse"


def test_login_page_uses_the_fallback_base_without_any_cdn(auth, client):
    response = client.get("/accounts/login/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Log in</h2>" in page
    assert 'name="username"' in page
    assert 'type="password"' in page
    assert 'name="csrf_token"' in page
    assert "<style>" in page
    assert "http://" not in page
    assert "https://" not in page


def test_app_base_template_is_used(app, db, client, tmp_path):
    (tmp_path / "base.html").write_text(
        "<title>Test site</title><h2>{% block content_title %}{% endblock %}</h2>{% block content %}{% endblock %}"
    )
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(tmp_path)), app.jinja_loader])
    Auth(app, db)
    db.create_tables()
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert page.startswith("<title>Test site</title><h2>Log in</h2>")


def test_app_can_override_the_auth_templates(app, db, client, tmp_path):
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "login.html").write_text("custom login {{ csrf_token() | length > 20 }}")
    from jinja2 import ChoiceLoader, FileSystemLoader

    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(tmp_path)), app.jinja_loader])
    Auth(app, db)
    db.create_tables()
    assert client.get("/accounts/login/").get_data(as_text=True) == "custom login True"


def test_successful_login_flashes_and_redirects(auth, client, user, login):
    response = login(client)
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "You are logged in as alice")]


def test_wrong_password_shows_the_form_again(auth, client, user, login):
    response = login(client, password="nope")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Incorrect username or password" in page
    assert client.get("/private/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://localhost.evil/",
    ],
)
@pytest.mark.backends("sqlite")
def test_next_to_another_host_goes_to_default(auth, client, user, login, target):
    response = login(client, next=target)
    assert response.status_code == 302
    assert response.location == "/"


def test_next_on_same_host_is_followed(auth, client, user, login):
    assert login(client, next="/private/").location == "/private/"
    assert login(client, next="http://localhost/private/").location == "http://localhost/private/"


@pytest.mark.parametrize(
    "target",
    [
        "/accounts/login/",
        "/accounts/login",
        "/accounts/login/?next=/private/",
        "/accounts/logout/",
        "http://localhost/accounts/logout",
    ],
)
@pytest.mark.backends("sqlite")
def test_next_pointing_at_login_or_logout_goes_to_default(auth, client, user, login, csrf_from, target):
    assert login(client, next=target).location == "/"
    token = csrf_from(client, "/accounts/logout/")
    response = client.post("/accounts/logout/", data={"csrf_token": token, "next": target})
    assert response.location == "/"
    assert client.get("/private/").status_code == 302


@pytest.mark.backends("sqlite")
def test_next_pointing_at_a_moved_login_view_goes_to_default(app, db, client, csrf_from):
    auth = Auth(app, db, prefix="/people")
    db.create_tables()
    with app.app_context():
        user = auth.User(username="alice")
        user.set_password(PASSWORD)
        user.save()
    db.database.close()

    def log_in(target):
        data = {"username": "alice", "password": PASSWORD, "next": target}
        return client.post("/people/login/", data={**data, "csrf_token": csrf_from(client, "/people/login/")})

    assert log_in("/people/login/").location == "/"
    assert log_in("/accounts/login/").location == "/accounts/login/"  # no login view there in this app


# -- CSRF ------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(auth, client, user):
    response = client.post("/accounts/login/", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302


def test_login_with_wrong_csrf_token_is_refused(auth, client, user, csrf_from):
    csrf_from(client)
    data = {"username": "alice", "password": PASSWORD, "csrf_token": "forged"}
    response = client.post("/accounts/login/", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302


def test_token_from_another_session_is_refused(auth, app, client, user, csrf_from):
    other_token = csrf_from(app.test_client())
    csrf_from(client)
    data = {"username": "alice", "password": PASSWORD, "csrf_token": other_token}
    response = client.post("/accounts/login/", data=data)
    assert "did not come from this site" in response.get_data(as_text=True)


def test_same_origin_browser_without_token_may_log_in(auth, client, user):
    """Templates written before tokens existed keep working in browsers that prove same origin."""
    data = {"username": "alice", "password": PASSWORD}
    response = client.post("/accounts/login/", data=data, headers={"Origin": "http://localhost"})
    assert response.status_code == 302


def test_cross_site_login_post_is_forbidden(auth, client, user, csrf_from):
    data = {"username": "alice", "password": PASSWORD, "csrf_token": csrf_from(client)}
    response = client.post("/accounts/login/", data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    response = client.post("/accounts/login/", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_app_views_added_through_get_urls_refuse_cross_site_posts(app, db, client):
    class MyAuth(Auth):
        def change_colour(self):
            return "changed"

        def get_urls(self):
            return (*super().get_urls(), ("/colour/", self.change_colour))

    MyAuth(app, db)
    db.create_tables()
    assert client.post("/accounts/colour/").get_data(as_text=True) == "changed"
    assert client.post("/accounts/colour/", headers={"Origin": "http://localhost"}).status_code == 200
    assert client.post("/accounts/colour/", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.post("/accounts/colour/", headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/accounts/colour/", headers={"Origin": "null"}).status_code == 403
    assert client.post("/accounts/colour/", headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert client.post("/accounts/colour/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_trusted_origins_config(app, db, client):
    app.config["FLASK_PEEWEE_TRUSTED_ORIGINS"] = ["https://www.example.com"]

    class MyAuth(Auth):
        def ping(self):
            return "pong"

        def get_urls(self):
            return (*super().get_urls(), ("/ping/", self.ping))

    MyAuth(app, db)
    db.create_tables()
    assert client.post("/accounts/ping/", headers={"Origin": "https://www.example.com"}).status_code == 200
    assert client.post("/accounts/ping/", headers={"Origin": "https://example.com"}).status_code == 403


def test_csrf_token_template_global_is_stable_per_session(auth, app, client):
    from flask import render_template_string

    @app.route("/token/")
    def token():
        return render_template_string("{{ csrf_token() }}|{{ csrf_token() }}")

    first, second = client.get("/token/").get_data(as_text=True).split("|")
    assert first == second
    assert len(first) >= 40
    assert client.get("/token/").get_data(as_text=True).split("|")[0] == first
    assert app.test_client().get("/token/").get_data(as_text=True).split("|")[0] != first


def test_validate_csrf_token_for_app_views(auth, app, client, csrf_from):
    from flask import request

    from flask_peewee.auth import validate_csrf_token

    @app.route("/save/", methods=["POST"])
    def save():
        return "saved" if validate_csrf_token() else ("refused", 400)

    token = csrf_from(client)
    assert client.post("/save/", data={"csrf_token": token}).get_data(as_text=True) == "saved"
    assert client.post("/save/", headers={"X-CSRF-Token": token}).get_data(as_text=True) == "saved"
    assert client.post("/save/", data={"csrf_token": "x" + token}).status_code == 400
    assert client.post("/save/").status_code == 400
    assert request is not None


# -- logout ------------------------------------------------------------------------------


def test_logout_get_shows_a_confirm_form_and_keeps_the_login(auth, client, user, login):
    login(client)
    response = client.get("/accounts/logout/?next=/private/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="post" action="/accounts/logout/"' in page
    assert '<input type="hidden" name="next" value="/private/">' in page
    assert 'name="csrf_token"' in page
    assert "You are logged in as alice" in page
    assert client.get("/private/").status_code == 200


def test_logout_post_logs_out_and_follows_next(auth, client, user, login, csrf_from):
    login(client)
    token = csrf_from(client, "/accounts/logout/")
    response = client.post("/accounts/logout/", data={"csrf_token": token, "next": "/private/"})
    assert response.status_code == 302
    assert response.location == "/private/"
    assert client.get("/private/").status_code == 302
    with client.session_transaction() as session:
        assert session["_flashes"] == [("success", "You are now logged out")]


def test_logout_post_without_token_does_not_log_out(auth, client, user, login):
    login(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 200


def test_logout_post_to_another_host_goes_to_default(auth, client, user, login, csrf_from):
    login(client)
    token = csrf_from(client, "/accounts/logout/")
    response = client.post("/accounts/logout/", data={"csrf_token": token, "next": "//evil.example/"})
    assert response.location == "/"


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "alice"},
        {"password": PASSWORD},
        {"username": "", "password": ""},
        {"username": "a" * 300, "password": PASSWORD},
        {"username": "alice", "password": "p" * 5000},
        {"username": "nul\x00byte", "password": PASSWORD},
        {"username": "alice", "password": "tab\x07bell"},
        {"username": ["nobody", "alice"], "password": PASSWORD},
    ],
)
def test_bad_form_input_reshows_the_form(auth, client, user, csrf_from, data):
    data = {**data, "csrf_token": csrf_from(client)}
    response = client.post("/accounts/login/", data=data)
    assert response.status_code == 200
    assert "<form" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302


def test_form_errors_are_shown(auth, client, csrf_from):
    response = client.post("/accounts/login/", data={"csrf_token": csrf_from(client), "username": "a" * 300})
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert "Field cannot be longer than 255 characters." in page


def test_invalid_utf8_body_reshows_the_form(auth, client, user, csrf_from):
    token = csrf_from(client)
    for username in (b"%FF%FEalice", b"\xff\xfealice", b"%C3%28"):
        body = b"username=" + username + b"&password=x&csrf_token=" + token.encode()
        response = client.post("/accounts/login/", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        messages = ("Incorrect username or password", "not allowed", "did not come from this site")
        assert any(message in page for message in messages)
    assert client.get("/private/").status_code == 302


def test_huge_next_value_is_ignored(auth, client, user, login):
    response = client.get("/accounts/login/?next=/" + "x" * 5000)
    assert response.status_code == 200
    assert "x" * 5000 not in response.get_data(as_text=True)


def test_non_form_content_type_reshows_the_form(auth, client, user):
    response = client.post("/accounts/login/", data=b"\xff\xfe\x00garbage", content_type="application/octet-stream")
    assert response.status_code == 200
