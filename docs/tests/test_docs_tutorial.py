"""The getting-started tutorial, step by step, on every database backend.

Every code example of docs/tutorial.rst is a file under docs/examples/tutorial/ shown
with ``literalinclude``; these tests run those files and check what the chapter says
the reader will see.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from pathlib import Path

import peewee
import pytest

from flask_peewee.auth import CSRF_FIELD_NAME

TUTORIAL_RST = Path(__file__).resolve().parent.parent / "tutorial.rst"


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def log_in_with_form(client, username: str, password: str, next_url: str) -> object:
    """Log in through the login page, as a browser does (the form carries a CSRF token)."""
    page = client.get(f"/accounts/login/?next={next_url}")
    assert page.status_code == 200
    match = re.search(rf'name="{CSRF_FIELD_NAME}"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    if match is None:
        match = re.search(rf'value="([^"]+)"[^>]*name="{CSRF_FIELD_NAME}"', page.get_data(as_text=True))
    assert match is not None, "the login form carries a CSRF token"
    return client.post(
        f"/accounts/login/?next={next_url}",
        data={"username": username, "password": password, CSRF_FIELD_NAME: match.group(1), "next": next_url},
    )


def test_first_app_serves_a_404_page(tutorial_no_db):
    module = tutorial_no_db.load("step1_app.py")

    response = module.app.test_client().get("/")

    assert response.status_code == 404


def test_first_app_runs_when_started_as_a_script(tutorial_no_db):
    namespace = tutorial_no_db.run_main("step1_app.py")

    assert [call[0] for call in tutorial_no_db.run_calls] == [namespace["app"]]


def test_note_model_lives_in_the_configured_database(tutorial):
    module = tutorial.load("step2_model.py")
    Note = module.Note

    assert issubclass(Note, peewee.Model)
    assert Note._meta.database is module.db.database or Note._meta.database.obj is module.db.database
    assert module.app.config["SECRET_KEY"] == "ssshhhh"
    module.db.create_tables()
    note = Note.create(message="hello")

    assert isinstance(Note.get_by_id(note.id).created, datetime.datetime)
    assert [n.message for n in Note.select()] == ["hello"]


def test_running_the_auth_step_creates_the_tables(tutorial):
    namespace = tutorial.run_main("step3_auth.py")
    database = namespace["db"].database

    tables = set(database.get_tables())

    assert {"note", "user"} <= tables
    assert tutorial.run_calls, "app.run() was reached"
    # Running it again is safe: the tables already exist.
    tutorial.run_main("step3_auth.py")
    assert len(tutorial.run_calls) == 2


def test_login_page_extends_the_base_template(tutorial):
    module = tutorial.load("step3_auth.py")

    page = module.app.test_client().get("/accounts/login/")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Test site</title>" in html
    assert "<h2>" in html


def make_admin(tutorial):
    """What the tutorial's shell snippet does, run from a file beside app.py."""
    namespace = tutorial.run_script("create_admin.py")
    return namespace["admin"]


def test_shell_snippet_creates_an_admin_user(tutorial):
    module = tutorial.load("step4_admin.py")

    make_admin(tutorial)

    user = module.auth.User.get(module.auth.User.username == "admin")
    assert user.admin
    assert user.active
    assert user.check_password("admin")
    assert not user.check_password("wrong")
    assert user.password != "admin"


def test_admin_asks_for_a_login_then_shows_the_dashboard(tutorial):
    module = tutorial.load("step4_admin.py")
    module.Note.create_table(safe=True)
    make_admin(tutorial)
    module.db.database.close()
    client = module.app.test_client()

    first = client.get("/admin/")
    assert first.status_code == 302
    assert "/accounts/login/" in first.headers["Location"]

    login = log_in_with_form(client, "admin", "admin", "/admin/")
    assert login.status_code == 302
    assert login.headers["Location"].endswith("/admin/")

    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "/admin/note/" in dashboard.get_data(as_text=True)


