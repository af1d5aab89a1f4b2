"""The ETag is the row's object_version (the admin's edit version too); overrides of get_etag keep working."""

from __future__ import annotations

import datetime
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.db import Database
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication
from flask_peewee.utils import object_version

from .conftest import PASSWORD, basic

ADMIN = basic("admin")


def _api(app: Flask, auth: Auth, models: Any, resource: type[RestResource] = RestResource) -> RestAPI:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, resource)
    return api


def test_the_etag_is_the_quoted_object_version(app: Flask, auth: Auth, client: Any, models: Any, users: Any) -> None:
    _api(app, auth, models)
    message = models.Message.create(user=users.coleifer, content="x")
    etag = client.get(f"/api/message/{message.id}/").headers["ETag"]
    with app.app_context():
        assert etag == f'"{object_version(models.Message.get_by_id(message.id))}"'


def test_the_etag_covers_hidden_fields_without_revealing_them(
    app: Flask, auth: Auth, client: Any, models: Any, users: Any
) -> None:
    class Hidden(RestResource):
        exclude = ("content",)

    _api(app, auth, models, Hidden)
    message = models.Message.create(user=users.coleifer, content="secret plan")
    first = client.get(f"/api/message/{message.id}/")
    assert "content" not in first.get_json()
    models.Message.update(content="another plan").execute()
    second = client.get(f"/api/message/{message.id}/", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200  # the hidden change is a new version
    assert second.headers["ETag"] != first.headers["ETag"]


def test_many_to_many_links_change_the_etag(app: Flask, auth: Auth, db: Database, client: Any, users: Any) -> None:
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    db.create_tables([Tag, Post, Post.tags.get_through_model()])
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Post)
    red = Tag.create(name="red")
    post = Post.create(title="hello")
    bare = client.get(f"/api/post/{post.id}/").headers["ETag"]
    post.tags.add([red])
    linked = client.get(f"/api/post/{post.id}/")
    assert linked.get_json()["tags"] == [red.id]
    assert linked.headers["ETag"] != bare
    with app.app_context():
        assert linked.headers["ETag"] == f'"{object_version(post)}"'


def test_an_override_taking_only_data_still_tags_and_checks(
    app: Flask, auth: Auth, client: Any, models: Any, users: Any
) -> None:
    seen: list[Any] = []

    class ByContent(RestResource):
        def get_etag(self, data: Any) -> str:  # type: ignore[override]
            seen.append(dict(data))
            return f'"{data["content"]}"'

    _api(app, auth, models, ByContent)
    message = models.Message.create(user=users.coleifer, content="x")
    url = f"/api/message/{message.id}/"
    assert client.get(url).headers["ETag"] == '"x"'
    assert client.patch(url, json={"content": "y"}, headers={**ADMIN, "If-Match": '"nope"'}).status_code == 412
    assert client.patch(url, json={"content": "y"}, headers={**ADMIN, "If-Match": '"x"'}).status_code == 200
    assert seen[0]["content"] == "x"
    assert seen[0]["id"] == message.id


def test_an_override_may_take_the_object_and_call_super(
    app: Flask, auth: Auth, client: Any, models: Any, users: Any
) -> None:
    class Weak(RestResource):
        def get_etag(self, data: Any, obj: Any = None) -> str | None:
            tag = super().get_etag(data, obj)
            return None if tag is None else "W/" + tag

    class OldSuper(RestResource):
        def get_etag(self, data: Any) -> str | None:  # type: ignore[override]
            return super().get_etag(data)  # the default tags the serialized data then

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, Weak)
    api.register(models.Note, OldSuper)
    message = models.Message.create(user=users.coleifer, content="x")
    note = models.Note.create(message="n")
    with app.app_context():
        stored = models.Message.get_by_id(message.id)  # as stored: MariaDB drops the microseconds
        assert client.get(f"/api/message/{message.id}/").headers["ETag"] == f'W/"{object_version(stored)}"'
    note_etag = client.get(f"/api/note/{note.id}/").headers["ETag"]
    assert note_etag.startswith('"')
    assert client.get(f"/api/note/{note.id}/", headers={"If-None-Match": note_etag}).status_code == 304


@pytest.fixture
def keyless_app(database_url: str) -> Flask:
    app = Flask("flask_peewee_rest_keyless")
    app.config.update(DATABASE=database_url, TESTING=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"])
    return app


def test_without_a_key_there_is_no_etag_and_if_match_is_refused(keyless_app: Flask) -> None:
    db = Database(keyless_app)
    auth = Auth(keyless_app, db)

    class Message(db.Model):
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(default=datetime.datetime.now)

    api = RestAPI(keyless_app, default_auth=UserAuthentication(auth))
    api.register(Message)
    db.create_tables()
    with keyless_app.app_context():
        admin = auth.User(username="admin", email="admin@example.com", admin=True)
        admin.set_password(PASSWORD)
        admin.save()
        message = Message.create(content="x")
    db.database.close()
    client = keyless_app.test_client()
    url = f"/api/message/{message.id}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert client.get(url, headers={"If-None-Match": '"anything"'}).status_code == 200
    refused = client.patch(url, json={"content": "y"}, headers={**ADMIN, "If-Match": '"anything"'})
    assert refused.status_code == 412
    assert "SECRET_KEY" in refused.get_json()["error"]
    assert client.patch(url, json={"content": "y"}, headers={**ADMIN, "If-Match": "*"}).status_code == 200
    assert client.patch(url, json={"content": "z"}, headers=ADMIN).get_json()["content"] == "z"
    db.database.close()
