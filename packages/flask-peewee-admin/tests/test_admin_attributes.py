"""The original ModelAdmin's class attributes, each set on a subclass: its effect, or a loud refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, Response
from jinja2 import ChoiceLoader, DictLoader

from flask_peewee.admin import Action, Admin, AdminModelConverter, Export, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.db import ImproperlyConfigured
from tests.conftest import csrf_of, make_user

Build = Callable[..., Any]


@pytest.fixture
def build(app: Flask, db: Any, auth: Any, models: Any) -> Build:
    """``build(message_admin, user_admin=None)``: the admin with those classes, a superuser logged in, rows."""

    def make(message_admin: type[ModelAdmin], user_admin: type[ModelAdmin] | None = None) -> Any:
        admin = Admin(app, auth)
        admin.register(models.Message, message_admin)
        admin.register(models.Note)
        auth.register_admin(admin, user_admin) if user_admin else auth.register_admin(admin)
        admin.setup()
        db.create_tables()
        boss = make_user(app, auth, "boss", admin=True)
        with app.app_context():
            for i in range(5):
                models.Message.create(user=boss, content=f"message {i}")
        db.database.close()
        client = app.test_client()
        log_in(client, boss)
        return client

    return make


def test_export_fields_and_export_exclude(build: Build) -> None:
    class MessageAdmin(ModelAdmin):
        export_fields = ("id", "user", "content")
        export_exclude = ("id",)

    class UserAdmin(ModelAdmin):
        export_exclude = ("email", "admin")

    client = build(MessageAdmin, UserAdmin)
    form = client.get("/admin/message/export/").get_data(as_text=True)
    assert 'value="content"' in form
    assert 'value="pub_date"' not in form
    assert 'value="user__username"' in form
    assert 'value="user__email"' not in form
    url = "/admin/message/export/?_format=json&_fields=content&_fields=pub_date&_fields=user__email&_fields=user__admin"
    data = json.loads(client.get(url).get_data(as_text=True))
    assert data[0] == {"content": "message 0"}  # the private columns never leave
    default = json.loads(client.get("/admin/message/export/?_format=json").get_data(as_text=True))
    assert set(default[0]) == {"user", "content"}
    users = client.get("/admin/user/export/?_format=csv&_fields=email&_fields=username").get_data(as_text=True)
    assert users.splitlines()[0] == "username"


def test_export_class_of_the_original(app: Flask, build: Build, models: Any, auth: Any) -> None:
    build(ModelAdmin)
    with app.test_request_context():
        related = {(auth.User, "user"): [auth.User.username, auth.User.password]}
        export = Export(
            models.Message.select().order_by(models.Message.id),
            related,
            ["content", "user", "user__username", "user__password"],
        )
        _query, selected = export.prepare_query()
        assert [f.name for f in selected] == ["content", "user", "username"]
        response = export.json_response("messages.json")
        assert 'filename="messages.json"' in response.headers["Content-Disposition"]
        rows = json.loads("".join(response.response))
        # the original's shape: a chosen foreign key holds the chosen fields of its row
        assert rows[0] == {"content": "message 0", "user": {"username": "boss"}}
        alone = Export(models.Message.select().order_by(models.Message.id), related, ["content", "user__username"])
        rows = json.loads("".join(alone.json_response().response))
    assert rows[0] == {"content": "message 0"}  # a related lookup without its foreign key is left out


def test_base_templates_and_paginate_by(app: Flask, build: Build) -> None:
    app.jinja_loader = ChoiceLoader(
        [DictLoader({"custom/list.html": "custom list of {{ pagination.get_list()|length }}"}), app.jinja_loader]
    )

    class MessageAdmin(ModelAdmin):
        base_templates = {"index": "custom/list.html"}
        paginate_by = 2

    client = build(MessageAdmin)
    assert client.get("/admin/message/").get_data(as_text=True) == "custom list of 2"
    assert "Add message" in client.get("/admin/message/add/").get_data(as_text=True)  # others stay


def test_filter_paginate_by_foreign_key_lookups_and_columns(build: Build) -> None:
    class MessageAdmin(ModelAdmin):
        columns = ("content", "user")
        foreign_key_lookups = {"user": "username"}
        filter_paginate_by = 1

    client = build(MessageAdmin)
    listing = client.get("/admin/message/").get_data(as_text=True)
    assert ">Content</a>" in listing
    assert ">User</a>" in listing
    assert "Pub Date</th>" not in listing
    assert "Pub Date</a>" not in listing
    form = client.get("/admin/message/add/").get_data(as_text=True)
    assert 'data-lookup-field="user"' in form
    found = client.get("/admin/message/lookup/?field=user").get_json()
    assert found["objects"] == [{"id": 1, "label": "boss"}]
    assert found["pages"] == 1


def test_fields_exclude_filter_fields_filter_exclude_search_fields(build: Build) -> None:
    class MessageAdmin(ModelAdmin):
        fields = ("user", "content", "pub_date")
        exclude = ("pub_date",)
        filter_fields = ("content", "user", "user__username", "user__email")
        filter_exclude = ("user__email",)
        search_fields = ("content",)

    client = build(MessageAdmin)
    form = client.get("/admin/message/add/").get_data(as_text=True)
    assert 'name="content"' in form
    assert 'name="pub_date"' not in form
    listing = client.get("/admin/message/").get_data(as_text=True)
    assert 'value="user__username"' in listing
    assert 'value="user__email"' not in listing
    assert 'value="pub_date"' not in listing
    refused = client.get("/admin/message/?user__email=x").get_data(as_text=True)
    assert "no such field may be used" in refused
    assert "message 3" in client.get("/admin/message/?q=3").get_data(as_text=True)
    assert "message 2" not in client.get("/admin/message/?q=3").get_data(as_text=True)


def test_original_actions_run_their_callback(app: Flask, build: Build, models: Any) -> None:
    seen: list[Any] = []

    class ShoutAction(Action):
        def callback(self, id_list: list[Any]) -> Any:
            seen.extend(id_list)
            models.Message.update(content=models.Message.content.concat("!")).where(
                models.Message.id << id_list
            ).execute()

    class DownloadAction(Action):
        def callback(self, id_list: list[Any]) -> Any:
            return Response(",".join(str(i) for i in id_list), mimetype="text/plain")

    class MessageAdmin(ModelAdmin):
        actions = (ShoutAction(), DownloadAction("download", "Download ids"))

    client = build(MessageAdmin)
    listing = client.get("/admin/message/").get_data(as_text=True)
    assert ">Shout</option>" in listing
    assert ">Download ids</option>" in listing
    token = csrf_of(client, "/admin/message/")
    done = client.post("/admin/message/action/", data={"csrf_token": token, "action": "Shout", "id": ["1", "2", "999"]})
    assert done.status_code == 302
    assert seen == [1, 2]  # only rows of get_query(), as keys
    assert "message 1!" in client.get("/admin/message/").get_data(as_text=True)
    download = client.post("/admin/message/action/", data={"csrf_token": token, "action": "download", "id": ["3"]})
    assert download.get_data(as_text=True) == "3"


def test_delete_collect_objects_and_delete_recursive(build: Build, app: Flask, auth: Any, models: Any) -> None:
    class UserAdmin(ModelAdmin):
        delete_collect_objects = False
        delete_recursive = False

    client = build(ModelAdmin, UserAdmin)
    with app.app_context():
        boss_id = auth.User.get(auth.User.username == "boss").id
    page = client.get(f"/admin/user/delete/?id={boss_id}").get_data(as_text=True)
    assert "Message (deleted)" not in page
    token = csrf_of(client, f"/admin/user/delete/?id={boss_id}")
    response = client.post("/admin/user/delete/", data={"csrf_token": token, "id": [str(boss_id)]})
    assert response.status_code in (200, 302)  # refused where foreign keys are enforced
    if response.status_code == 200:
        assert "still referenced" in response.get_data(as_text=True)
    with app.app_context():
        assert models.Message.select().count() == 5  # not deleted with the user: not recursive


def test_form_converter_is_used_and_must_keep_the_admin_rules(build: Build) -> None:
    calls: list[Any] = []

    class CountingConverter(AdminModelConverter):
        def __init__(self, model_admin: Any, additional: Any = None) -> None:
            super().__init__(model_admin, additional)
            calls.append(model_admin)

    class MessageAdmin(ModelAdmin):
        form_converter = CountingConverter

    client = build(MessageAdmin)
    assert client.get("/admin/message/add/").status_code == 200
    assert len(calls) == 1
    with pytest.raises(ImproperlyConfigured, match="AdminModelConverter"):
        type("Bad", (ModelAdmin,), {"form_converter": object})


def test_filter_converter_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="filter_mapping"):

        class MessageAdmin(ModelAdmin):
            filter_converter = object


def test_original_shortcuts_pk_db_and_panel_arguments(app: Flask, db: Any, auth: Any, models: Any) -> None:
    from flask_peewee.admin import AdminPanel

    class MessageAdmin(ModelAdmin):
        def get_object(self, pk: Any) -> Any:
            return self.get_query().where(self.pk == pk).get()  # as the original's overrides wrote it

    class LimitPanel(AdminPanel):
        def __init__(self, admin: Any, title: str, limit: int) -> None:
            super().__init__(admin, title)
            self.limit = limit

    admin = Admin(app, auth)
    model_admin = admin.register(models.Message, MessageAdmin)
    panel = admin.register_panel("Latest", LimitPanel, 5)
    admin.setup()
    db.create_tables()
    assert model_admin.db is models.Message._meta.database
    assert model_admin.pk is models.Message.id
    assert panel.limit == 5
    boss = make_user(app, auth, "boss", admin=True)
    with app.app_context():
        models.Message.create(user=boss, content="found by self.pk")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    assert "found by self.pk" in client.get("/admin/message/1/").get_data(as_text=True)
    assert client.get("/admin/message/2/").status_code == 404


def test_bulk_actions_posted_to_the_list_as_the_original_did(build: Build, app: Flask, models: Any) -> None:
    class ShoutAction(Action):
        def callback(self, id_list: list[Any]) -> Any:
            models.Message.update(content="shouted").where(models.Message.id << id_list).execute()

    class MessageAdmin(ModelAdmin):
        actions = [ShoutAction()]

    client = build(MessageAdmin)
    token = csrf_of(client, "/admin/message/")
    done = client.post("/admin/message/", data={"csrf_token": token, "action": "Shout", "id": ["2"]})
    assert done.status_code == 302
    refused = client.post("/admin/message/", data={"action": "Shout", "id": ["3"]})  # no token: refused
    assert refused.status_code == 400
    with app.app_context():
        assert [m.content for m in models.Message.select().where(models.Message.content == "shouted")] == ["shouted"]


def test_original_read_only_names_resolve(app: Flask, admin: Admin, auth: Any, superuser: Any, models: Any) -> None:
    """``get_exportable_lookups`` (overriding it is refused), ``FilterForm.resolve_form_field``, ``current_dir``."""
    import os

    from flask import g

    import flask_peewee.admin
    import flask_peewee.auth
    from flask_peewee.filters import FilterForm, FilterMapping, FilterModelConverter

    assert os.path.isdir(os.path.join(flask_peewee.admin.current_dir, "templates"))
    assert os.path.isdir(os.path.join(flask_peewee.auth.current_dir, "templates"))
    with app.test_request_context("/admin/message/export/"):
        g.user = superuser
        lookups = admin[models.Message].get_exportable_lookups()
    assert {"content", "pub_date", "user"} <= lookups
    assert "user__password" not in lookups
    with pytest.raises(ImproperlyConfigured, match="get_exportable_lookups"):
        type("Sneaky", (ModelAdmin,), {"get_exportable_lookups": lambda self, related: {"user__password"}})
    filters = FilterForm(models.Message, FilterModelConverter(), FilterMapping())
    with app.test_request_context("/?fr_user-fo_username=eq"):
        form_class = filters.get_form(filters.get_field_dict())
        form = form_class()
        assert filters.resolve_form_field(form, "fr_user-fo_username") is form["fr_user"].form["fo_username"]
