"""Writes: mass assignment, non-integer keys, PUT/PATCH merging, ETags, many-to-many, policy and audit log."""

from __future__ import annotations

import uuid

import peewee
import pytest

from flask_peewee.auth import Auth, PermissionPolicy
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


@pytest.fixture
def api(app, auth, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    api.register(models.User)
    return api


def test_primary_key_is_never_written(client, api, models):
    response = client.post("/api/message/", json={"id": 50, "user": 1, "content": "a"}, headers=ADMIN)
    assert response.status_code == 200
    created = response.get_json()["id"]
    assert created != 50
    response = client.put(f"/api/message/{created}/", json={"id": 77, "content": "b"}, headers=ADMIN)
    assert response.get_json()["id"] == created
    assert models.Message.select().count() == 1
    assert models.Message.get_by_id(created).content == "b"


def test_read_only_fields_are_never_written(app, auth, client, models, users):
    class MessageResource(RestResource):
        read_only_fields = ("pub_date", "user")

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, MessageResource)
    models.Message.create(user=users.admin, content="x")
    before = models.Message.get_by_id(1).pub_date
    body = {"content": "y", "pub_date": "2000-01-01T00:00:00", "user": 2, "user_id": 2}
    response = client.patch("/api/message/1/", json=body, headers=ADMIN)
    assert response.status_code == 200
    message = models.Message.get_by_id(1)
    assert (message.content, message.pub_date, message.user_id) == ("y", before, 1)


def test_nested_objects_are_references_only(client, api, models):
    body = {"user": {"id": 2, "username": "hacked", "admin": True}, "content": "nested"}
    response = client.post("/api/message/", json=body, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["user"] == 2
    coleifer = models.User.get_by_id(2)
    assert (coleifer.username, coleifer.admin) == ("coleifer", False)


def test_passwords_cannot_be_written_or_read(client, api, models):
    old_hash = models.User.get_by_id(2).password
    response = client.patch("/api/user/2/", json={"password": "owned", "email": "c@example.com"}, headers=ADMIN)
    assert response.status_code == 200
    assert "password" not in response.get_json()
    user = models.User.get_by_id(2)
    assert (user.password, user.email) == (old_hash, "c@example.com")


def test_put_and_patch_merge_the_given_fields(client, api, models, users):
    models.Message.create(user=users.coleifer, content="before")
    pub_date = models.Message.get_by_id(1).pub_date
    for method in ("put", "patch"):
        response = getattr(client, method)("/api/message/1/", json={"content": method}, headers=ADMIN)
        assert response.status_code == 200
        message = models.Message.get_by_id(1)
        assert (message.content, message.user_id, message.pub_date) == (method, 2, pub_date)


def test_patch_needs_the_same_credentials_as_put(app, client, models, users):
    from flask_peewee.rest import Authentication

    api = RestAPI(app, default_auth=Authentication(protected_methods=["POST", "PUT", "DELETE"]))
    api.register(models.Message)
    models.Message.create(user=users.coleifer, content="before")
    assert client.patch("/api/message/1/", json={"content": "x"}).status_code == 401
    assert models.Message.get_by_id(1).content == "before"


@pytest.mark.parametrize("kind", ["uuid", "text"])
def test_non_integer_primary_keys_for_every_verb(app, auth, client, db, users, kind):
    if kind == "uuid":

        class Thing(db.Model):
            id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
            name = peewee.CharField()

        body = {"name": "first"}
    else:

        class Thing(db.Model):
            code = peewee.CharField(primary_key=True, max_length=20)
            name = peewee.CharField()

        body = {"code": "abc-1", "name": "first"}
    db.create_tables()
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Thing)

    response = client.post("/api/thing/", json=body, headers=ADMIN)
    assert response.status_code == 200
    pk = response.get_json()["id" if kind == "uuid" else "code"]
    assert Thing.select().count() == 1  # inserted, not an UPDATE of nothing
    assert client.get(f"/api/thing/{pk}/").get_json()["name"] == "first"
    assert client.get("/api/thing/?name=first").get_json()["objects"][0]["name"] == "first"
    assert client.put(f"/api/thing/{pk}/", json={"name": "second"}, headers=ADMIN).get_json()["name"] == "second"
    assert client.patch(f"/api/thing/{pk}/", json={"name": "third"}, headers=ADMIN).status_code == 200
    assert client.get("/api/thing/not-a-key/").status_code == 404
    assert client.delete(f"/api/thing/{pk}/", headers=ADMIN).get_json() == {"deleted": 1}
    assert Thing.select().count() == 0
    if kind == "text":
        assert client.post("/api/thing/", json={"name": "no key"}, headers=ADMIN).status_code == 422


