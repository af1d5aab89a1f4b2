"""The User admin from auth.register_admin: the password control and the docs' save_model."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask


def test_password_is_never_shown(admin_client: Any, superuser: Any, staff: Any) -> None:
    for url in (
        "/admin/user/",
        f"/admin/user/{staff.id}/",
        "/admin/user/add/",
        "/admin/user/export/?_format=csv",
        "/admin/user/export/?_format=json",
        f"/admin/user/delete/?id={staff.id}",
    ):
        text = admin_client.get(url).get_data(as_text=True)
        assert staff.password not in text, url
        assert superuser.password not in text, url
    form = admin_client.get(f"/admin/user/{staff.id}/").get_data(as_text=True)
    control = re.search(r'<input[^>]*name="password"[^>]*>', form)
    assert control
    assert 'type="password"' in control.group(0)
    assert re.search(r'value="[^"]', control.group(0)) is None


def _user_form(token: str, current: str, user: Any, password: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "_fp_version": current,
        "username": user.username,
        "email": user.email,
        "password": password,
        "active": "y",
        "join_date-date": user.join_date.date().isoformat(),
        "join_date-time": user.join_date.time().strftime("%H:%M:%S"),
    }


def test_blank_password_keeps_the_stored_hash(
    admin_client: Any, app: Flask, models: Any, staff: Any, version: Any
) -> None:
    url = f"/admin/user/{staff.id}/"
    token, current = version(admin_client, url)
    response = admin_client.post(url, data={**_user_form(token, current, staff, ""), "email": "new@example.com"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = models.User.get_by_id(staff.id)
        assert stored.password == staff.password
        assert stored.email == "new@example.com"


def test_filled_password_is_hashed(admin_client: Any, app: Flask, models: Any, staff: Any, version: Any) -> None:
    url = f"/admin/user/{staff.id}/"
    token, current = version(admin_client, url)
    response = admin_client.post(url, data=_user_form(token, current, staff, "brand new"))
    assert response.status_code == 302
    with app.app_context():
        stored = models.User.get_by_id(staff.id)
        assert stored.password != "brand new"
        assert stored.check_password("brand new")


def test_add_user_hashes_and_requires_a_password(admin_client: Any, app: Flask, models: Any, csrf: Any) -> None:
    token = csrf(admin_client, "/admin/user/add/")
    data = {
        "csrf_token": token,
        "username": "carol",
        "email": "c@example.com",
        "password": "",
        "active": "y",
        "join_date-date": "2024-01-01",
        "join_date-time": "00:00",
    }
    response = admin_client.post("/admin/user/add/", data=data)
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    data["password"] = "s3cret horse"
    assert admin_client.post("/admin/user/add/", data=data).status_code == 302
    with app.app_context():
        carol = models.User.get(models.User.username == "carol")
        assert carol.check_password("s3cret horse")
        assert carol.password != "s3cret horse"


def test_password_is_not_filterable_searchable_or_sortable(admin_client: Any, staff: Any) -> None:
    for query in ("password=x", "password__like=%25", "ordering=password"):
        text = admin_client.get(f"/admin/user/?{query}").get_data(as_text=True)
        assert "fp-errors" in text, query
    filters = admin_client.get("/admin/user/").get_data(as_text=True)
    assert 'value="password"' not in filters
    export = admin_client.get("/admin/user/export/").get_data(as_text=True)
    assert 'value="password"' not in export
