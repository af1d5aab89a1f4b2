"""Deleting with ``delete_recursive``: one audit entry per row written, all in the delete's transaction."""

from __future__ import annotations

from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in


@pytest.fixture
def library(app: Flask, db: Any, auth: Any) -> Any:
    """Authors with books (deleted with them), reviews of books (too) and fans (unlinked: nullable key)."""

    class Author(db.Model):
        name = peewee.CharField()

        def __str__(self) -> str:
            return self.name

        def delete_instance(self, *args: Any, **kwargs: Any) -> Any:
            if self.name == "locked":
                raise peewee.IntegrityError("this author is locked")
            return super().delete_instance(*args, **kwargs)

    class Book(db.Model):
        author = peewee.ForeignKeyField(Author, backref="books")
        title = peewee.CharField()

    class Review(db.Model):
        book = peewee.ForeignKeyField(Book, backref="reviews")
        stars = peewee.IntegerField()

    class Fan(db.Model):
        author = peewee.ForeignKeyField(Author, backref="fans", null=True)
        name = peewee.CharField()

    admin = Admin(app, auth)
    admin.register(Author, ModelAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        authors = {}
        for name in ("ann", "locked", "other"):
            author = authors[name] = Author.create(name=name)
            for b in range(2):
                book = Book.create(author=author, title=f"{name} book {b}")
                for stars in (3, 5):
                    Review.create(book=book, stars=stars)
            for f in range(3):
                Fan.create(author=author, name=f"{name} fan {f}")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)

    class Library:
        pass

    lib = Library()
    lib.__dict__.update(Author=Author, Book=Book, Review=Review, Fan=Fan, client=client, authors=authors, db=db)
    return lib


def _delete(counting: Any, lib: Any, *names: str) -> Any:
    ids = [str(lib.authors[n].id) for n in names]
    import re

    page = lib.client.get("/admin/author/delete/", query_string={"id": ids}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with counting(lib.db.database) as statements:
        response = lib.client.post("/admin/author/delete/", data={"csrf_token": token, "id": ids})
    return page, response, statements


def test_recursive_delete_records_every_row(app: Flask, auth: Any, library: Any, counting: Any) -> None:
    lib = library
    ann = lib.authors["ann"]
    page, response, statements = _delete(counting, lib, "ann")
    assert "Book (deleted)" in page
    assert "Review (deleted)" in page
    assert "Fan (unlinked)" in page
    assert response.status_code == 302
    with app.app_context():
        assert lib.Author.select().where(lib.Author.id == ann.id).count() == 0
        assert lib.Book.select().count() == 4
        assert lib.Review.select().count() == 8
        assert lib.Fan.select().where(lib.Fan.author.is_null()).count() == 3
        entries = list(auth.audit.query())
        by_model: dict[tuple[str, str], int] = {}
        for entry in entries:
            by_model[(entry.model, entry.action)] = by_model.get((entry.model, entry.action), 0) + 1
            assert entry.source == "admin"
            assert entry.username == "boss"
        assert by_model == {
            ("author", "delete"): 1,
            ("book", "delete"): 2,
            ("review", "delete"): 4,
            ("fan", "change"): 3,
        }
        fan_changes = [e.get_changes() for e in entries if e.model == "fan"]
        assert fan_changes == [{"author": [ann.id, None]}] * 3
        review = next(e for e in entries if e.model == "review")
        assert set(review.get_changes()) == {"id", "book", "stars"}
    inserts = [s for s in statements if s.upper().startswith("INSERT")]
    assert len(inserts) == len(entries) == 10
    assert all("fp_audit_log" in s for s in inserts)  # one insert per entry, nothing else inserted


def test_bulk_delete_of_two_authors_records_each_row_once(app: Flask, auth: Any, library: Any, counting: Any) -> None:
    _page, response, _statements = _delete(counting, library, "ann", "other")
    assert response.status_code == 302
    with app.app_context():
        assert auth.audit.query(model=library.Author, action="delete").count() == 2
        assert auth.audit.query(model=library.Book, action="delete").count() == 4
        assert auth.audit.query(model=library.Fan, action="change").count() == 6


def test_failed_recursive_delete_rolls_back_rows_and_entries(
    app: Flask, auth: Any, library: Any, counting: Any
) -> None:
    _page, response, _statements = _delete(counting, library, "locked")
    assert response.status_code == 200
    assert "cannot be deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert library.Book.select().count() == 6
        assert library.Review.select().count() == 12
        assert library.Fan.select().where(library.Fan.author.is_null()).count() == 0
        assert auth.audit.query().count() == 0
