"""Every error is JSON with the right status; nothing a client sends gives a 500 or leaks database text."""

from __future__ import annotations

import json

import peewee
import pytest

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic


@pytest.fixture
def tag_model(db, models):
    class Tag(db.Model):
        name = peewee.CharField(unique=True, max_length=20)
        weight = peewee.IntegerField(default=0, constraints=[peewee.Check("weight >= 0")])
        owner = peewee.ForeignKeyField(models.User, null=True)

    db.create_tables()
    db.database.close()
    return Tag


@pytest.fixture
def api(app, auth, models, users, tag_model):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    api.register(tag_model)
    return api


ADMIN = basic("admin")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("{not json", "application/json", "Malformed JSON"),
        ("[1, 2]", "application/json", "must be a JSON object"),
        ('"text"', "application/json", "must be a JSON object"),
        ("", "application/json", "empty"),
        ("{}", "application/json", "empty"),
        ('{"message": NaN}', "application/json", "Malformed JSON"),
        ("[" * 100000, "application/json", "Malformed JSON"),
        ("data=%7Bbroken", "application/x-www-form-urlencoded", "Malformed JSON"),
        ("\xff\xfe", "application/json", "Malformed JSON"),
    ],
)
def test_malformed_bodies_are_400(client, api, body, content_type, message):
    response = client.post("/api/note/", data=body, headers={**ADMIN, "Content-Type": content_type})
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_body_over_the_limit_is_413(app, client, api):
    app.config["FLASK_PEEWEE_REST_MAX_BODY_SIZE"] = 100
    response = client.post("/api/note/", json={"message": "x" * 200}, headers=ADMIN)
    assert response.status_code == 413
    assert "too large" in response.get_json()["error"]
    assert client.post("/api/note/", json={"message": "short"}, headers=ADMIN).status_code == 200


def test_authentication_is_checked_before_the_body(app, client, api):
    app.config["FLASK_PEEWEE_REST_MAX_BODY_SIZE"] = 10
    for data in ("{broken", json.dumps({"message": "x" * 50})):
        response = client.post("/api/note/", data=data, content_type="application/json")
        assert response.status_code == 401
        assert response.get_json() == {"error": "Authentication failed"}


def test_not_found(client, api, models, db):
    models.Note.create(message="x")
    db.database.close()
    for url in ("/api/note/2/", "/api/note/abc/", "/api/note/1.5/", "/api/nothing/", "/api/nothing/1/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json() == {"error": "Not found"}
    assert client.put("/api/note/abc/", json={"message": "y"}, headers=ADMIN).status_code == 404
    assert client.delete("/api/note/99/", headers=ADMIN).status_code == 404


def test_methods_not_allowed(client, api):
    for method, url in (("put", "/api/note/"), ("delete", "/api/note/"), ("patch", "/api/note/")):
        response = getattr(client, method)(url, headers=ADMIN)
        assert response.status_code == 405
        assert response.get_json() == {"error": "Method not allowed"}
    assert client.put("/api/note/").headers["Allow"] == "GET, POST"


def test_unique_violation_is_409_naming_the_field(client, api, tag_model):
    assert client.post("/api/tag/", json={"name": "python"}, headers=ADMIN).status_code == 200
    response = client.post("/api/tag/", json={"name": "python"}, headers=ADMIN)
    assert response.status_code == 409
    body = response.get_json()
    assert body == {"error": "Conflict with an existing object", "errors": {"name": "already exists"}}
    flask_id = client.post("/api/tag/", json={"name": "flask"}, headers=ADMIN).get_json()["id"]
    response = client.put(f"/api/tag/{flask_id}/", json={"name": "python"}, headers=ADMIN)
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"name": "already exists"}
    assert tag_model.get_by_id(flask_id).name == "flask"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weight": 1}, "name"),
        ({"name": None}, "name"),
        ({"name": "x", "weight": "heavy"}, "weight"),
        ({"name": "x", "weight": 1.5}, "weight"),
        ({"name": "x", "weight": 2**80}, "weight"),
        ({"name": "x" * 21}, "name"),
        ({"name": "x", "owner": 99}, "owner"),
        ({"name": "x", "owner": "abc"}, "owner"),
        ({"name": ["x"]}, "name"),
    ],
)
def test_validation_errors_are_422_per_field(client, api, tag_model, body, field):
    response = client.post("/api/tag/", json=body, headers=ADMIN)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["error"] == "Invalid data"
    assert field in payload["errors"]
    assert tag_model.select().count() == 0


