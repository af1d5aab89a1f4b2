"""Many-to-many writes go through the auth layer's set_links: a diff, one audit entry per link, self-references too."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.rest import Authentication, RestAPI, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


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


@pytest.fixture
def people(app, auth, db, models, users):
    """Person.following relates people to people through Follow (follower first, then followed)."""

    class Person(db.Model):
        name = peewee.CharField()

    class Follow(db.Model):
        follower = peewee.ForeignKeyField(Person, backref="+")
        followed = peewee.ForeignKeyField(Person, backref="+")

    Person._meta.add_field("following", peewee.ManyToManyField(Person, through_model=Follow, backref="followers"))
    db.create_tables([Person, Follow])
    for name in ("ann", "bob", "cid"):
        Person.create(name=name)
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Person)
    return Person, Follow


def _link_entries(auth, through):
    entries = auth.audit.query(model=through).order_by(auth.audit.model.id)
    return [(e.action, e.source, e.username, e.get_changes()["tag"]) for e in entries]


def test_each_link_added_or_removed_is_an_audit_entry(client, auth, users, tagged):
    through = tagged.tags.get_through_model()
    assert client.post("/api/post/", json={"title": "hello", "tags": [3, 1]}, headers=ADMIN).status_code == 200
    assert _link_entries(auth, through) == [("add", "rest", "admin", [None, 3]), ("add", "rest", "admin", [None, 1])]
    assert client.patch("/api/post/1/", json={"tags": [2, 1]}, headers=ADMIN).get_json()["tags"] == [1, 2]
    assert _link_entries(auth, through)[2:] == [
        ("delete", "rest", "admin", [3, None]),
        ("add", "rest", "admin", [None, 2]),
    ]
    assert client.patch("/api/post/1/", json={"tags": [1, 2]}, headers=ADMIN).status_code == 200
    assert len(_link_entries(auth, through)) == 4  # the same links: no entry
    kept = through.get(through.tag == 1).id
    assert kept == 2  # link 1 -> tag 1 was never rewritten (a clear and re-add would have renumbered it)
    entry = auth.audit.query(model=tagged, action="change").order_by(auth.audit.model.id).first()
    assert entry.get_changes() == {"tags": [[1, 3], [1, 2]]}  # the object's own entry, as before


def test_unchanged_links_cost_one_read(client, auth, count_queries, tagged):
    client.post("/api/post/", json={"title": "hello", "tags": [1, 2]}, headers=ADMIN)
    table = tagged.tags.get_through_model()._meta.table_name
    with count_queries() as statements:
        assert client.patch("/api/post/1/", json={"tags": [2, 1]}, headers=ADMIN).status_code == 200
    on_links = [s.split()[0].upper() for s in statements if table in s]
    assert on_links.count("INSERT") == on_links.count("DELETE") == 0
    with count_queries() as changed:
        assert client.patch("/api/post/1/", json={"tags": [2, 3]}, headers=ADMIN).status_code == 200
    audit_table = auth.audit.model._meta.table_name
    extra = [s.split()[0].upper() + (" audit" if audit_table in s else "") for s in changed if s not in statements]
    # one DELETE and one INSERT on the links, an entry for each, and the post's own entry (its tags changed)
    assert sorted(extra) == ["DELETE", "INSERT", "INSERT audit", "INSERT audit", "INSERT audit"]
    assert len(changed) == len(statements) + 5


def test_a_self_referencing_field_is_served_and_written(client, auth, people):
    person, follow = people
    response = client.patch("/api/person/1/", json={"following": [3, 2]}, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json() == {"id": 1, "name": "ann", "following": [2, 3]}
    assert client.post("/api/person/", json={"name": "dan", "following": [1]}, headers=ADMIN).status_code == 200
    rows = sorted(follow.select(follow.follower, follow.followed).tuples())
    assert rows == [(1, 2), (1, 3), (4, 1)]  # the field writes from the first key to the second
    assert client.get("/api/person/2/").get_json()["following"] == []
    listed = client.get("/api/person/").get_json()["objects"]
    assert [p["following"] for p in listed] == [[2, 3], [], [], [1]]
    assert "followers" not in listed[0]  # the backref is the other side's
    assert client.patch("/api/person/1/", json={"following": [3]}, headers=ADMIN).get_json()["following"] == [3]
    assert client.patch("/api/person/1/", json={"following": [9]}, headers=ADMIN).status_code == 422
    actions = [e.action for e in auth.audit.query(model=follow).order_by(auth.audit.model.id)]
    assert actions == ["add", "add", "add", "delete"]
    entry = auth.audit.query(model=person, action="change").order_by(auth.audit.model.id.desc()).first()
    assert entry.get_changes() == {"following": [[2, 3], [3]]}
    assert client.delete("/api/person/1/", headers=ADMIN).get_json() == {"deleted": 1}
    assert follow.select().count() == 0  # both directions went with ann
    deleted = auth.audit.query(model=person, action="delete").get()
    assert deleted.get_changes()["following"] == [[3], None]


def test_links_are_written_without_an_auth(app, db):
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    db.create_tables([Tag, Post, Post.tags.get_through_model()])
    Tag.insert_many([{"name": "a"}, {"name": "b"}]).execute()
    db.database.close()
    api = RestAPI(app, default_auth=Authentication(protected_methods=()))
    api.register(Post)
    client = app.test_client()
    assert client.post("/api/post/", json={"title": "x", "tags": [2, 1]}).get_json()["tags"] == [1, 2]
    assert client.patch("/api/post/1/", json={"tags": [2]}).get_json()["tags"] == [2]
    assert [t.name for t in Post.get_by_id(1).tags] == ["b"]
