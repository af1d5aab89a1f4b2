"""The original flask-peewee's Auth surface: admin_required, test_user, setup(), its attributes and hooks' names."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_peewee.auth import Auth, BaseUser, LoginForm

PASSWORD = "correct horse"


@pytest.fixture
def secret_app(app, auth, new_user):
    """The original's test app views: ``/secret/`` behind ``admin_required``, users ``normal`` and ``admin``."""

    @app.route("/secret/")
    @auth.admin_required
    def secret_area():
        return "secret area"

    @app.route("/staff/")
    @auth.test_user(lambda user: user.username.startswith("help"))
    def staff_area():
        return "staff area"

    new_user("normal")
    new_user("admin", admin=True)
    new_user("helper")
    return app


def test_admin_required_as_in_the_original_example(secret_app, auth, client, login):
    response = client.get("/secret/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/login/?next=/secret/")
    login(client, "normal")
    # the original's test: a logged-in non-admin is sent to log in (as an admin), still logged in
    response = client.get("/secret/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/login/?next=/secret/")
    with client:
        client.get("/")
        assert auth.get_logged_in_user().username == "normal"
    login(client, "admin")
    response = client.get("/secret/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "secret area"


class _SiteAdmin:
    """What the admin layer puts in ``app.extensions``: an Admin of this Auth with its own admin check."""

    def __init__(self, auth, admins):
        self.auth = auth
        self.admins = admins

    def check_user_permission(self, user):
        return user.username in self.admins


def test_admin_required_admits_whom_the_registered_admin_site_admits(secret_app, auth, client, login):
    secret_app.extensions.setdefault("flask_peewee.admin", {})["admin"] = _SiteAdmin(auth, {"normal"})
    login(client, "normal")
    assert client.get("/secret/").status_code == 200
    login(client, "admin")  # admin flag set, but this site's own check says no
    response = client.get("/secret/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/login/?next=/secret/")


def test_test_user_redirects_whoever_fails_the_predicate(secret_app, client, login):
    assert client.get("/staff/").headers["Location"].endswith("/accounts/login/?next=/staff/")
    login(client, "normal")
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounts/login/?next=/staff/")
    login(client, "helper")
    assert client.get("/staff/").get_data(as_text=True) == "staff area"


def test_setup_is_accepted_and_harmless(app, auth, client, user, login):
    auth.setup()
    auth.setup()
    assert login(client).status_code == 302
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"
    assert len([rule for rule in app.url_map.iter_rules() if rule.endpoint == "auth.login"]) == 1


def test_original_constructor_keywords_and_attributes(app, db):
    auth = Auth(app, db, None, "/accounts", name="auth", clear_session=False, default_next_url="/", db_table="user")
    assert auth.app is app
    assert auth.db is db
    assert auth.db_table == "user"
    assert auth.url_prefix == "/accounts"
    assert auth.clear_session is False
    assert auth.default_next_url == "/"
    assert auth.blueprint.name == "auth"
    assert issubclass(auth.User, BaseUser)
    assert auth.get_login_form() is LoginForm
    assert set(LoginForm().data) == {"username", "password"}
    with app.test_request_context("/"):
        assert auth.get_context_user() == {"user": None}
        auth.load_user()
        from flask import g

        assert g.user is None


ORIGINAL_AUTH_NAMES = [
    "get_context_user",
    "get_user_model",
    "get_model_admin",
    "register_admin",
    "get_blueprint",
    "get_urls",
    "get_login_form",
    "test_user",
    "login_required",
    "admin_required",
    "authenticate",
    "login_user",
    "logout_user",
    "get_logged_in_user",
    "login",
    "logout",
    "configure_routes",
    "register_blueprint",
    "load_user",
    "register_handlers",
    "register_context_processors",
    "setup",
]


@pytest.mark.backends("sqlite")
def test_every_public_method_of_the_original_auth_resolves(auth):
    missing = [name for name in ORIGINAL_AUTH_NAMES if not callable(getattr(auth, name, None))]
    assert missing == []
    assert callable(BaseUser.set_password)
    assert callable(BaseUser.check_password)


def test_auth_in_a_factory_knows_its_app_only_while_set_up(db, app):
    auth = Auth(db=db)
    assert auth.app is None
    with pytest.raises(RuntimeError, match="not set up on an app"):
        auth.register_handlers()
    auth.init_app(app)
    assert auth.app is app
    other = Flask("other")
    with other.app_context():
        assert auth.app is other  # inside another app's context, that app


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/logout/"])
def test_auth_pages_refuse_to_be_framed(auth, client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_views_added_through_get_urls_refuse_to_be_framed_too(app, db, client):
    class MyAuth(Auth):
        def get_urls(self):
            return (*super().get_urls(), ("/hello/", self.hello))

        def hello(self):
            return "hello", 200, {"Content-Security-Policy": "default-src 'self'"}

    MyAuth(app, db)
    response = client.get("/accounts/hello/")
    assert response.get_data(as_text=True) == "hello"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