def test_error_text_of_the_database_is_not_echoed(client, api, models, users, db):
    class Strict(RestResource):
        delete_recursive = False

        def get_api_name(self):
            return "strict"

    api.register(models.User, Strict)
    models.Message.create(user=users.coleifer, content="x")
    db.database.close()
    response = client.delete("/api/strict/2/", headers=ADMIN)
    assert response.status_code == 409
    text = response.get_data(as_text=True).lower()
    for word in ("constraint", "foreign", "integrity", "sql", "violates"):
        assert word not in text


def test_check_constraint_is_422_without_database_text(client, api, tag_model):
    response = client.post("/api/tag/", json={"name": "x", "weight": -1}, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json() == {"error": "The data breaks a rule of the database"}
    assert tag_model.select().count() == 0


def test_malformed_or_out_of_range_keys_are_404(app, auth, db, client, models, users):
    import uuid

    class Ticket(db.Model):
        id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
        title = peewee.CharField()

    db.create_tables([Ticket])
    ticket = Ticket.create(title="t")
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Ticket)
    api.register(models.Note)
    assert client.get(f"/api/ticket/{ticket.id}/").get_json()["title"] == "t"
    assert client.get(f"/api/ticket/{ticket.id.hex.upper()}/").get_json()["title"] == "t"
    for url in ("/api/ticket/not-a-uuid/", "/api/note/99999999999999999999999/", "/api/note/%20/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json() == {"error": "Not found"}


def test_a_required_field_left_empty_is_422_naming_it(client, api, db, auth, models):
    class Entry(db.Model):
        title = peewee.CharField()
        body = peewee.TextField(null=True)

    db.create_tables([Entry])
    db.database.close()
    api.register(Entry)
    api.register(models.User, AdminResource)
    response = client.post("/api/entry/", json={"body": "no title"}, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Invalid data", "errors": {"title": "this field is required"}}
    # a user's password is never written from data (sensitive): creating one without it names it
    response = client.post("/api/user/", json={"username": "new", "email": "new@example.com"}, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Invalid data", "errors": {"password": "this field is required"}}
    assert Entry.select().count() == 0
    assert models.User.select().where(models.User.username == "new").count() == 0


class AdminResource(RestResource):
    def get_api_name(self):
        return "user"


def test_create_and_edit_answer_with_what_the_database_stored(client, api, db, auth):
    class Reading(db.Model):
        taken = peewee.DateTimeField()
        price = peewee.DecimalField(max_digits=8, decimal_places=2)
        level = peewee.FloatField()  # single precision on PostgreSQL and MariaDB

    db.create_tables([Reading])
    db.database.close()
    api.register(Reading)
    body = {"taken": "2024-05-01T18:36:15.678901", "price": "1.5", "level": 0.1}
    created = client.post("/api/reading/", json=body, headers=ADMIN)
    assert created.status_code == 200
    stored = client.get("/api/reading/1/").get_json()
    assert created.get_json() == stored
    assert stored["taken"] in ("2024-05-01T18:36:15.678901", "2024-05-01T18:36:15")
    edited = client.patch("/api/reading/1/", json={"taken": "2024-05-02T08:00:00.250000"}, headers=ADMIN)
    assert edited.get_json() == client.get("/api/reading/1/").get_json()
    entry = auth.audit.query(model=Reading, action="add").get()
    assert entry.get_changes()["taken"] == [None, stored["taken"]]
    if db.database.__class__.__name__.startswith("MySQL"):
        assert stored["taken"] == "2024-05-01T18:36:15"  # MariaDB keeps whole seconds


def test_a_required_column_left_out_of_the_insert_is_422_too(client, api, db):
    class Entry(db.Model):
        title = peewee.CharField()
        body = peewee.TextField(null=True)

    class BodyOnly(RestResource):
        def save_object(self, instance, raw_data):
            instance.id = type(instance).insert(body=instance.body).execute()  # MariaDB: error 1364, not 1048
            return instance

    db.create_tables([Entry])
    db.database.close()
    api.register(Entry, BodyOnly)
    response = client.post("/api/entry/", json={"body": "no title"}, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Invalid data", "errors": {"title": "this field is required"}}
    assert Entry.select().count() == 0
