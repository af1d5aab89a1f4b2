"""The Authentication classes, throttled HTTP Basic, API keys, and the RestAPI extension itself."""

from __future__ import annotations

import base64

import peewee
import pytest
from flask import Flask, g

from flask_peewee.db import ImproperlyConfigured
from flask_peewee.rest import (
    APIKeyAuthentication,
    Authentication,
    RestAPI,
    RestResource,
    RestrictOwnerResource,
    UserAuthentication,
)

from .conftest import basic


def test_authentication_protected_methods(app, client, models):
    api = RestAPI(app, default_auth=Authentication(protected_methods=["GET"]))
    api.register(models.Note)
    response = client.get("/api/note/")
    assert response.status_code == 401
    assert response.get_json() == {"error": "Authentication failed"}
    assert Authentication().protected_methods == ("POST", "PUT", "PATCH", "DELETE")


def test_open_authentication_allows_writes(app, client, models):
    api = RestAPI(app, default_auth=Authentication(protected_methods=()))
    api.register(models.Note)
    assert client.post("/api/note/", json={"message": "open"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("admin", "wrong"),
        basic("nobody", "admin"),
        {"Authorization": "Bearer admin"},
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    ],
)
def test_user_authentication_refuses_bad_credentials(app, auth, client, models, users, headers):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    response = client.post("/api/note/", json={"message": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="Login Required"'
    assert models.Note.select().count() == 0


def test_user_authentication_refuses_inactive_users(app, auth, client, models, make_user):
    make_user("sleepy", active=False)
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    assert client.post("/api/note/", json={"message": "x"}, headers=basic("sleepy")).status_code == 401


def test_basic_auth_goes_through_the_login_throttle(app, auth, client, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    statuses = [
        client.post("/api/note/", json={"message": "x"}, headers=basic("admin", f"guess {i}")).status_code
        for i in range(11)
    ]
    assert statuses == [401] * 10 + [429]  # the auth default: 10 attempts per username
    response = client.post("/api/note/", json={"message": "x"}, headers=basic("admin"))
    assert response.status_code == 429  # even the right password waits now
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json() == {"error": "Too many login attempts"}
    assert models.Note.select().count() == 0


def test_successful_basic_auth_does_not_use_up_the_limit(app, auth, client, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    for i in range(12):
        response = client.post("/api/note/", json={"message": str(i)}, headers=basic("admin"))
        assert response.status_code == 200


@pytest.fixture
def api_keys(db, models, users):
    class APIKey(db.Model):
        key = peewee.CharField()
        secret = peewee.CharField()
        user = peewee.ForeignKeyField(models.User)

    db.create_tables()
    APIKey.create(key="k-admin", secret="s-admin", user=users.admin)
    APIKey.create(key="k-cole", secret="s-cole", user=users.coleifer)
    APIKey.create(key="k-empty", secret="", user=users.coleifer)
    db.database.close()
    return APIKey


def test_api_key_pair_from_x_headers_and_owner(app, client, models, users, api_keys, db):
    class MessageResource(RestrictOwnerResource):
        pass

    api = RestAPI(app, default_auth=APIKeyAuthentication(api_keys))
    api.register(models.Message, MessageResource)
    headers = {"X-API-Key": "k-cole", "X-API-Secret": "s-cole"}
    response = client.post("/api/message/", json={"content": "via key"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["user"] == 2  # the key's user owns it
    admin_headers = {"X-API-Key": "k-admin", "X-API-Secret": "s-admin"}
    assert client.delete("/api/message/1/", headers=admin_headers).status_code == 403
    assert client.delete("/api/message/1/", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?key=k-cole&secret=s-admin", "?key=k-empty&secret=", "?key=k-empty", "?key=nope&secret=s-cole", "?secret=s-cole"],
)
def test_api_key_refuses_wrong_pairs(app, client, models, api_keys, query):
    api = RestAPI(app, default_auth=APIKeyAuthentication(api_keys))
    api.register(models.Note)
    assert client.post(f"/api/note/{query}", json={"message": "x"}).status_code == 401


def test_api_key_guesses_go_through_the_login_throttle(app, auth, client, models, api_keys):
    api = RestAPI(app, default_auth=APIKeyAuthentication(api_keys))
    api.register(models.Note)
    statuses = [
        client.post(f"/api/note/?key=k-cole&secret=guess{i}", json={"message": "x"}).status_code for i in range(11)
    ]
    assert statuses == [401] * 10 + [429]  # the auth default: 10 failures per name (here, the key)
    response = client.post("/api/note/?key=k-cole&secret=s-cole", json={"message": "x"})
    assert response.status_code == 429  # even the right secret waits now
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json() == {"error": "Too many login attempts"}
    for i in range(3):  # right pairs count nothing
        assert client.post("/api/note/?key=k-admin&secret=s-admin", json={"message": str(i)}).status_code == 200
    assert models.Note.select().count() == 3


def test_api_key_throttle_uses_the_given_auth(app, auth, client, models, api_keys, monkeypatch):
    names = []
    original = auth.login_attempt

    def login_attempt(name, address=None):
        names.append(name)
        return original(name, address)

    monkeypatch.setattr(auth, "login_attempt", login_attempt)
    RestAPI(app, default_auth=APIKeyAuthentication(api_keys, auth=auth)).register(models.Note)
    assert client.post("/api/note/?key=k-cole&secret=bad", json={"message": "x"}).status_code == 401
    assert client.post("/api/note/?key=k-cole&secret=s-cole", json={"message": "x"}).status_code == 200
    assert names == ["k-cole", "k-cole"]


def test_api_key_model_needs_key_and_secret(db):
    class Half(db.Model):
        key = peewee.CharField()

    with pytest.raises(TypeError, match="'secret'"):
        APIKeyAuthentication(Half)


def test_custom_authentication_subclass(app, client, models):
    class HeaderAuthentication(Authentication):
        def authorize(self):
            from flask import request

            return request.headers.get("X-Token") == "let me in"

    api = RestAPI(app, default_auth=HeaderAuthentication())
    api.register(models.Note)
    assert client.get("/api/note/").status_code == 401
    assert client.post("/api/note/", json={"message": "x"}, headers={"X-Token": "let me in"}).status_code == 200


@pytest.mark.backends("sqlite")
def test_app_factory_and_several_apis(database_url, tmp_path):
    from flask_peewee.db import Database

    db = Database()

    class Note(db.Model):
        message = peewee.TextField()

    api = RestAPI(default_auth=Authentication(protected_methods=()))
    api.register(Note)
    api.setup()
    internal = RestAPI(prefix="/internal/", name="internal")

    def create_app():
        app = Flask(__name__, root_path=str(tmp_path))
        app.config.update(DATABASE=database_url, TESTING=True)
        db.init_app(app)
        api.init_app(app)
        internal.init_app(app)
        return app

    app = create_app()
    internal.register(Note)  # registering after init_app works too
    db.create_tables()
    db.database.close()
    client = app.test_client()
    assert client.post("/api/note/", json={"message": "factory"}).status_code == 200
    assert client.get("/internal/note/").get_json()["objects"][0]["message"] == "factory"
    assert client.post("/internal/note/", json={"message": "x"}).status_code == 401
    with pytest.raises(ImproperlyConfigured, match="'api' is already registered"):
        api.init_app(app)
    assert set(api.resources) == {"note"}


def test_register_refuses_mistakes(app, models):
    api = RestAPI(app)
    api.register(models.Note)
    with pytest.raises(ValueError, match="already registered"):
        api.register(models.Note)
    with pytest.raises(TypeError):
        api.register("note")
    with pytest.raises(TypeError):
        api.register(models.Message, object)

    class Wrong(RestResource):
        include_resources = {"content": RestResource}

    with pytest.raises(ValueError, match="not a foreign key"):
        api.register(models.Message, Wrong)

    class Renamed(RestResource):
        def get_api_name(self):
            return "note"

    with pytest.raises(ValueError, match="already used"):
        api.register(models.Relationship, Renamed)


def test_user_authentication_sets_g_user_for_hooks(app, auth, client, models, users):
    seen = []

    class Spy(RestResource):
        def check_post(self):
            seen.append(g.user.username)
            return True

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note, Spy)
    client.post("/api/note/", json={"message": "x"}, headers=basic("coleifer"))
    assert seen == ["coleifer"]
