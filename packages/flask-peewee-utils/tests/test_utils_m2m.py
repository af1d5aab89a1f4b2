"""many_to_many_ends: the through model and its two foreign keys, for plain, self-referencing and deferred fields."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import peewee
import pytest

from flask_peewee.utils import ManyToManyEnds, many_to_many_ends


@pytest.fixture
def shelf(db: Any) -> SimpleNamespace:
    """Post <-> Tag (generated through model), Person <-> Person (explicit through), Book <-> Author (deferred)."""

    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    class Person(db.Model):
        name = peewee.CharField()

    class Follow(db.Model):  # declared first: the follower; second: the one followed
        follower = peewee.ForeignKeyField(Person, backref="+")
        followed = peewee.ForeignKeyField(Person, backref="+")

    Person._meta.add_field("following", peewee.ManyToManyField(Person, through_model=Follow, backref="followers"))

    deferred = peewee.DeferredThroughModel()

    class Author(db.Model):
        name = peewee.CharField()

    class Book(db.Model):
        title = peewee.CharField()
        authors = peewee.ManyToManyField(Author, backref="books", through_model=deferred)

    class BookAuthor(db.Model):
        book = peewee.ForeignKeyField(Book)
        author = peewee.ForeignKeyField(Author)

    deferred.set_model(BookAuthor)
    db.database.create_tables([Tag, Post, Post.tags.through_model, Person, Follow, Author, Book, BookAuthor])
    return SimpleNamespace(
        Tag=Tag, Post=Post, Person=Person, Follow=Follow, Author=Author, Book=Book, BookAuthor=BookAuthor
    )


def _linked(ends: ManyToManyEnds, source_id: Any) -> list[Any]:
    query = ends.through.select(ends.target).where(ends.source == source_id).order_by(ends.target)
    return [row[0] for row in query.tuples()]


def test_a_plain_field_and_its_backref(shelf: SimpleNamespace) -> None:
    through = shelf.Post.tags.through_model
    ends = many_to_many_ends(shelf.Post.tags)
    assert ends == (through, through.post, through.tag)
    assert (ends.through, ends.source, ends.target) == (through, through.post, through.tag)
    backref = many_to_many_ends(shelf.Tag.posts)
    assert backref == (through, through.tag, through.post)

    post = shelf.Post.create(title="hello")
    tags = [shelf.Tag.create(name=name) for name in ("a", "b", "c")]
    through, source, target = ends
    through.insert_many(
        [{source.name: post.id, target.name: tags[2].id}, {"post": post.id, "tag": tags[0].id}]
    ).execute()
    assert _linked(ends, post.id) == [tags[0].id, tags[2].id]
    assert _linked(backref, tags[2].id) == [post.id]
    assert sorted(t.name for t in post.tags) == ["a", "c"]  # peewee's accessor reads the same rows


def test_a_self_referencing_field_reads_from_the_first_key_to_the_second(shelf: SimpleNamespace) -> None:
    follow = shelf.Follow
    ends = many_to_many_ends(shelf.Person.following)
    assert ends == (follow, follow.follower, follow.followed)
    backref = many_to_many_ends(shelf.Person.followers)
    assert backref == (follow, follow.followed, follow.follower)
    # the order peewee gives the models of each side
    assert shelf.Person.following.get_models() == shelf.Person.followers.get_models() == [shelf.Person] * 2

    ann, bob, cid = (shelf.Person.create(name=name) for name in ("ann", "bob", "cid"))
    follow.create(follower=ann, followed=bob)
    follow.create(follower=ann, followed=cid)
    follow.create(follower=cid, followed=ann)
    assert _linked(ends, ann.id) == [bob.id, cid.id]  # whom ann follows
    assert _linked(backref, ann.id) == [cid.id]  # who follows ann
    assert _linked(ends, bob.id) == []
    assert _linked(backref, bob.id) == [ann.id]


def test_a_resolved_deferred_through_model(shelf: SimpleNamespace) -> None:
    link = shelf.BookAuthor
    assert many_to_many_ends(shelf.Book.authors) == (link, link.book, link.author)
    assert many_to_many_ends(shelf.Author.books) == (link, link.author, link.book)
    book = shelf.Book.create(title="SICP")
    author = shelf.Author.create(name="Abelson")
    link.create(book=book, author=author)
    assert _linked(many_to_many_ends(shelf.Book.authors), book.id) == [author.id]


def test_ends_that_cannot_be_told_raise(db: Any) -> None:
    class Node(db.Model):
        name = peewee.CharField()

    # peewee's generated through model of a self-reference has a single foreign key
    Node._meta.add_field("links", peewee.ManyToManyField(Node, backref="linked_from"))
    with pytest.raises(ValueError, match=r"Node\.links relates Node to itself: .* needs two foreign keys"):
        many_to_many_ends(Node.links)

    class Label(db.Model):
        name = peewee.CharField()

    class Unrelated(db.Model):
        node = peewee.ForeignKeyField(Node)

    # peewee's accessor refuses such a field when it is bound as an attribute; bound without one:
    Node._meta.add_field("labels", peewee.ManyToManyField(Label, through_model=Unrelated, backref="+"), False)
    with pytest.raises(ValueError, match="has no foreign key to Label"):
        many_to_many_ends(Node._meta.manytomany["labels"])

    pending = peewee.ManyToManyField(Label, through_model=peewee.DeferredThroughModel())
    with pytest.raises(ValueError, match="not bound to a model yet"):
        many_to_many_ends(pending)