def test_note_list_shows_ids_until_columns_are_chosen(tutorial):
    module = tutorial.load("step4_admin.py")
    module.Note.create_table(safe=True)
    note = module.Note.create(message="a message the list does not show")
    make_admin(tutorial)
    module.db.database.close()
    client = module.app.test_client()
    log_in_with_form(client, "admin", "admin", "/admin/")

    html = client.get("/admin/note/").get_data(as_text=True)

    claim = re.search(r"The list has one column, \*(\w+)\*", (TUTORIAL_RST).read_text())
    assert claim is not None
    assert re.findall(r'<th scope="col">([^<]*)</th>', html) == [claim.group(1)]
    assert f'<a href="/admin/note/{note.id}/">{note.id}</a>' in html
    assert "a message the list does not show" not in html


def test_note_admin_lists_messages_and_dates(tutorial):
    module = tutorial.load("step5_note_admin.py")
    module.Note.create_table(safe=True)
    module.Note.create(message="blah blah blah this is a note", created=datetime.datetime(2011, 9, 23, 9, 7, 39))
    user = make_admin(tutorial)
    module.db.database.close()
    client = module.app.test_client()
    log_in_with_form(client, "admin", "admin", "/admin/")

    notes = client.get("/admin/note/")
    users = client.get("/admin/user/")

    html = notes.get_data(as_text=True)
    assert notes.status_code == 200
    assert "blah blah blah this is a note" in html
    assert "2011-09-23" in html
    assert users.status_code == 200
    assert user.username in users.get_data(as_text=True)


def test_read_only_api_lists_notes_and_refuses_posts(tutorial):
    module = tutorial.load("step6_api.py")
    module.Note.create_table(safe=True)
    module.Note.create(message="blah blah blah this is a note", created=datetime.datetime(2011, 9, 23, 9, 7, 39))
    module.Note.create(message="this is another note!", created=datetime.datetime(2011, 9, 23, 9, 7, 54))
    module.db.database.close()
    client = module.app.test_client()

    listing = client.get("/api/note/")
    refused = client.post("/api/note/", data="")  # curl -i -d '' http://127.0.0.1:5000/api/note/

    assert listing.status_code == 200
    assert listing.get_json() == {
        "meta": {
            "model": "note",
            "next": "",
            "page": 1,
            "previous": "",
            "page_count": 1,
            "object_count": 2,
        },
        "objects": [
            {"message": "blah blah blah this is a note", "id": 1, "created": "2011-09-23T09:07:39"},
            {"message": "this is another note!", "id": 2, "created": "2011-09-23T09:07:54"},
        ],
    }
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'
    assert refused.get_json() == {"error": "Authentication failed"}
    assert module.Note.select().count() == 2


def test_users_post_notes_with_basic_auth(tutorial):
    module = tutorial.load("app.py")
    module.Note.create_table(safe=True)
    make_admin(tutorial)
    module.db.database.close()
    client = module.app.test_client()

    # curl -u admin:admin -d data='{"message": "hello api"}' http://127.0.0.1:5000/api/note/
    created = client.post(
        "/api/note/", data={"data": json.dumps({"message": "hello api"})}, headers=basic("admin", "admin")
    )
    anonymous = client.post("/api/note/", data={"data": json.dumps({"message": "spam"})})
    wrong = client.post("/api/note/", data={"data": json.dumps({"message": "spam"})}, headers=basic("admin", "nope"))

    assert created.status_code == 200
    body = created.get_json()
    assert body["message"] == "hello api"
    assert sorted(body) == ["created", "id", "message"]
    datetime.datetime.fromisoformat(body["created"])
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert [n.message for n in module.Note.select()] == ["hello api"]
    (listed,) = client.get("/api/note/").get_json()["objects"]
    assert {k: listed[k] for k in ("id", "message")} == {"id": body["id"], "message": "hello api"}
    # MySQL DATETIME keeps whole seconds, so compare the stored time to the second.
    assert listed["created"][:19] == body["created"][:19]


@pytest.mark.backends("sqlite")
def test_sqlite_steps_run_unchanged_from_the_project_folder(tutorial):
    module = tutorial.load("step2_model.py")

    module.db.create_tables()

    assert (tutorial.folder / "example.db").exists()
