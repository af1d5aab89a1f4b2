"""The original flask-peewee 4.0.1's own example app, run unchanged on our packages.

The app comes from the published sdist at run time (see conftest.py): its modules are
imported as they are, from a scratch copy of its ``example/`` folder, on SQLite. Only the
set-up a user does by hand is done here: create the tables, make an admin and a user.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

TOKEN = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')
PASSWORD = "correct horse battery"


def _token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


@pytest.fixture(scope="module")
def example(original_sdist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The example imported as ``python main.py`` would, with its tables and two users."""
    folder = tmp_path_factory.mktemp("example") / "example"
    shutil.copytree(original_sdist / "example", folder)
    (folder / "example.db").unlink()  # the shipped database predates our library tables
    before = set(sys.modules)
    old_cwd = os.getcwd()
    os.chdir(folder)  # its config names the database file relative to the working directory
    sys.path.insert(0, str(folder))
    try:
        import main

        app = main.app
        app.config["TESTING"] = True
        result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
        assert result.exit_code == 0, result.output
        models = sys.modules["models"]
        admin = models.User(username="admin", email="admin@example.com", admin=True)
        admin.set_password(PASSWORD)
        admin.save()
        alice = models.User(username="alice", email="alice@example.com")
        alice.set_password(PASSWORD)
        alice.save()
        models.Message.create(user=alice, content="hello from alice")
        models.Note.create(user=alice, message="a live note", status=1)
        models.Relationship.create(from_user=admin, to_user=alice)
        yield SimpleNamespace(app=app, models=models, admin=admin, alice=alice)
    finally:
        sys.path.remove(str(folder))
        os.chdir(old_cwd)
        for name in set(sys.modules) - before:
            if not name.startswith(("flask_peewee", "wtforms", "wtfpeewee")):
                sys.modules.pop(name, None)


def _login(example: SimpleNamespace, username: str) -> Any:
    client = example.app.test_client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrf_token": _token(page.text)},
    )
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def admin_client(example: SimpleNamespace) -> Any:
    return _login(example, "admin")


@pytest.fixture
def alice_client(example: SimpleNamespace) -> Any:
    return _login(example, "alice")


def _basic(username: str) -> dict[str, str]:
    pair = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


@pytest.mark.parametrize("path", ["/", "/public/", "/join/", "/users/", "/users/alice/", "/accounts/login/"])
def test_site_pages_answer_anonymously(example: SimpleNamespace, path: str) -> None:
    response = example.app.test_client().get(path)
    assert response.status_code == 200, response.text
    assert "Tweepee" in response.text


def test_private_pages_send_anonymous_users_to_login(example: SimpleNamespace) -> None:
    response = example.app.test_client().get("/private/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/", "/private/", "/following/", "/followers/", "/create/"])
