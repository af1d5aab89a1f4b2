"""The REST-only example works with flask-peewee-rest installed alone (no admin, no wtf-peewee)."""

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent


@pytest.fixture
def example(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    spec = importlib.util.spec_from_file_location("notes_api_app", HERE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.db.create_tables()
    module.APIKey.create(key="k1", secret="s3cret")
    module.db.database.close()
    yield module
    module.db.database.close()


def test_only_rest_and_its_layers_are_installed():
    assert importlib.util.find_spec("flask_peewee.rest") is not None
    assert importlib.util.find_spec("flask_peewee.admin") is None
    assert importlib.util.find_spec("wtfpeewee") is None
    assert "flask_peewee.admin" not in sys.modules


def test_read_is_open_and_writes_need_the_key(example):
    client = example.app.test_client()
    assert client.get("/api/note/").get_json()["objects"] == []
    refused = client.post("/api/note/", json={"title": "hi"})
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "Authentication failed"}
    created = client.post("/api/note/?key=k1&secret=s3cret", json={"title": "first", "body": "hello"})
    assert created.status_code == 200
    note = created.get_json()
    assert note["title"] == "first"
    headers = {"X-API-Key": "k1", "X-API-Secret": "s3cret"}
    edited = client.put(f"/api/note/{note['id']}/", json={"body": "edited"}, headers=headers)
    assert edited.get_json()["body"] == "edited"
    assert client.get("/api/note/?title=first").get_json()["objects"][0]["body"] == "edited"
    wrong = client.delete(f"/api/note/{note['id']}/?key=k1&secret=nope")
    assert wrong.status_code == 401
    deleted = client.delete(f"/api/note/{note['id']}/", headers=headers)
    assert deleted.get_json() == {"deleted": 1}


def test_pagination_and_bad_filters(example):
    client = example.app.test_client()
    for n in range(12):
        example.Note.create(title=f"note {n:02d}")
    first = client.get("/api/note/").get_json()
    assert len(first["objects"]) == 10
    assert first["meta"]["next"]
    second = client.get("/api/note/?page=2").get_json()
    assert [n["title"] for n in second["objects"]] == ["note 10", "note 11"]
    bad = client.get("/api/note/?body__startswith=x")
    assert bad.status_code == 400
    assert "error" in bad.get_json()
