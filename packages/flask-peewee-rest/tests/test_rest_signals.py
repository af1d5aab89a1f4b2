"""The REST API sends ``object_created``, ``object_changed`` and ``object_deleted`` after its write commits.

Never for a refused or rolled-back write. On the three backends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth, object_changed, object_created, object_deleted
from flask_peewee.db import Database
from flask_peewee.rest import ApiError, RestAPI, RestResource, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


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
def api(app: Flask, db: Database, auth: Auth, models: Any, users: Any) -> Any:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    class State:
        fail: bool = False

    class NoteResource(RestResource):
        def save_object(self, instance: peewee.Model, raw_data: Any) -> peewee.Model:
            instance = super().save_object(instance, raw_data)  # the row is written, then refused
            if State.fail:
                raise ApiError(422, "Refused late")
            return instance

    rest = RestAPI(app, default_auth=UserAuthentication(auth))
    rest.register(models.Note, NoteResource)
    rest.state = State
    return rest


def test_create_change_delete_send_after_the_commit(
    app: Flask, client: Any, db: Database, auth: Auth, models: Any, users: Any, api: Any
) -> None:
    with subscribed(object_created, db) as created:
        response = client.post("/api/note/", json={"message": "hello"}, headers=ADMIN)
    assert response.status_code == 200
    [(sender, kwargs)] = created
    assert sender is app
    note = kwargs["object"]
    assert (kwargs["model"], kwargs["source"], kwargs["user"], note.message) == (
        models.Note,
        "rest",
        users.admin,
        "hello",
    )
    assert kwargs["entry"].action == "add"
    assert kwargs["entry"].object_pk == str(note.id)
    assert kwargs["_in_transaction"] is False

    with subscribed(object_changed, db) as changed:
        assert client.put(f"/api/note/{note.id}/", json={"message": "bye"}, headers=ADMIN).status_code == 200
    [(sender, kwargs)] = changed
    assert (sender, kwargs["object"].message, kwargs["entry"].action, kwargs["_in_transaction"]) == (
        app,
        "bye",
        "change",
        False,
    )

    with subscribed(object_deleted, db) as deleted:
        assert client.delete(f"/api/note/{note.id}/", headers=ADMIN).status_code == 200
        assert client.delete(f"/api/note/{note.id}/", headers=ADMIN).status_code == 404  # gone: nothing sent
    [(sender, kwargs)] = deleted
    assert (sender, kwargs["object"].id, kwargs["model"], kwargs["source"]) == (app, note.id, models.Note, "rest")
    assert kwargs["user"] == users.admin
    assert kwargs["_in_transaction"] is False


def test_nothing_is_sent_for_a_rolled_back_write(client: Any, db: Database, models: Any, api: Any) -> None:
    note = models.Note.create(message="kept")
    db.database.close()
    api.state.fail = True
    with subscribed(object_created, db) as created, subscribed(object_changed, db) as changed:
        assert client.post("/api/note/", json={"message": "x"}, headers=ADMIN).status_code == 422
        assert client.put(f"/api/note/{note.id}/", json={"message": "y"}, headers=ADMIN).status_code == 422
        assert client.post("/api/note/", json={"message": "x"}).status_code == 401  # refused before any write
    assert (created, changed) == ([], [])
    assert [n.message for n in models.Note.select()] == ["kept"]


def test_a_receiver_connected_for_another_app_hears_nothing(client: Any, db: Database, api: Any) -> None:
    calls: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append(kwargs)

    object_created.connect(receiver, Flask("other"))
    try:
        assert client.post("/api/note/", json={"message": "hello"}, headers=ADMIN).status_code == 200
    finally:
        object_created.disconnect(receiver)
    assert calls == []
