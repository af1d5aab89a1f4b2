"""The password policy on a user model's password control: a refused password is a form error, nothing written."""

from __future__ import annotations

import html
from typing import Any

from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth

TOO_SHORT = "The password must be at least 8 characters long."
COMMON = "This password is one of the most common passwords; choose another."
PERSONAL = "The password must not be your username or email address."


def _add_data(token: str, password: str, username: str = "carol") -> dict[str, str]:
    return {
        "csrf_token": token,
        "username": username,
        "email": "carol.singer@example.com",
        "password": password,
        "active": "y",
        "join_date-date": "2024-01-01",
        "join_date-time": "00:00",
    }


def _edit_data(token: str, current: str, user: Any, password: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "_fp_version": current,
        "username": user.username,
        "email": "staff.member@example.com",
        "password": password,
        "active": "y",
        "join_date-date": user.join_date.date().isoformat(),
        "join_date-time": user.join_date.time().strftime("%H:%M:%S"),
    }


def _count(app: Flask, models: Any) -> int:
    with app.app_context():
        return int(models.User.select().count())


def test_add_refuses_a_weak_password_and_writes_nothing(
    admin_client: Any, app: Flask, models: Any, csrf: Any, auth: Auth
) -> None:
    before = _count(app, models)
    for password, reasons in (
        ("1234", [TOO_SHORT, COMMON]),
        ("Password1", [COMMON]),
        ("CAROL.SINGER", [PERSONAL]),
        ("carol.singer@example.com", [PERSONAL]),
    ):
        response = admin_client.post(
            "/admin/user/add/", data=_add_data(csrf(admin_client, "/admin/user/add/"), password)
        )
        assert response.status_code == 200, password
        text = html.unescape(response.get_data(as_text=True))
        for reason in reasons:
            assert reason in text, (password, reason)
    assert _count(app, models) == before
    with app.app_context():
        assert auth.AuditEntry.select().count() == 0


def test_add_accepts_a_good_password(admin_client: Any, app: Flask, models: Any, csrf: Any) -> None:
    data = _add_data(csrf(admin_client, "/admin/user/add/"), "carol sings at dawn")
    assert admin_client.post("/admin/user/add/", data=data).status_code == 302
    with app.app_context():
        assert models.User.get(models.User.username == "carol").check_password("carol sings at dawn")


def test_edit_refuses_a_weak_password_and_keeps_the_old_one(
    admin_client: Any, app: Flask, models: Any, staff: Any, version: Any
) -> None:
    url = f"/admin/user/{staff.id}/"
    token, current = version(admin_client, url)
    response = admin_client.post(url, data=_edit_data(token, current, staff, "staff.member"))
    assert response.status_code == 200
    assert PERSONAL in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        stored = models.User.get_by_id(staff.id)
        assert stored.password == staff.password
        assert stored.email == staff.email  # the rest of the form was not saved either
    token, current = version(admin_client, url)
    assert admin_client.post(url, data=_edit_data(token, current, staff, "")).status_code == 302  # blank: kept


def test_the_policy_follows_the_app_configuration(
    admin_client: Any, app: Flask, models: Any, staff: Any, version: Any
) -> None:
    url = f"/admin/user/{staff.id}/"
    app.config["FLASK_PEEWEE_PASSWORD_MIN_LENGTH"] = 20
    token, current = version(admin_client, url)
    response = admin_client.post(url, data=_edit_data(token, current, staff, "nineteen characters"))
    assert response.status_code == 200
    assert "at least 20 characters" in response.get_data(as_text=True)
    app.config["FLASK_PEEWEE_PASSWORD_POLICY"] = False
    token, current = version(admin_client, url)
    assert admin_client.post(url, data=_edit_data(token, current, staff, "pw")).status_code == 302
    with app.app_context():
        assert models.User.get_by_id(staff.id).check_password("pw")


def test_any_model_admin_of_a_user_model_applies_it(app: Flask, auth: Auth, models: Any, csrf: Any) -> None:
    """A plain ModelAdmin on the user model (as the docs' custom UserAdmin) gets the same check."""
    from flask_peewee.auth.testing import create_user, log_in

    class PlainUserAdmin(ModelAdmin):
        columns = ("username",)

    admin = Admin(app, auth, prefix="/plain", name="plain")
    admin.register(auth.User, PlainUserAdmin)
    admin.setup()
    auth.db.create_tables()
    auth.db.database.close()
    boss = create_user(app, auth, "boss", "correct horse", admin=True)
    client = app.test_client()
    log_in(client, boss)
    add_url = "/plain/user/add/"
    response = client.post(add_url, data=_add_data(csrf(client, add_url), "qwerty123", username="dave"))
    assert response.status_code == 200
    assert COMMON in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert models.User.get_or_none(models.User.username == "dave") is None
