"""An admin write that fails in the middle leaves nothing behind: no row, no change, no audit entry.

The failure comes after part of the write was done: an exception in ``save_model`` after the
row was saved, the audit entry that cannot be written, a bulk action that fails on its last
object, a bulk delete whose audit entries cannot be written. On the three backends.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin, admin_action
from flask_peewee.auth.testing import log_in
from flask_peewee.db import Database
from flask_peewee.db.testing import table_moved_away

from .conftest import version_of

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Boom(Exception):
    pass


class FragileNoteAdmin(ModelAdmin):
    columns = ("message",)
    actions = ("stamp",)
    fail_after_save = False

    def save_model(self, instance: Any, form: Any, adding: bool = False) -> Any:
        instance = super().save_model(instance, form, adding)  # the row is written ...
        if type(self).fail_after_save:
            raise Boom("save_model failed after saving")  # ... and then the save fails
        return instance

    @admin_action("Stamp selected", confirm=False)
    def stamp(self, objects: list[Any]) -> None:
        for index, note in enumerate(objects):
            note.message = f"stamped {note.message}"
            note.save()
            if index == len(objects) - 1:
                raise Boom("the last one failed")


@pytest.fixture
def site(app: Flask, db: Database, auth: Any, models: Any) -> Any:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    FragileNoteAdmin.fail_after_save = False
    admin = Admin(app, auth)
    admin.register(models.Note, FragileNoteAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        for message in ("one", "two", "three"):
            models.Note.create(message=message)
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client


def _state(app: Flask, auth: Any, models: Any) -> tuple[list[str], int]:
    with app.app_context():
        return [n.message for n in models.Note.select().order_by(models.Note.id)], auth.AuditEntry.select().count()


def _token(client: Any, url: str) -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def test_save_model_failing_after_the_save_leaves_nothing(app: Flask, auth: Any, models: Any, site: Any) -> None:
    before = _state(app, auth, models)
    FragileNoteAdmin.fail_after_save = True
    token = _token(site, "/admin/note/add/")
    assert site.post("/admin/note/add/", data={"csrf_token": token, "message": "new"}).status_code == 500
    token, opened = version_of(site, "/admin/note/1/")
    response = site.post("/admin/note/1/", data={"csrf_token": token, "_fp_version": opened, "message": "edited"})
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert _state(app, auth, models) == before


def test_the_audit_entry_failing_rolls_the_save_back(
    app: Flask, db: Database, auth: Any, models: Any, site: Any
) -> None:
    before = _state(app, auth, models)
    token, opened = version_of(site, "/admin/note/1/")
    add_token = _token(site, "/admin/note/add/")
    with table_moved_away(db, auth.AuditEntry._meta.table_name):
        edit = site.post("/admin/note/1/", data={"csrf_token": token, "_fp_version": opened, "message": "edited"})
        add = site.post("/admin/note/add/", data={"csrf_token": add_token, "message": "new"})
    for response in (edit, add):
        # a table gone: an operational error on SQLite and MariaDB (503), a programming error on PostgreSQL
        assert response.status_code in (500, 503)
        assert "Traceback" not in response.get_data(as_text=True)
    assert _state(app, auth, models) == before


def test_a_bulk_action_failing_on_its_last_object_changes_none(app: Flask, auth: Any, models: Any, site: Any) -> None:
    before = _state(app, auth, models)
    token = _token(site, "/admin/note/")
    response = site.post("/admin/note/action/", data={"csrf_token": token, "action": "stamp", "id": ["1", "2", "3"]})
    assert response.status_code == 500
    assert _state(app, auth, models) == before


def test_a_bulk_delete_whose_audit_fails_deletes_nothing(
    app: Flask, db: Database, auth: Any, models: Any, site: Any
) -> None:
    before = _state(app, auth, models)
    token = _token(site, "/admin/note/")
    with table_moved_away(db, auth.AuditEntry._meta.table_name):
        response = site.post("/admin/note/delete/", data={"csrf_token": token, "id": ["1", "3"]})
        assert response.status_code in (500, 503)
    assert _state(app, auth, models) == before
    response = site.post("/admin/note/delete/", data={"csrf_token": token, "id": ["1", "3"]})
    assert response.status_code == 302
    assert _state(app, auth, models)[0] == ["two"]
