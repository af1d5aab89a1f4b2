"""``auth.audit.delete`` (one entry per row a recursive delete writes) and many-to-many ids in entries."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import peewee
import pytest

from flask_peewee.auth import AuditLog
from flask_peewee.auth.testing import cascade_models


@pytest.fixture
def shelf(app: Any, auth: Any, db: Any) -> SimpleNamespace:
    """flask_peewee.auth.testing.cascade_models with tags: each author linked to tags 0 and 2."""
    return cascade_models(db, tagged=True)


def _entries(auth: Any) -> list[Any]:
    return list(auth.audit.query().order_by(auth.AuditEntry.id))


def test_recursive_delete_records_every_row_deepest_first(auth: Any, app: Any, shelf: Any, count_queries: Any) -> None:
    ann = shelf.authors["ann"]
    with app.app_context():
        with count_queries() as counter:
            deleted = auth.audit.delete(ann, recursive=True, source="script")
        assert deleted == 1
        assert shelf.Author.select().where(shelf.Author.id == ann.id).count() == 0
        assert shelf.Book.select().count() == 4
        assert shelf.Review.select().count() == 8
        assert shelf.Fan.select().where(shelf.Fan.author.is_null()).count() == 3
        assert shelf.through.select().count() == 4
        entries = _entries(auth)
    actions = [(e.model, e.action) for e in entries]
    through = shelf.through._meta.table_name
    assert sorted(actions) == sorted(
        [("review", "delete")] * 4
        + [("book", "delete")] * 2
        + [("fan", "change")] * 3
        + [(through, "delete")] * 2
        + [("author", "delete")]
    )
    last_review = max(i for i, a in enumerate(actions) if a[0] == "review")
    assert last_review < min(i for i, a in enumerate(actions) if a[0] == "book")  # deepest rows first
    assert actions[-1] == ("author", "delete")
    assert {e.source for e in entries} == {"script"}
    assert [e.get_changes() for e in entries if e.model == "fan"] == [{"author": [ann.id, None]}] * 3
    tag_ids = sorted([shelf.tags[0].id, shelf.tags[2].id])
    assert entries[-1].get_changes() == {"id": [ann.id, None], "name": ["ann", None], "tags": [tag_ids, None]}
    assert counter.count("INSERT") == len(entries) == 12  # one INSERT per entry, nothing else inserted


def test_dependents_are_read_and_written_in_batches(
    auth: Any, app: Any, shelf: Any, count_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flask_peewee.auth._audit._BATCH", 2)
    with app.app_context():
        with count_queries() as counter:
            auth.audit.delete(shelf.authors["other"], recursive=True)
        review_selects = [s for s in counter.statements if s.startswith("SELECT") and "review" in s.split("FROM")[1]]
        assert len(review_selects) == 3  # 4 reviews: two full batches, then the empty one
        assert all("LIMIT" in s for s in review_selects)
        assert auth.audit.query(model=shelf.Review, action="delete").count() == 4
        assert auth.audit.query(model=shelf.Fan, action="change").count() == 3
        assert shelf.Review.select().count() == 8


def test_a_failing_entry_undoes_rows_and_entries(auth: Any, app: Any, shelf: Any) -> None:
    class Guarded(AuditLog):
        def record(self, action: str, instance: Any, **options: Any) -> Any:
            if type(instance).__name__ == "Book":
                raise RuntimeError("the audit log is unavailable")
            return super().record(action, instance, **options)

    audit = Guarded(auth)
    with app.app_context():
        with pytest.raises(RuntimeError):
            audit.delete(shelf.authors["ann"], recursive=True)
        assert shelf.Review.select().count() == 12
        assert shelf.Fan.select().where(shelf.Fan.author.is_null()).count() == 0
        assert auth.audit.query().count() == 0


def test_the_models_own_delete_instance_runs(auth: Any, app: Any, shelf: Any) -> None:
    with app.app_context():
        with pytest.raises(peewee.IntegrityError):
            auth.audit.delete(shelf.authors["locked"], recursive=True)
        assert shelf.Book.select().count() == 6
        assert auth.audit.query().count() == 0


def test_a_row_already_gone_is_not_recorded_twice(auth: Any, app: Any, shelf: Any) -> None:
    with app.app_context():
        book = shelf.Book.select().where(shelf.Book.author == shelf.authors["ann"]).first()
        assert auth.audit.delete(shelf.authors["ann"], recursive=True) == 1
        assert auth.audit.delete(book, recursive=True) == 0
        assert auth.audit.query(model=shelf.Book, pk=book.id).count() == 1


def test_without_recursive_only_the_row_goes(auth: Any, app: Any, shelf: Any) -> None:
    with app.app_context():
        review = shelf.Review.get()
        assert auth.audit.delete(review) == 1
        assert [(e.model, e.action) for e in _entries(auth)] == [("review", "delete")]
        assert shelf.Review.select().count() == 11


def test_many_to_many_ids_in_add_change_and_snapshot(auth: Any, app: Any, shelf: Any) -> None:
    tags = shelf.tags
    with app.app_context():
        author = shelf.Author.create(name="new")
        author.tags.add([tags[1], tags[0]])
        added = auth.audit.record("add", author, many_to_many=["tags"])
        assert added.get_changes() == {
            "id": [None, author.id],
            "name": [None, "new"],
            "tags": [None, sorted([tags[0].id, tags[1].id])],
        }
        before = auth.audit.snapshot(author, many_to_many=True)
        assert before["tags"] == sorted([tags[0].id, tags[1].id])
        assert auth.audit.record("change", author, before=before, many_to_many=["tags"]) is None  # nothing changed
        author.tags.remove([tags[0]])
        author.tags.add([tags[2]])
        changed = auth.audit.record("change", author, before=before, many_to_many=["tags"])
        assert changed.get_changes() == {"tags": [sorted([tags[0].id, tags[1].id]), sorted([tags[1].id, tags[2].id])]}
        assert auth.audit.many_to_many_ids(author) == {"tags": sorted([tags[1].id, tags[2].id])}
        assert auth.audit.snapshot(author) == {"id": author.id, "name": "new"}  # no links unless asked


@pytest.mark.backends("sqlite")
def test_many_to_many_names_are_checked(auth: Any, app: Any, shelf: Any, db: Any) -> None:
    class Person(db.Model):
        __sensitive_fields__ = ("secret_tags",)
        name = peewee.CharField()
        secret_tags = peewee.ManyToManyField(shelf.Tag, backref="people")

    db.create_tables([Person, Person.secret_tags.get_through_model()])
    with app.app_context():
        person = Person.create(name="p")
        person.secret_tags.add([shelf.tags[0]])
        assert auth.audit.many_to_many_ids(person) == {}  # a sensitive relation is never recorded
        with pytest.raises(ValueError, match="no many-to-many field 'name'"):
            auth.audit.snapshot(person, many_to_many=["name"])
        assert auth.audit.many_to_many_ids(shelf.tags[0], True) == {}  # backrefs are the other side's
