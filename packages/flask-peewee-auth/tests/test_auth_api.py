"""The documented Auth API: authenticate, the current user, login_required, get_urls, next URLs."""

from __future__ import annotations

import peewee
import pytest
from flask import Flask, g, render_template_string

from flask_peewee.auth import Auth
from flask_peewee.db import Database

PASSWORD = "correct horse"  # the password conftest gives its users


def test_authenticate(auth, app, user, new_user):
    new_user("idle", active=False)
    with app.test_request_context():
        assert auth.authenticate("alice", PASSWORD).username == "alice"
        assert auth.authenticate("alice", "wrong") is False
        assert auth.authenticate("nobody", PASSWORD) is False
        assert auth.authenticate("idle", PASSWORD) is False
        assert auth.authenticate(None, None) is False
        assert auth.authenticate("a" * 100_000, PASSWORD) is False
        assert auth.authenticate("nul\x00byte", PASSWORD) is False


def test_anonymous_user_is_none(auth, client):
    with client:
        client.get("/")
        assert auth.get_logged_in_user() is None
        assert g.user is None


def test_get_logged_in_user_outside_a_request_is_none(auth, app):
    with app.app_context():
        assert auth.get_logged_in_user() is None


def test_logged_in_user_on_g_and_in_templates(auth, app, client, user, login):
    @app.route("/hello/")
    def hello():
        return render_template_string("{% if user %}Hello {{ user.username }}{% else %}anonymous{% endif %}")

    assert client.get("/hello/").get_data(as_text=True) == "anonymous"
    login(client)
    with client:
        assert client.get("/hello/").get_data(as_text=True) == "Hello alice"
        assert g.user.username == "alice"
        assert auth.get_logged_in_user().id == user.id


def test_login_required_redirects_with_next_and_back(auth, client, user, login):
    response = client.get("/private/?page=2")
    assert response.status_code == 302
    assert response.location == "/accounts/login/?next=/private/?page%3D2"
    response = login(client, query="?next=/private/?page%3D2")
    assert response.status_code == 302
    assert response.location == "/private/?page=2"
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"


def test_login_required_next_has_no_question_mark_without_query(auth, client):
    response = client.get("/private/")
    assert response.location == "/accounts/login/?next=/private/"


def test_default_next_url_is_the_homepage_endpoint(auth, client, user, login):
    response = login(client)
    assert response.location == "/"
    assert client.get("/").get_data(as_text=True) == "home page"


def test_default_next_url_falls_back_to_root_without_homepage(app, db, client, login_new_user):
    auth = Auth(app, db)
    db.create_tables()
    response = login_new_user(auth)
    assert response.status_code == 302
    assert response.location == "/"


@pytest.fixture
def login_new_user(app, client, login):
    def run(auth):
        with app.app_context():
            user = auth.User(username="alice")
            user.set_password(PASSWORD)
            user.save()
        auth.db.database.close()
        return login(client)

    return run


def test_default_next_url_option_and_subclass_attribute(app, db, client, login_new_user):
    class MyAuth(Auth):
        default_next_url = "dashboard"

    @app.route("/dash/")
    def dashboard():
        return "dash"

    auth = MyAuth(app, db)
    db.create_tables()
    assert login_new_user(auth).location == "/dash/"


def test_get_urls_override_adds_views(app, db, client, login_new_user):
    class RegisteringAuth(Auth):
        def register(self):
            return "registration form"

        def get_urls(self):
            return (*super().get_urls(), ("/register/", self.register))

    auth = RegisteringAuth(app, db)
    db.create_tables()
    assert client.get("/accounts/register/").get_data(as_text=True) == "registration form"
    assert client.post("/accounts/register/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    assert login_new_user(auth).status_code == 302


def test_prefix_and_name(app, db, client):
    Auth(app, db, prefix="/people", name="people")
    db.create_tables()
    assert client.get("/people/login/").status_code == 200
    assert "people.login" in app.view_functions


def test_login_user_and_logout_user_from_code(auth, app, client, user):
    @app.route("/as-alice/")
    def as_alice():
        auth.login_user(auth.User.get(auth.User.username == "alice"))
        return "ok"

    @app.route("/bye/")
    def bye():
        auth.logout_user()
        return "bye"

    client.get("/as-alice/")
    assert client.get("/private/").status_code == 200
    client.get("/bye/")
    assert client.get("/private/").status_code == 302


def test_get_login_form_is_used_by_the_view(app, db, client):
    from wtforms import StringField

    from flask_peewee.auth import LoginForm

    class EmailLoginForm(LoginForm):
        remember_color = StringField("Favourite colour")

    class MyAuth(Auth):
        def get_login_form(self):
            return EmailLoginForm

    MyAuth(app, db)
    db.create_tables()
    assert "Favourite colour" in client.get("/accounts/login/").get_data(as_text=True)


def test_get_model_admin_hashes_before_the_write(auth, app, user):
    """With a minimal ModelAdmin stand-in (the real admin package tests it with its own)."""
    written = []

    class BaseAdmin:
        def save_model(self, instance, form, adding=False):
            instance.password = form.password.data
            written.append(instance.password)
            instance.save()
            return instance

    class Field:
        def __init__(self, data):
            self.data = data

    class Form:
        def __init__(self, password):
            self.password = Field(password)

    admin_class = auth.get_model_admin(BaseAdmin)
    assert issubclass(admin_class, BaseAdmin)
    assert list(admin_class.columns) == ["username", "email", "active", "admin"]
    with app.app_context():
        alice = auth.User.get(auth.User.username == "alice")
        old_hash = alice.password
        admin_class().save_model(alice, Form(old_hash))  # blank input: the admin keeps the hash
        assert auth.User.get_by_id(alice.id).password == old_hash
        admin_class().save_model(alice, Form("new password"))
        stored = auth.User.get_by_id(alice.id).password
    assert "new password" not in written
    assert stored != "new password"
    with app.app_context():
        assert auth.User.get_by_id(alice.id).check_password("new password")


def test_register_admin_uses_the_admins_model_admin_class(auth):
    registered = {}

    class BaseAdmin:
        def save_model(self, instance, form, adding=False):
            return instance

    class FakeAdmin:
        model_admin_class = BaseAdmin

        def register(self, model, admin_class):
            registered[model] = admin_class

    auth.register_admin(FakeAdmin())
    assert issubclass(registered[auth.User], BaseAdmin)


@pytest.mark.backends("sqlite")
def test_getting_started_steps_run_as_written(tmp_path, monkeypatch):
    """The docs' Getting Started app (modern spellings only), then its admin-user shell snippet."""
    import datetime

    monkeypatch.chdir(tmp_path)
    DATABASE = {"name": "example.db", "engine": "peewee.SqliteDatabase"}
    app = Flask(__name__)
    app.config.update(DATABASE=DATABASE, DEBUG=True, SECRET_KEY="ssshhhh")
    db = Database(app)

    class Note(db.Model):
        message = peewee.TextField()
        created = peewee.DateTimeField(default=datetime.datetime.now)

    auth = Auth(app, db)
    auth.User.create_table(fail_silently=True)
    Note.create_table(safe=True)

    admin = auth.User(username="admin", email="", admin=True, active=True)
    admin.set_password("admin")
    admin.save()
    db.database.close()

    client = app.test_client()
    page = client.get("/accounts/login/").get_data(as_text=True)
    assert "<h2>Log in</h2>" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/accounts/login/", data={"username": "admin", "password": "admin", "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 302
    with client:
        client.get("/accounts/login/")
        assert auth.get_logged_in_user().username == "admin"
    db.database.close()
