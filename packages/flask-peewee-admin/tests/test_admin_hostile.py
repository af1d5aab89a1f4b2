"""Issue 15's admin items: huge pages, NUL characters, permission leaks through related fields and panels,
constraint violations in words."""

from __future__ import annotations

import json
from typing import Any

import peewee
import pytest
from flask import Flask, request

from flask_peewee.admin import Admin, AdminPanel, ModelAdmin
from flask_peewee.auth.testing import log_in
from tests.conftest import csrf_of, make_user

HUGE = "9" * 30


class MessageAdmin(ModelAdmin):
    columns = ("content", "user")
    foreign_key_lookups = {"user": "username"}
    search_fields = ("content", "user__username", "user__email")


@pytest.fixture
def site(app: Flask, db: Any, auth: Any, models: Any) -> Any:
    class Tag(db.Model):
        name = peewee.CharField(unique=True, max_length=20)

    class NotePanel(AdminPanel):
        def get_urls(self) -> Any:
            return (("/create/", self.create),)

        def create(self) -> Any:
            models.Note.create(message=request.form["message"])
            return "created"

    admin = Admin(app, auth)
    admin.register(models.Message, MessageAdmin)
    admin.register(models.Note)
    admin.register(Tag)
    auth.register_admin(admin)
    admin.register_panel("Notes", NotePanel)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    clerk = make_user(app, auth, "clerk")
    with app.app_context():
        for action in ("view", "export"):
            auth.grant_permission(clerk, models.Message, action)
        models.Message.create(user=boss, content="hello")
        Tag.create(name="taken")
    db.database.close()
    boss_client = app.test_client()
    log_in(boss_client, boss)
    clerk_client = app.test_client()
    log_in(clerk_client, clerk)
    return boss_client, clerk_client, Tag


def test_unbounded_page_is_never_a_500(site: Any) -> None:
    boss, _clerk, _tag = site
    for url in (
        f"/admin/message/?page={HUGE}",
        f"/admin/message/?page=-{HUGE}",
        f"/admin/message/lookup/?field=user&page={HUGE}",
        f"/admin/audit-log/?page={HUGE}",
        f"/admin/user/?page={HUGE}&ordering=-username",
    ):
        response = boss.get(url)
        assert response.status_code in (200, 404), url
    lookup = boss.get(f"/admin/message/lookup/?field=user&page={HUGE}").get_json()
    assert lookup["objects"] == []


def test_nul_in_admin_text_fields_is_a_field_error(site: Any, app: Flask, models: Any) -> None:
    boss, _clerk, _tag = site
    token = csrf_of(boss, "/admin/note/add/")
    response = boss.post("/admin/note/add/", data={"csrf_token": token, "message": "bad\x00note"})
    assert response.status_code == 200
    assert "may not contain NUL characters" in response.get_data(as_text=True)
    token = csrf_of(boss, "/admin/message/1/")
    version = boss.get("/admin/message/1/").get_data(as_text=True).split('name="_fp_version" value="')[1].split('"')[0]
    response = boss.post(
        "/admin/message/1/",
        data={
            "csrf_token": token,
            "_fp_version": version,
            "user": "1",
            "content": "x\x00",
            "pub_date": "2024-01-01 10:00:00",
        },
    )
    assert response.status_code == 200
    assert "may not contain NUL characters" in response.get_data(as_text=True)
    with app.app_context():
        assert models.Message.get_by_id(1).content == "hello"
        assert models.Note.select().count() == 0


def test_nul_in_panel_posts_and_filters_is_refused(site: Any, app: Flask, models: Any) -> None:
    boss, _clerk, _tag = site
    response = boss.post("/admin/notes/create/", data={"message": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    for url in (
        "/admin/audit-log/?user=a%00b",
        "/admin/audit-log/?pk=1%00",
        "/admin/audit-log/?model=note%00",
        "/admin/message/?content=a%00",
        "/admin/message/?q=a%00",
        "/admin/message/lookup/?field=user&query=a%00",
    ):
        assert boss.get(url).status_code == 200, url
    with app.app_context():
        assert models.Note.select().count() == 0


def test_related_fields_need_view_permission_on_the_related_model(site: Any) -> None:
    _boss, clerk, _tag = site
    assert clerk.get("/admin/message/").status_code == 200
    export = clerk.get("/admin/message/export/?_format=json&_fields=content&_fields=user__email&_fields=user__admin")
    rows = json.loads(export.get_data(as_text=True))
    assert rows == [{"content": "hello"}]
    assert 'value="user__email"' not in clerk.get("/admin/message/export/").get_data(as_text=True)
    listing = clerk.get("/admin/message/?user__email=boss%40example.com").get_data(as_text=True)
    assert "hello" not in listing
    assert "may not filter" in listing
    assert 'value="user__username"' not in listing  # not offered in the filter form
    assert "hello" in clerk.get("/admin/message/?user=1").get_data(as_text=True)  # the key itself is the row's own
    searched = clerk.get("/admin/message/?q=example.com").get_data(as_text=True)
    assert "hello" not in searched  # search skips user__email
    assert ">boss<" not in listing  # the user column shows the key, not the user's name
    assert "Cannot order by" in clerk.get("/admin/message/?ordering=user__email").get_data(as_text=True)
    assert clerk.get("/admin/message/export/?_format=csv&ordering=user__email").status_code == 400
    assert clerk.get("/admin/message/export/?_format=csv&ordering=-content").status_code == 200


def test_panels_need_a_permission_of_their_own(site: Any, app: Flask, models: Any) -> None:
    boss, clerk, _tag = site
    assert clerk.post("/admin/notes/create/", data={"message": "sneaky"}).status_code == 403
    assert "Notes</h2>" not in clerk.get("/admin/").get_data(as_text=True)
    assert boss.post("/admin/notes/create/", data={"message": "fine"}).status_code == 200
    assert "Notes</h2>" in boss.get("/admin/").get_data(as_text=True)
    with app.app_context():
        assert [n.message for n in models.Note.select()] == ["fine"]


def test_constraint_violation_names_the_field_in_words(site: Any) -> None:
    boss, _clerk, _tag = site
    token = csrf_of(boss, "/admin/tag/add/")
    response = boss.post("/admin/tag/add/", data={"csrf_token": token, "name": "taken"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A tag with this name already exists." in text
    for driver_text in ("UNIQUE constraint", "duplicate key", "Duplicate entry", "IntegrityError"):
        assert driver_text not in text
