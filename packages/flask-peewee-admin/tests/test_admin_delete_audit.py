"""Deleting with ``delete_recursive``: one audit entry per row written, all in the delete's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import cascade_models, create_user, form_csrf_token, log_in


@pytest.fixture
def library(app: Flask, db: Any, auth: Any) -> Any:
    """flask_peewee.auth.testing.cascade_models (untagged) in an admin, with a logged-in superuser client."""
    lib = cascade_models(db)
    admin = Admin(app, auth)
    admin.register(lib.Author, ModelAdmin)
    admin.setup()
    db.create_tables()
    boss = create_user(app, auth, "boss", "x", email="", admin=True, active=True)
    lib.client = app.test_client()
    lib.db = db
    log_in(lib.client, boss)
    return lib


def _delete(count_queries: Any, lib: Any, *names: str) -> Any:
    ids = [str(lib.authors[n].id) for n in names]
    page = lib.client.get("/admin/author/delete/", query_string={"id": ids}).get_data(as_text=True)
    token = form_csrf_token(lib.client, "/admin/author/delete/?" + "&".join(f"id={i}" for i in ids))
    with count_queries() as statements:
        response = lib.client.post("/admin/author/delete/", data={"csrf_token": token, "id": ids})
    return page, response, statements


def test_recursive_delete_records_every_row(app: Flask, auth: Any, library: Any, count_queries: Any) -> None:
    lib = library
    ann = lib.authors["ann"]
    page, response, statements = _delete(count_queries, lib, "ann")
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


def test_bulk_delete_of_two_authors_records_each_row_once(
    app: Flask, auth: Any, library: Any, count_queries: Any
) -> None:
    _page, response, _statements = _delete(count_queries, library, "ann", "other")
    assert response.status_code == 302
    with app.app_context():
        assert auth.audit.query(model=library.Author, action="delete").count() == 2
        assert auth.audit.query(model=library.Book, action="delete").count() == 4
        assert auth.audit.query(model=library.Fan, action="change").count() == 6


def test_failed_recursive_delete_rolls_back_rows_and_entries(
    app: Flask, auth: Any, library: Any, count_queries: Any
) -> None:
    _page, response, _statements = _delete(count_queries, library, "locked")
    assert response.status_code == 200
    assert "cannot be deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert library.Book.select().count() == 6
        assert library.Review.select().count() == 12
        assert library.Fan.select().where(library.Fan.author.is_null()).count() == 0
        assert auth.audit.query().count() == 0
