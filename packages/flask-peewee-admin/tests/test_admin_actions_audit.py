"""Bulk actions, per-model permissions through the auth policy, the audit log and history pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, AdminAction, ModelAdmin, admin_action
from flask_peewee.auth.testing import log_in


class Upper(AdminAction):
    name = "upper"
    label = "Upper-case selected"

    def run(self, model_admin: Any, objects: list[Any]) -> str:
        for note in objects:
            note.message = note.message.upper()
            note.save()
        return f"{len(objects)} shouted"


class ActionNoteAdmin(ModelAdmin):
    columns = ("message",)
    actions = (Upper, "mark")

    @admin_action("Mark selected", confirm=False)
    def mark(self, objects: list[Any]) -> None:
        for note in objects:
            note.message = f"* {note.message}"
            note.save()


@pytest.fixture
def notes_app(app: Flask, db: Any, auth: Any, models: Any) -> Any:
    admin = Admin(app, auth)
    admin.register(models.Note, ActionNoteAdmin)
    admin.register(models.Message)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        helper = auth.User.create(username="helper", email="", admin=False, active=True, password="x")
        notes = [models.Note.create(message=m) for m in ("one", "two", "three")]
    db.database.close()
    return admin, boss, helper, notes


def _token(client: Any, url: str = "/admin/note/") -> str:
    import re

    text = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]


def test_bulk_delete_confirms_then_deletes(app: Flask, notes_app: Any, models: Any) -> None:
    _admin, boss, _helper, notes = notes_app
    client = app.test_client()
    log_in(client, boss)
    token = _token(client)
    ids = [str(notes[0].id), str(notes[2].id)]
    response = client.post("/admin/note/action/", data={"csrf_token": token, "action": "delete", "id": ids})
    assert response.status_code == 302
    confirm = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Delete 2 notes?" in confirm
    response = client.post("/admin/note/delete/", data={"csrf_token": token, "id": ids})
    assert response.status_code == 302
    with app.app_context():
        assert [n.message for n in models.Note.select()] == ["two"]
    assert "Deleted 2 notes." in client.get("/admin/note/").get_data(as_text=True)


def test_custom_actions_class_and_method(app: Flask, notes_app: Any, models: Any) -> None:
    _admin, boss, _helper, notes = notes_app
    client = app.test_client()
    log_in(client, boss)
    listing = client.get("/admin/note/").get_data(as_text=True)
    assert '<option value="upper">Upper-case selected</option>' in listing
    token = _token(client)
    data = {"csrf_token": token, "action": "upper", "id": [str(notes[0].id)]}
    confirm = client.post("/admin/note/action/", data=data)
    assert confirm.status_code == 200
    assert "Upper-case selected: 1 note?" in confirm.get_data(as_text=True)
    done = client.post("/admin/note/action/", data={**data, "_confirm": "1"})
    assert done.status_code == 302
    assert "1 shouted" in client.get("/admin/note/").get_data(as_text=True)
    marked = client.post("/admin/note/action/", data={"csrf_token": token, "action": "mark", "id": [str(notes[1].id)]})
    assert marked.status_code == 302
    with app.app_context():
        assert [n.message for n in models.Note.select().order_by(models.Note.id)] == ["ONE", "* two", "three"]
    assert client.post("/admin/note/action/", data={"action": "upper", "id": ["1"]}).status_code == 400


def test_permissions_from_the_auth_policy(app: Flask, notes_app: Any, auth: Any, models: Any) -> None:
    _admin, _boss, helper, notes = notes_app
    client = app.test_client()
    log_in(client, helper)
    assert client.get("/admin/").status_code == 403
    with app.app_context():
        auth.grant_permission(helper, models.Note, "view")
        auth.grant_permission(helper, models.Note, "change")
    auth.db.database.close()
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/note/"' in dashboard
    assert 'href="/admin/message/"' not in dashboard
    assert 'href="/admin/note/add/"' not in dashboard
    listing = client.get("/admin/note/").get_data(as_text=True)
    assert "Export" not in listing
    assert '<option value="delete"' not in listing
    assert '<option value="upper"' in listing
    assert client.get("/admin/message/").status_code == 403
    assert client.get("/admin/note/add/").status_code == 403
    assert client.get("/admin/note/export/?_format=csv").status_code == 403
    assert client.get(f"/admin/note/delete/?id={notes[0].id}").status_code == 403
    token = _token(client)
    url = f"/admin/note/{notes[0].id}/"
    form = client.get(url).get_data(as_text=True)
    assert "fp-btn-danger" not in form
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "message": "edited by helper",
            "created-date": "2024-01-01",
            "created-time": "00:00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        auth.revoke_permission(helper, models.Note, "change")
    auth.db.database.close()
    assert client.post(url, data={"csrf_token": token, "message": "again"}).status_code == 403
    assert "<fieldset disabled>" in client.get(url).get_data(as_text=True)


def test_writes_are_audited_and_history_is_shown(app: Flask, notes_app: Any, auth: Any, models: Any) -> None:
    _admin, boss, _helper, notes = notes_app
    client = app.test_client()
    log_in(client, boss)
    token = _token(client, "/admin/note/add/")
    client.post(
        "/admin/note/add/",
        data={"csrf_token": token, "message": "audited", "created-date": "2024-02-02", "created-time": "08:00"},
    )
    with app.app_context():
        note = models.Note.get(models.Note.message == "audited")
    url = f"/admin/note/{note.id}/"
    import re

    version = re.search(r'name="_fp_version" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post(
        url,
        data={
            "csrf_token": token,
            "_fp_version": version,
            "message": "audited <twice>",
            "created-date": "2024-02-02",
            "created-time": "08:00",
        },
    )
    client.post("/admin/note/delete/", data={"csrf_token": token, "id": [str(notes[0].id)]})
    with app.app_context():
        entries = list(auth.audit.query(model=models.Note))
        assert [e.action for e in entries] == ["delete", "change", "add"]
        assert all(e.source == "admin" and e.username == "boss" for e in entries)
        assert entries[1].get_changes() == {"message": ["audited", "audited <twice>"]}
    history = client.get(f"{url}history/").get_data(as_text=True)
    assert "audited &rarr; audited &lt;twice&gt;" in history
    assert ">boss" in history
    log = client.get("/admin/audit-log/?model=note&action=delete").get_data(as_text=True)
    assert f"note #{notes[0].id}" in log
    assert "audited &lt;twice&gt;" not in log


def test_failed_write_records_nothing(app: Flask, notes_app: Any, auth: Any, models: Any) -> None:
    _admin, boss, _helper, _notes = notes_app
    client = app.test_client()
    log_in(client, boss)
    token = _token(client, "/admin/note/add/")
    response = client.post("/admin/note/add/", data={"csrf_token": token, "message": ""})
    assert response.status_code == 200
    with app.app_context():
        assert auth.audit.query(model=models.Note).count() == 0


def test_audit_log_is_for_full_admins_only(app: Flask, notes_app: Any, auth: Any, models: Any) -> None:
    _admin, _boss, helper, _notes = notes_app
    with app.app_context():
        auth.grant_permission(helper, models.Note, "view")
    auth.db.database.close()
    client = app.test_client()
    log_in(client, helper)
    assert client.get("/admin/audit-log/").status_code == 403
