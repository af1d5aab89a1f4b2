"""An expired CSRF token: the form comes back with the user's input, a message and a fresh token."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, AdminAction

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STALE = "token-of-a-session-that-ended"


@pytest.fixture
def message(app: Flask, admin: Admin, models: Any, staff: Any) -> Any:
    with app.app_context():
        made = models.Message.create(user=staff, content="original", pub_date=datetime.datetime(2024, 1, 1, 12, 0))
    admin.auth.db.database.close()
    return made


def _fresh_token(text: str) -> str:
    tokens = set(TOKEN.findall(text))
    assert len(tokens) == 1
    (token,) = tokens
    assert token != STALE
    return token


def test_add_with_an_expired_token_shows_the_input_again(admin_client: Any, app: Flask, models: Any) -> None:
    data = {"message": "my long note <b>typed</b> before lunch", "created-date": "2024-05-06", "created-time": "07:08"}
    response = admin_client.post("/admin/note/add/", data={**data, "csrf_token": STALE})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was saved: this form had expired" in text
    assert "my long note &lt;b&gt;typed&lt;/b&gt; before lunch" in text  # the input, escaped
    assert 'value="2024-05-06"' in text
    with app.app_context():
        assert models.Note.select().count() == 0
    response = admin_client.post("/admin/note/add/", data={**data, "csrf_token": _fresh_token(text)})
    assert response.status_code == 302
    with app.app_context():
        assert models.Note.get().message == data["message"]


def test_edit_with_an_expired_token_keeps_input_and_optimistic_check(
    admin_client: Any, app: Flask, models: Any, message: Any, version: Any
) -> None:
    url = f"/admin/message/{message.id}/"
    _token, opened = version(admin_client, url)
    data = {
        "_fp_version": opened,
        "user": str(message.user_id),
        "content": "my edit",
        "pub_date-date": "2024-01-01",
        "pub_date-time": "12:00",
    }
    response = admin_client.post(url, data={**data, "csrf_token": STALE})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was saved: this form had expired" in text
    assert "my edit</textarea>" in text
    assert f'name="_fp_version" value="{opened}"' in text  # still the version the user started from
    fresh = _fresh_token(text)
    with app.app_context():
        models.Message.update(content="changed by someone else").execute()
    response = admin_client.post(url, data={**data, "csrf_token": fresh})
    assert response.status_code == 200
    assert "Someone else changed this object" in response.get_data(as_text=True)
    with app.app_context():
        assert models.Message.get_by_id(message.id).content == "changed by someone else"


def test_delete_with_an_expired_token_asks_again(admin_client: Any, app: Flask, models: Any, message: Any) -> None:
    response = admin_client.post("/admin/message/delete/", data={"csrf_token": STALE, "id": str(message.id)})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was done: this page had expired" in text
    assert "Yes, delete" in text
    with app.app_context():
        assert models.Message.select().count() == 1
    response = admin_client.post("/admin/message/delete/", data={"csrf_token": _fresh_token(text), "id": message.id})
    assert response.status_code == 302
    with app.app_context():
        assert models.Message.select().count() == 0


def test_bulk_action_with_an_expired_token_asks_again(admin_client: Any, app: Flask, admin: Admin, models: Any) -> None:
    class Shout(AdminAction):
        name = "shout"
        label = "Shout"
        confirm = False

        def run(self, model_admin: Any, objects: list[Any]) -> None:
            for note in objects:
                note.message = note.message.upper()
                note.save()

    admin.get_model_admin(models.Note).actions = (Shout,)
    with app.app_context():
        note = models.Note.create(message="quiet")
    response = admin_client.post("/admin/note/action/", data={"csrf_token": STALE, "action": "shout", "id": note.id})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was done: this page had expired" in text
    assert "<li>quiet</li>" in text
    with app.app_context():
        assert models.Note.get_by_id(note.id).message == "quiet"
    fresh = _fresh_token(text)
    response = admin_client.post(
        "/admin/note/action/", data={"csrf_token": fresh, "action": "shout", "id": note.id, "_confirm": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert models.Note.get_by_id(note.id).message == "QUIET"


def test_forged_cross_site_posts_are_still_refused_outright(admin_client: Any, app: Flask, models: Any) -> None:
    response = admin_client.post(
        "/admin/note/add/", data={"message": "forged"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert "forged" not in response.get_data(as_text=True)
