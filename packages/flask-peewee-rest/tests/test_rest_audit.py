"""The audit log of REST writes: rows a recursive delete reaches, and many-to-many changes."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.auth import AuditLog
from flask_peewee.rest import (
    AdminAuthentication,
    ApiError,
    Authentication,
    RestAPI,
    RestResource,
    UserAuthentication,
)

from .conftest import basic

ADMIN = basic("admin")


@pytest.fixture
def thread(db, models, users):
    """A message of coleifer with two comments (one with a like), a reply pointing at it, and a bookmark."""

    class Comment(db.Model):
        message = peewee.ForeignKeyField(models.Message, backref="comments")
        text = peewee.TextField()

    class Like(db.Model):
        comment = peewee.ForeignKeyField(Comment, backref="likes")

    class Bookmark(db.Model):
        message = peewee.ForeignKeyField(models.Message, null=True, backref="bookmarks")
        label = peewee.CharField()

    db.create_tables()
    message = models.Message.create(user=users.coleifer, content="hello")
    first = Comment.create(message=message, text="first")
    Comment.create(message=message, text="second")
    Like.create(comment=first)
    Bookmark.create(message=message, label="later")
    db.database.close()
    return Comment, Like, Bookmark


def _entries(auth):
    return [(e.model, e.action, e.object_pk) for e in auth.audit.query().order_by(auth.audit.model.id)]


def test_recursive_delete_audits_every_row(app, auth, client, models, users, thread):
    comment, like, bookmark = thread
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    response = client.delete("/api/message/1/", headers=ADMIN)
    assert response.get_json() == {"deleted": 1}
    assert models.Message.select().count() == comment.select().count() == like.select().count() == 0
    assert bookmark.get_by_id(1).message_id is None
    entries = _entries(auth)
    assert sorted(entries[:-1]) == [
        ("bookmark", "change", "1"),
        ("comment", "delete", "1"),
        ("comment", "delete", "2"),
        ("like", "delete", "1"),
    ]
    assert entries.index(("like", "delete", "1")) < entries.index(("comment", "delete", "1"))
    assert entries[-1] == ("message", "delete", "1")
    query = auth.audit.query(model=bookmark, pk=1)
    assert query.get().get_changes() == {"message": [1, None]}
    deleted = auth.audit.query(model=comment, pk=2).get()
    assert deleted.get_changes() == {"id": [2, None], "message": [1, None], "text": ["second", None]}
    assert {(e.source, e.username) for e in auth.audit.query()} == {("rest", "admin")}


def test_deleting_a_user_audits_the_messages_it_takes_along(app, auth, client, models, users):
    models.Message.create(user=users.coleifer, content="a")
    models.Message.create(user=users.coleifer, content="b")
    models.Message.create(user=users.admin, content="kept")
    api = RestAPI(app, default_auth=AdminAuthentication(auth))
    api.register(models.User)
    assert client.delete("/api/user/2/", headers=ADMIN).get_json() == {"deleted": 1}
    assert [m.content for m in models.Message.select()] == ["kept"]
    assert _entries(auth) == [("message", "delete", "1"), ("message", "delete", "2"), ("user", "delete", "2")]


class _GuardedAudit(AuditLog):
    """An app's audit log that refuses to record the deletion of a message (so the delete must not happen)."""

    def record(self, action, instance, **options):
        if action == "delete" and type(instance).__name__ == "Message":
            raise ApiError(503, "The audit log is unavailable")
        return super().record(action, instance, **options)


def test_a_failed_audit_undoes_the_whole_cascade(app, auth, client, models, users, thread):
    comment, like, bookmark = thread
    auth.audit = _GuardedAudit(auth)
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    response = client.delete("/api/message/1/", headers=ADMIN)
    assert response.status_code == 503
    assert (models.Message.select().count(), comment.select().count(), like.select().count()) == (1, 2, 1)
    assert bookmark.get_by_id(1).message_id == 1
    assert auth.audit.query().count() == 0


def test_without_delete_recursive_nothing_cascades(app, auth, client, models, users, thread):
    class MessageResource(RestResource):
        delete_recursive = False

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, MessageResource)
    assert client.delete("/api/message/1/", headers=ADMIN).status_code == 409
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
    return Post


def test_many_to_many_changes_are_in_the_object_entry(client, auth, tagged):
    post = tagged
    created = client.post("/api/post/", json={"title": "hello", "tags": [3, 1]}, headers=ADMIN)
    assert created.status_code == 200
    client.patch("/api/post/1/", json={"tags": [2, 1, 2]}, headers=ADMIN)
    client.patch("/api/post/1/", json={"tags": [1, 2]}, headers=ADMIN)  # same ids: no entry
    client.patch("/api/post/1/", json={"title": "renamed"}, headers=ADMIN)  # tags untouched
    client.patch("/api/post/1/", json={"title": "again", "tags": []}, headers=ADMIN)
    entries = list(auth.audit.query(model=post).order_by(auth.audit.model.id))
    assert [e.action for e in entries] == ["add", "change", "change", "change"]
    assert entries[0].get_changes() == {"id": [None, 1], "title": [None, "hello"], "tags": [None, [1, 3]]}
    assert entries[1].get_changes() == {"tags": [[1, 3], [1, 2]]}
    assert entries[2].get_changes() == {"title": ["hello", "renamed"]}
    assert entries[3].get_changes() == {"title": ["renamed", "again"], "tags": [[1, 2], []]}


def test_deleting_an_object_records_its_many_to_many_ids(client, auth, tagged):
    post = tagged
    client.post("/api/post/", json={"title": "hello", "tags": [2, 3]}, headers=ADMIN)
    assert client.delete("/api/post/1/", headers=ADMIN).get_json() == {"deleted": 1}
    entry = auth.audit.query(model=post, action="delete").get()
    assert entry.get_changes() == {"id": [1, None], "title": ["hello", None], "tags": [[2, 3], None]}
    through = post.tags.get_through_model()
    assert through.select().count() == 0
    assert auth.audit.query(model=through, action="delete").count() == 2


def test_writes_without_an_auth_still_work(app, db, client):
    class Note(db.Model):
        message = peewee.TextField()

    class Reply(db.Model):
        note = peewee.ForeignKeyField(Note)

    db.create_tables()
    Reply.create(note=Note.create(message="x"))
    db.database.close()

    api = RestAPI(app, default_auth=Authentication(protected_methods=()))
    api.register(Note)
    assert client.delete("/api/note/1/").get_json() == {"deleted": 1}
    assert Reply.select().count() == Note.select().count() == 0
