"""Access to the admin: login redirect, 403, headers, app factory, registration rules, the docs' custom classes."""

from __future__ import annotations

from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth, BaseUser
from flask_peewee.auth.testing import log_in
from flask_peewee.db import Database, ImproperlyConfigured


def test_anonymous_is_sent_to_login_with_next(client: Any, admin: Admin) -> None:
    response = client.get("/admin/note/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/note/?page%3D2"


def test_user_without_permission_gets_403(client: Any, staff: Any) -> None:
    log_in(client, staff)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/note/").status_code == 403


def test_dashboard_lists_registered_models(admin_client: Any) -> None:
    response = admin_client.get("/admin/")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/admin/note/"' in text
    assert 'href="/admin/message/"' in text
    assert 'href="/admin/user/"' in text
    assert 'href="/admin/note/add/"' in text


def test_admin_responses_forbid_framing(admin_client: Any, client: Any) -> None:
    response = admin_client.get("/admin/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_bundled(admin_client: Any) -> None:
    with admin_client.get("/admin/static/css/admin.css") as css:
        assert css.status_code == 200
        assert b"prefers-color-scheme: dark" in css.data
    with admin_client.get("/admin/static/js/admin.js") as js:
        assert js.status_code == 200
        assert b"fp-lookup-dialog" in js.data
    text = admin_client.get("/admin/").get_data(as_text=True)
    assert "http://" not in text
    assert "https://" not in text


def test_unknown_object_is_404(admin_client: Any) -> None:
    assert admin_client.get("/admin/note/12345/").status_code == 404
    assert admin_client.get("/admin/note/not-a-number/").status_code == 404


@pytest.mark.backends("sqlite")
def test_register_after_setup_and_second_init_are_refused(app: Flask, auth: Auth, models: Any) -> None:
    admin = Admin(app, auth)
    admin.setup()
    with pytest.raises(ImproperlyConfigured, match=r"before Admin\.setup"):
        admin.register(models.Note)
    with pytest.raises(ImproperlyConfigured, match=r"already registered"):
        admin.init_app(app)
    with pytest.raises(ImproperlyConfigured, match="needs the Auth"):
        Admin(app)
    with pytest.raises(TypeError, match="peewee model"):
        Admin(auth=auth).register(object)  # type: ignore[arg-type]


def test_app_factory_form(app: Flask, db: Database, auth: Auth, models: Any) -> None:
    admin = Admin(auth=auth, prefix="/backend", name="backend")
    admin.register(models.Note)
    admin.setup()
    admin.init_app(app)
    db.create_tables()
    db.database.close()
    user = _user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, user)
    assert client.get("/backend/note/").status_code == 200
    assert app.extensions["flask_peewee.admin"]["backend"] is admin


def test_two_admins_with_distinct_names(app: Flask, db: Database, auth: Auth, models: Any) -> None:
    first = Admin(app, auth)
    first.register(models.Note)
    second = Admin(app, auth, prefix="/staff", name="staff")
    second.register(models.Message)
    first.setup()
    second.setup()
    db.create_tables()
    db.database.close()
    client = app.test_client()
    log_in(client, _user(app, auth, "boss", admin=True))
    assert client.get("/admin/note/").status_code == 200
    assert client.get("/staff/message/").status_code == 200
    assert client.get("/staff/note/").status_code == 404


def test_blueprint_factory_is_used(app: Flask, db: Database, auth: Auth, models: Any) -> None:
    from flask import Blueprint

    made = []

    def factory(name: str, import_name: str, **options: Any) -> Blueprint:
        made.append(name)
        return Blueprint(name, import_name, **options)

    admin = Admin(app, auth, blueprint_factory=factory)
    admin.register(models.Note)
    admin.setup()
    assert made == ["admin"]
    assert "admin.note_index" in app.view_functions


def _user(app: Flask, auth: Any, username: str, **fields: Any) -> Any:
    with app.app_context():
        user = auth.User(username=username, email=f"{username}@example.com", active=True, **fields)
        user.set_password("pw")
        user.save()
    auth.db.database.close()
    return user


@pytest.fixture
def custom(app: Flask, db: Database) -> Any:
    """The docs' custom User, UserAdmin, CustomAuth and CustomAdmin, as written (modern spellings)."""

    class User(db.Model, BaseUser):
        username = peewee.CharField()
        password = peewee.CharField()
        email = peewee.CharField()
        is_superuser = peewee.BooleanField()

        def __str__(self) -> str:
            return self.username

    class UserAdmin(ModelAdmin):
        columns = ("username", "email", "is_superuser")

        def save_model(self, instance: Any, form: Any, adding: bool = False) -> Any:
            orig_password = instance.password
            user = super().save_model(instance, form, adding)
            if orig_password != form.password.data:
                user.set_password(form.password.data)
                user.save()
            return user

    class CustomAuth(Auth):
        def get_user_model(self) -> Any:
            return User

        def get_model_admin(self) -> Any:
            return UserAdmin

    class CustomAdmin(Admin):
        def check_user_permission(self, user: Any) -> bool:
            return user.is_superuser

    auth = CustomAuth(app, db)
    admin = CustomAdmin(app, auth)
    admin.register(User, UserAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = User(username="boss", email="b@example.com", is_superuser=True)
        boss.set_password("pw")
        boss.save()
        worker = User(username="worker", email="w@example.com", is_superuser=False)
        worker.set_password("pw")
        worker.save()
    db.database.close()
    return User, boss, worker


def test_docs_custom_auth_and_admin(app: Flask, custom: Any, csrf: Any) -> None:
    user_model, boss, worker = custom
    client = app.test_client()
    log_in(client, worker)
    assert client.get("/admin/").status_code == 403
    log_in(client, boss)
    listing = client.get("/admin/user/").get_data(as_text=True)
    assert "worker" in listing
    assert "Is Superuser" in listing
    url = f"/admin/user/{worker.id}/"
    token = csrf(client, url)
    data = {"csrf_token": token, "username": "worker", "email": "w@example.com", "password": ""}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert user_model.get_by_id(worker.id).check_password("pw")
    data["password"] = "new secret"
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        stored = user_model.get_by_id(worker.id)
        assert stored.check_password("new secret")
        assert stored.password != "new secret"
