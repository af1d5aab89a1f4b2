"""The admin sends the object signals after its transaction commits (add, edit, delete, bulk delete),
``user_created`` and ``password_changed`` for the user model, and nothing for a write rolled back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import (
    object_changed,
    object_created,
    object_deleted,
    password_changed,
    user_created,
)
from flask_peewee.db import Database
from flask_peewee.db.testing import table_moved_away

from .conftest import NoteAdmin
from .test_admin_users import _user_form


@contextlib.contextmanager
def subscribed(signal: Any, db: Database) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """Record each send of ``signal`` with whether a transaction was still open when it came."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        kwargs["_in_transaction"] = db.database.in_transaction()
        calls.append((sender, kwargs))

    signal.connect(receiver)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


@pytest.fixture
def notes(app: Flask, db: Database, models: Any, admin: Any) -> list[Any]:
    with app.app_context():
        made = [models.Note.create(message=m) for m in ("one", "two", "three")]
    db.database.close()
    return made


def test_add_edit_delete_and_bulk_delete(
    app: Flask, db: Database, models: Any, superuser: Any, admin_client: Any, notes: Any, csrf: Any, version: Any
) -> None:
    with subscribed(object_created, db) as created:
        token = csrf(admin_client, "/admin/note/add/")
        assert admin_client.post("/admin/note/add/", data={"csrf_token": token, "message": "new"}).status_code == 302
    [(sender, kwargs)] = created
    assert sender is app
    assert (kwargs["model"], kwargs["source"], kwargs["user"], kwargs["object"].message) == (
        models.Note,
        "admin",
        superuser,
        "new",
    )
    assert kwargs["entry"].action == "add"
    assert kwargs["entry"].object_pk == str(kwargs["object"].id)
    assert kwargs["_in_transaction"] is False

    url = f"/admin/note/{notes[0].id}/"
    with subscribed(object_changed, db) as changed:
        token, opened = version(admin_client, url)
        response = admin_client.post(url, data={"csrf_token": token, "_fp_version": opened, "message": "edited"})
        assert response.status_code == 302
    [(sender, kwargs)] = changed
    assert (sender, kwargs["object"].message, kwargs["entry"].action, kwargs["_in_transaction"]) == (
        app,
        "edited",
        "change",
        False,
    )

    with subscribed(object_deleted, db) as deleted:
        token = csrf(admin_client, "/admin/note/")
        ids = [str(notes[1].id), str(notes[2].id)]
        assert admin_client.post("/admin/note/delete/", data={"csrf_token": token, "id": ids}).status_code == 302
    assert [(s, k["object"].id, k["model"], k["source"], k["user"], k["entry"]) for s, k in deleted] == [
        (app, notes[1].id, models.Note, "admin", superuser, None),
        (app, notes[2].id, models.Note, "admin", superuser, None),
    ]
    assert not any(k["_in_transaction"] for _, k in deleted)


def test_nothing_is_sent_for_a_write_rolled_back(
    app: Flask,
    db: Database,
    auth: Any,
    models: Any,
    admin_client: Any,
    notes: Any,
    csrf: Any,
    version: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    url = f"/admin/note/{notes[0].id}/"
    with (
        subscribed(object_created, db) as created,
        subscribed(object_changed, db) as changed,
        subscribed(object_deleted, db) as deleted,
    ):
        token, opened = version(admin_client, url)
        add_token = csrf(admin_client, "/admin/note/add/")
        with table_moved_away(db, auth.AuditEntry._meta.table_name):  # the audit entry fails: all rolled back
            edit = admin_client.post(url, data={"csrf_token": token, "_fp_version": opened, "message": "edited"})
            add = admin_client.post("/admin/note/add/", data={"csrf_token": add_token, "message": "new"})
            gone = admin_client.post("/admin/note/delete/", data={"csrf_token": token, "id": [str(notes[1].id)]})
        assert {edit.status_code, add.status_code, gone.status_code} <= {500, 503}

        def refused(self: Any, instance: Any, form: Any, adding: bool = False) -> Any:
            peewee.Model.save(instance, force_insert=adding)  # written, then refused by "the database"
            raise peewee.IntegrityError("refused")

        monkeypatch.setattr(NoteAdmin, "save_model", refused)
        token, opened = version(admin_client, url)
        response = admin_client.post(url, data={"csrf_token": token, "_fp_version": opened, "message": "edited"})
        assert response.status_code == 200
    assert (created, changed, deleted) == ([], [], [])
    with app.app_context():
        assert [n.message for n in models.Note.select().order_by(models.Note.id)] == ["one", "two", "three"]


def test_the_user_model_sends_user_created_and_password_changed(
    app: Flask, db: Database, models: Any, admin_client: Any, staff: Any, csrf: Any, version: Any
) -> None:
    url = f"/admin/user/{staff.id}/"
    with subscribed(user_created, db) as created, subscribed(password_changed, db) as changed:
        token, current = version(admin_client, url)
        assert admin_client.post(url, data=_user_form(token, current, staff, "")).status_code == 302  # kept
        assert changed == []
        token, current = version(admin_client, url)
        assert admin_client.post(url, data=_user_form(token, current, staff, "brand new")).status_code == 302
        assert created == []
        data = {
            "csrf_token": csrf(admin_client, "/admin/user/add/"),
            "username": "carol",
            "email": "c@example.com",
            "password": "s3cret horse",
            "active": "y",
            "join_date-date": "2024-01-01",
            "join_date-time": "00:00",
        }
        assert admin_client.post("/admin/user/add/", data=data).status_code == 302
    [(sender, kwargs)] = changed
    assert (sender, kwargs["user"].id, kwargs["source"], kwargs["_in_transaction"]) == (app, staff.id, "admin", False)
    with app.app_context():
        assert kwargs["user"].check_password("brand new")
    [(sender, kwargs)] = created
    assert (sender, kwargs["user"].username, kwargs["source"], kwargs["_in_transaction"]) == (
        app,
        "carol",
        "admin",
        False,
    )