def test_site_pages_answer_a_logged_in_user(admin_client: Any, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code == 200, response.text
    assert "log out" in response.text  # its base.html reads the original's session['logged_in']


def test_private_timeline_shows_followed_users_messages(admin_client: Any) -> None:
    assert "hello from alice" in admin_client.get("/private/").text


def test_join_creates_a_user_and_logs_them_in(example: SimpleNamespace) -> None:
    client = example.app.test_client()
    response = client.post("/join/", data={"username": "bob", "email": "bob@example.com", "password": PASSWORD})
    assert response.status_code == 302
    bob = example.models.User.get(example.models.User.username == "bob")
    assert bob.check_password(PASSWORD)
    assert "log out" in client.get("/").text


def test_create_follow_and_edit_through_the_site(alice_client: Any, example: SimpleNamespace) -> None:
    response = alice_client.post("/create/", data={"content": "posted through the site"})
    assert response.status_code == 302
    message = example.models.Message.get(example.models.Message.content == "posted through the site")
    response = alice_client.post(f"/edit/{message.id}/", data={"content": "edited through the site"})
    assert response.status_code == 302
    assert "edited through the site" in alice_client.get("/users/alice/").text
    response = alice_client.post("/users/admin/follow/")
    assert response.status_code == 302
    assert alice_client.get("/following/").text.count("admin") >= 1


def test_admin_dashboard_shows_the_branding_and_panels(admin_client: Any) -> None:
    response = admin_client.get("/admin/")
    assert response.status_code == 200, response.text
    assert "Example Site" in response.text
    assert "a live note" in response.text  # NotePanel's context, rendered by its own template
    assert "New users this week" in response.text  # UserStatsPanel


def test_admin_refuses_a_normal_user(alice_client: Any) -> None:
    response = alice_client.get("/admin/")
    assert response.status_code in (302, 403)
    assert "Example Site" not in response.text


@pytest.mark.parametrize("model", ["user", "message", "note", "relationship"])
def test_admin_model_pages(admin_client: Any, example: SimpleNamespace, model: str) -> None:
    listing = admin_client.get(f"/admin/{model}/")
    assert listing.status_code == 200, listing.text
    assert admin_client.get(f"/admin/{model}/add/").status_code == 200
    instance = getattr(example.models, model.capitalize()).select().first()
    edit = admin_client.get(f"/admin/{model}/{instance.id}/")
    assert edit.status_code == 200, edit.text
    export = admin_client.get(f"/admin/{model}/export/")
    assert export.status_code == 200, export.text


def test_admin_message_filters_and_search(admin_client: Any) -> None:
    response = admin_client.get("/admin/message/", query_string={"user__username": "alice"})
    assert response.status_code == 200
    assert "hello from alice" in response.text
    response = admin_client.get("/admin/message/", query_string={"q": "alice"})
    assert response.status_code == 200
    assert "hello from alice" in response.text


def test_admin_edit_saves(admin_client: Any, example: SimpleNamespace) -> None:
    message = example.models.Message.create(user=example.alice, content="to be edited in the admin")
    page = admin_client.get(f"/admin/message/{message.id}/")
    response = admin_client.post(
        f"/admin/message/{message.id}/",
        data={
            "csrf_token": _token(page.text),
            "user": str(example.alice.id),
            "content": "edited in the admin",
            "pub_date": message.pub_date.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.text
    assert example.models.Message.get_by_id(message.id).content == "edited in the admin"


def test_note_panel_creates_a_note(admin_client: Any, example: SimpleNamespace) -> None:
    response = admin_client.post("/admin/notes/create/", data={"message": "a note from the panel"})
    assert response.status_code == 302
    assert example.models.Note.select().where(example.models.Note.message == "a note from the panel").exists()


@pytest.mark.parametrize("resource", ["message", "relationship", "note"])
def test_api_lists_and_details_anonymously(example: SimpleNamespace, resource: str) -> None:
    client = example.app.test_client()
    listing = client.get(f"/api/{resource}/")
    assert listing.status_code == 200, listing.text
    objects = listing.get_json()["objects"]
    assert objects
    detail = client.get(f"/api/{resource}/{objects[0]['id']}/")
    assert detail.status_code == 200
    assert detail.get_json()["id"] == objects[0]["id"]


def test_api_user_resource_reads_are_public_and_writes_need_an_admin(example: SimpleNamespace) -> None:
    client = example.app.test_client()
    listing = client.get("/api/user/")  # AdminAuthentication protects writes only, as in the original
    assert listing.status_code == 200
    for user in listing.get_json()["objects"]:
        assert "password" not in user
        assert "email" not in user  # UserResource.exclude
    body = json.dumps({"username": "alice"})
    assert client.put(f"/api/user/{example.alice.id}/", data=body, headers=_basic("alice")).status_code == 401
    assert client.put(f"/api/user/{example.alice.id}/", data=body, headers=_basic("admin")).status_code == 200


def test_api_relationship_resource_is_not_paginated(example: SimpleNamespace) -> None:
    for n in range(25):
        other = example.models.User.create(username=f"followed{n}", email=f"f{n}@example.com", password="x")
        example.models.Relationship.create(from_user=example.admin, to_user=other)
    listing = example.app.test_client().get("/api/relationship/")
    assert listing.status_code == 200
    assert len(listing.get_json()["objects"]) == example.models.Relationship.select().count()


def test_api_nested_user_resource(example: SimpleNamespace) -> None:
    listing = example.app.test_client().get("/api/message/")
    user = listing.get_json()["objects"][0]["user"]
    assert isinstance(user, dict)
    assert "password" not in user
    assert "email" not in user


def test_api_note_resource_keeps_its_get_query(example: SimpleNamespace) -> None:
    example.models.Note.create(user=example.alice, message="a deleted note", status=2)
    contents = [n["message"] for n in example.app.test_client().get("/api/note/").get_json()["objects"]]
    assert "a live note" in contents
    assert "a deleted note" not in contents


def test_api_authenticated_write_and_owner_rule(example: SimpleNamespace) -> None:
    client = example.app.test_client()
    body = json.dumps({"content": "posted through the api", "user": example.alice.id})
    assert client.post("/api/message/", data=body).status_code == 401
    response = client.post("/api/message/", data=body, headers=_basic("alice"))
    assert response.status_code == 200, response.text
    created = response.get_json()
    assert created["content"] == "posted through the api"
    # The owner's message cannot be changed by someone else (RestrictOwnerResource).
    response = client.put(f"/api/message/{created['id']}/", data=json.dumps({"content": "x"}), headers=_basic("admin"))
    assert response.status_code == 403
    assert example.models.Message.get_by_id(created["id"]).content == "posted through the api"


def test_api_readonly_fields_refuse_privilege_escalation(example: SimpleNamespace) -> None:
    """The example's ``UserResource.readonly_fields = ('admin', 'active')`` holds, as in the original."""
    client = example.app.test_client()
    alice = example.alice
    body = json.dumps({"admin": True, "active": False, "username": "alice"})
    response = client.put(f"/api/user/{alice.id}/", data=body, headers=_basic("admin"))
    assert response.status_code == 200, response.text
    stored = example.models.User.get_by_id(alice.id)
    assert stored.admin is False
    assert stored.active is True