def test_etag_and_if_none_match(client, api, models, users):
    models.Message.create(user=users.coleifer, content="x")
    response = client.get("/api/message/1/")
    etag = response.headers["ETag"]
    assert etag.startswith('"')
    cached = client.get("/api/message/1/", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.get_data() == b""
    assert cached.headers["ETag"] == etag
    client.patch("/api/message/1/", json={"content": "changed"}, headers=ADMIN)
    assert client.get("/api/message/1/", headers={"If-None-Match": etag}).status_code == 200


def test_if_match_refuses_lost_updates(client, api, models, users):
    models.Message.create(user=users.coleifer, content="x")
    etag = client.get("/api/message/1/").headers["ETag"]
    first = client.patch("/api/message/1/", json={"content": "first"}, headers={**ADMIN, "If-Match": etag})
    assert first.status_code == 200
    second = client.patch("/api/message/1/", json={"content": "second"}, headers={**ADMIN, "If-Match": etag})
    assert second.status_code == 412
    assert "changed" in second.get_json()["error"]
    assert client.delete("/api/message/1/", headers={**ADMIN, "If-Match": etag}).status_code == 412
    assert models.Message.get_by_id(1).content == "first"
    fresh = client.get("/api/message/1/").headers["ETag"]
    assert client.delete("/api/message/1/", headers={**ADMIN, "If-Match": fresh}).status_code == 200


class _NoDeletes(PermissionPolicy):
    def has_permission(self, auth, user, model, action, *, default):
        if action == "delete":
            return False
        return super().has_permission(auth, user, model, action, default=default)


def test_permission_policy_applies_to_writes(app, db, client):
    auth = Auth(app, db, permission_policy=_NoDeletes)
    db.create_tables()
    user = auth.User(username="admin", email="a@example.com")
    user.set_password("admin")
    user.save()

    class Note(db.Model):
        message = peewee.TextField()

    db.create_tables()
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Note)
    assert client.post("/api/note/", json={"message": "x"}, headers=ADMIN).status_code == 200
    assert client.patch("/api/note/1/", json={"message": "y"}, headers=ADMIN).status_code == 200
    response = client.delete("/api/note/1/", headers=ADMIN)
    assert response.status_code == 403
    assert response.get_json() == {"error": "Forbidden"}
    assert Note.select().count() == 1


def test_every_write_is_audited(client, api, auth, models, users):
    created = client.post("/api/message/", json={"user": 2, "content": "a"}, headers=ADMIN).get_json()
    client.patch(f"/api/message/{created['id']}/", json={"content": "b"}, headers=ADMIN)
    client.patch(f"/api/message/{created['id']}/", json={"content": "b"}, headers=ADMIN)  # no change: no entry
    client.delete(f"/api/message/{created['id']}/", headers=ADMIN)
    entries = list(auth.audit.query(model=models.Message).order_by(auth.audit.model.id))
    assert [e.action for e in entries] == ["add", "change", "delete"]
    assert {e.source for e in entries} == {"rest"}
    assert {e.username for e in entries} == {"admin"}
    assert {e.object_pk for e in entries} == {str(created["id"])}
    assert entries[1].get_changes() == {"content": ["a", "b"]}


def test_failed_write_leaves_no_audit_entry(client, api, auth, models):
    assert client.post("/api/message/", json={"user": 99, "content": "a"}, headers=ADMIN).status_code == 422
    assert auth.audit.query().count() == 0


@pytest.fixture
def tagged(app, auth, db, models, users):
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    db.create_tables([Tag, Post, Post.tags.get_through_model()])
    for name in ("python", "flask", "peewee"):
        Tag.create(name=name)
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Post)
    api.register(Tag)
    return Post, Tag


def test_many_to_many_read_and_write(client, tagged):
    response = client.post("/api/post/", json={"title": "hello", "tags": [3, 1]}, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["tags"] == [1, 3]
    assert client.get("/api/post/1/").get_json()["tags"] == [1, 3]
    assert client.patch("/api/post/1/", json={"tags": [2]}, headers=ADMIN).get_json()["tags"] == [2]
    assert client.patch("/api/post/1/", json={"title": "kept tags"}, headers=ADMIN).get_json()["tags"] == [2]
    assert client.get("/api/post/").get_json()["objects"][0]["tags"] == [2]
    assert "posts" not in client.get("/api/tag/1/").get_json()


@pytest.mark.parametrize("tags", [[1, 99], "1,2", [True], [{"id": 1}]])
def test_many_to_many_bad_ids_write_nothing(client, tagged, tags):
    post, _ = tagged
    client.post("/api/post/", json={"title": "hello", "tags": [1]}, headers=ADMIN)
    response = client.patch("/api/post/1/", json={"title": "changed", "tags": tags}, headers=ADMIN)
    assert response.status_code == 422
    assert "tags" in response.get_json()["errors"]
    assert post.get_by_id(1).title == "hello"
    assert [t.id for t in post.get_by_id(1).tags] == [1]


def test_many_to_many_ids_are_converted_by_the_key_type(client, tagged):
    response = client.post("/api/post/", json={"title": "hello", "tags": ["2", 3, "2"]}, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["tags"] == [2, 3]
    response = client.patch("/api/post/1/", json={"tags": ["two"]}, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json()["errors"]["tags"] == "expected a list of ids: 'two' is not an integer"
