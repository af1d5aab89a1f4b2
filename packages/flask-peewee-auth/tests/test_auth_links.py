"""set_links and AuditLog.set_links: many-to-many links written as a diff, one audit entry per link."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import peewee
import pytest

from flask_peewee.auth import set_links


@pytest.fixture
def graph(auth: Any, db: Any) -> SimpleNamespace:
    """Posts with tags (generated through model) and people following people (two keys to Person)."""

    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    class Person(db.Model):
        name = peewee.CharField()

    class Follow(db.Model):
        follower = peewee.ForeignKeyField(Person, backref="+")
        followed = peewee.ForeignKeyField(Person, backref="+")

    Person._meta.add_field("following", peewee.ManyToManyField(Person, through_model=Follow, backref="followers"))
    through = Post.tags.through_model
    db.create_tables([Tag, Post, through, Person, Follow])
    tags = [Tag.create(name=f"tag{i}") for i in range(4)]
    people = {name: Person.create(name=name) for name in ("ann", "bob", "cid")}
    post = Post.create(title="hello")
    db.database.close()
    return SimpleNamespace(
        Tag=Tag, Post=Post, through=through, tags=tags, post=post, Person=Person, Follow=Follow, people=people
    )


def _tag_ids(graph: SimpleNamespace) -> list[int]:
    query = graph.through.select(graph.through.tag).where(graph.through.post == graph.post.id)
    return sorted(row[0] for row in query.tuples())


def _follows(graph: SimpleNamespace) -> set[tuple[str, str]]:
    rows = graph.Follow.select(graph.Follow.follower, graph.Follow.followed).tuples()
    names = {p.id: p.name for p in graph.people.values()}
    return {(names[a], names[b]) for a, b in rows}


def test_only_the_difference_is_written(
    app: Any, auth: Any, db: Any, graph: SimpleNamespace, count_queries: Any
) -> None:
    t0, t1, t2, t3 = graph.tags
    with app.app_context():
        assert set_links(graph.post, graph.Post.tags, [t2, t0.id, t2]) == ([t2.id, t0.id], [])
        assert _tag_ids(graph) == [t0.id, t2.id]
        with db.database.atomic(), count_queries() as counter:
            assert set_links(graph.post, graph.Post.tags, [t0.id, t2.id]) == ([], [])
        assert counter.count() == counter.count("SELECT") == 1  # unchanged: one read
        with db.database.atomic(), count_queries() as counter:
            assert set_links(graph.post, graph.Post.tags, [t3, t1, t0]) == ([t3.id, t1.id], [t2.id])
        assert (counter.count("SELECT"), counter.count("DELETE"), counter.count("INSERT")) == (1, 1, 1)
        assert _tag_ids(graph) == [t0.id, t1.id, t3.id]
        assert set_links(graph.post, graph.Post.tags, []) == ([], [t0.id, t3.id, t1.id])  # in the order made
        assert _tag_ids(graph) == []
        assert graph.post.tags.count() == 0  # peewee's accessor agrees
        assert auth.audit.query().count() == 0  # no audit log given: nothing recorded


def test_the_audit_log_gets_one_entry_per_link(app: Any, auth: Any, user: Any, graph: SimpleNamespace) -> None:
    t0, t1, t2, _ = graph.tags
    through = graph.through
    with app.app_context():
        graph.post.tags.add([t0, t1])
        link_ids = {row.tag_id: row.id for row in through.select()}
        added, removed = auth.audit.set_links(graph.post, graph.Post.tags, [t1, t2], source="import", user=user)
        assert (added, removed) == ([t2.id], [t0.id])
        entries = list(auth.audit.query(model=through).order_by(auth.AuditEntry.id))
    assert [(e.action, e.source, e.user_id) for e in entries] == [
        ("delete", "import", user.id),
        ("add", "import", user.id),
    ]
    assert entries[0].object_pk == str(link_ids[t0.id])
    assert entries[0].get_changes() == {
        "id": [link_ids[t0.id], None],
        "post": [graph.post.id, None],
        "tag": [t0.id, None],
    }
    new_id = through.get(through.tag == t2.id).id
    assert entries[1].get_changes() == {"id": [None, new_id], "post": [None, graph.post.id], "tag": [None, t2.id]}
    assert auth.audit.query(model=graph.Post).count() == 0  # the object's own entry is the caller's


def test_a_self_referencing_field_links_from_the_first_key(app: Any, auth: Any, graph: SimpleNamespace) -> None:
    ann, bob, cid = (graph.people[name] for name in ("ann", "bob", "cid"))
    Person = graph.Person
    with app.app_context():
        assert auth.audit.set_links(ann, Person.following, [bob, cid]) == ([bob.id, cid.id], [])
        assert auth.audit.set_links(bob, Person.followers, [ann, cid.id]) == ([cid.id], [])  # the backref: other way
        assert _follows(graph) == {("ann", "bob"), ("ann", "cid"), ("cid", "bob")}
        assert auth.audit.many_to_many_ids(ann) == {"following": sorted([bob.id, cid.id])}
        assert auth.audit.many_to_many_ids(cid, ["following"]) == {"following": [bob.id]}
        before = auth.audit.snapshot(ann, many_to_many=True)
        assert auth.audit.set_links(ann, Person.following, [cid]) == ([], [bob.id])
        entry = auth.audit.record("change", ann, before=before, many_to_many=True)
        assert entry.get_changes() == {"following": [sorted([bob.id, cid.id]), [cid.id]]}
        assert _follows(graph) == {("ann", "cid"), ("cid", "bob")}
        actions = [e.action for e in auth.audit.query(model=graph.Follow).order_by(auth.AuditEntry.id)]
    assert actions == ["add", "add", "add", "delete"]


def test_its_own_transaction_when_the_caller_has_none(app: Any, db: Any, graph: SimpleNamespace) -> None:
    t0, t1, _, _ = graph.tags
    with app.app_context():
        set_links(graph.post, graph.Post.tags, [t0])
        with pytest.raises(peewee.IntegrityError):
            set_links(graph.post, graph.Post.tags, [t1, None])  # the NULL link fails after the delete
        assert _tag_ids(graph) == [t0.id]  # rolled back: the old link is still there
        with db.database.atomic() as transaction:  # in the caller's transaction, which is then rolled back
            set_links(graph.post, graph.Post.tags, [t1])
            assert _tag_ids(graph) == [t1.id]
            transaction.rollback()
        assert _tag_ids(graph) == [t0.id]


def test_an_unsaved_object_is_refused(app: Any, graph: SimpleNamespace) -> None:
    with app.app_context(), pytest.raises(ValueError, match="cannot link an unsaved Post through 'tags'"):
        set_links(graph.Post(title="draft"), graph.Post.tags, [graph.tags[0]])
