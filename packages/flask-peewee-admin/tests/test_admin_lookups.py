"""Foreign keys: the lookup endpoint (field, query, page) and the switch from a select to the dialog above 50 rows."""

from __future__ import annotations

from typing import Any

from flask import Flask

from flask_peewee.admin import Admin


def _users(app: Flask, admin: Admin, models: Any, count: int) -> None:
    with app.app_context():
        models.User.insert_many(
            [
                {"username": f"user{i:03d}", "email": "", "password": "x", "active": True, "admin": False}
                for i in range(count)
            ]
        ).execute()
    admin.auth.db.database.close()


def test_lookup_pages_and_type_ahead(admin_client: Any, app: Flask, admin: Admin, models: Any, superuser: Any) -> None:
    _users(app, admin, models, 40)
    data = admin_client.get("/admin/message/lookup/?field=user").get_json()
    assert data["page"] == 1
    assert data["pages"] == 3  # 41 users, 15 a page
    assert data["has_next"] is True
    assert data["objects"][0] == {"id": superuser.id, "label": "admin"}
    assert len(data["objects"]) == 15
    data = admin_client.get("/admin/message/lookup/?field=user&query=USER03&page=1").get_json()
    assert [o["label"] for o in data["objects"]] == [f"user{i:03d}" for i in range(30, 40)]
    data = admin_client.get("/admin/message/lookup/?field=user&page=3").get_json()
    assert len(data["objects"]) == 11
    assert data["has_next"] is False


def test_lookup_refuses_unknown_fields(admin_client: Any, admin: Admin) -> None:
    assert admin_client.get("/admin/message/lookup/?field=content").status_code == 400
    assert admin_client.get("/admin/message/lookup/?field=nope").status_code == 400
    assert admin_client.get("/admin/message/lookup/").status_code == 400


def test_configured_lookup_replaces_the_select(admin_client: Any, superuser: Any) -> None:
    form = admin_client.get("/admin/message/add/").get_data(as_text=True)
    assert 'data-lookup-url="/admin/message/lookup/"' in form
    assert '<select id="user"' not in form


def test_select_switches_to_lookup_above_fifty_rows(
    admin_client: Any, app: Flask, admin: Admin, models: Any, superuser: Any
) -> None:
    _users(app, admin, models, 49)  # 50 users with the superuser
    form = admin_client.get("/admin/note/add/").get_data(as_text=True)
    assert '<select class="fp-input" id="user" name="user"' in form
    assert form.count("<option") >= 51
    with app.app_context():
        models.User.create(username="one more", email="", password="x", active=True, admin=False)
    admin.auth.db.database.close()
    form = admin_client.get("/admin/note/add/").get_data(as_text=True)
    assert 'data-lookup-field="user"' in form
    assert "one more" not in form


def test_lookup_field_saves_and_validates(admin_client: Any, app: Flask, models: Any, staff: Any, csrf: Any) -> None:
    token = csrf(admin_client, "/admin/message/add/")
    data = {
        "csrf_token": token,
        "content": "hi",
        "user": str(staff.id),
        "pub_date-date": "2024-01-01",
        "pub_date-time": "10:00",
    }
    assert admin_client.post("/admin/message/add/", data=data).status_code == 302
    with app.app_context():
        assert models.Message.get().user_id == staff.id
    edit = admin_client.get(f"/admin/message/{models.Message.select().get().id}/").get_data(as_text=True)
    assert ">staff</button>" in edit  # the button shows the chosen row's label
