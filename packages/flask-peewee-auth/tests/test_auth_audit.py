"""The audit log: what a record holds, its cost (one INSERT), sensitive fields, requests and scripts, queries."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import peewee
import pytest

from flask_peewee.auth import AuditLog
from flask_peewee.auth.testing import log_in


@pytest.fixture
def item_model(auth, db):
    class Item(db.Model):
        name = peewee.CharField()
        price = peewee.DecimalField(max_digits=8, decimal_places=2, null=True)
        added = peewee.DateField(null=True)
        seen = peewee.DateTimeField(null=True)
        ref = peewee.UUIDField(null=True)
        owner = peewee.ForeignKeyField(auth.User, null=True, backref="items")
        secret = peewee.CharField(null=True)

        __sensitive_fields__ = ("secret",)

    db.create_tables([Item])
    db.database.close()
    return Item


def test_audit_is_an_audit_log(auth):
    assert isinstance(auth.audit, AuditLog)
    assert auth.audit.model is auth.AuditEntry


def test_add_records_every_value_json_ready_in_one_insert(auth, app, user, item_model, count_queries):
    with app.app_context():
        item = item_model.create(
            name="lamp",
            price=decimal.Decimal("12.5"),
            added=datetime.date(2024, 5, 1),
            seen=datetime.datetime(2024, 5, 1, 18, 36, 15),
            ref=uuid.UUID("12345678-1234-5678-1234-567812345678"),
            owner=user,
            secret="hunter2",
        )
        with count_queries() as counter:
            entry = auth.audit.record("add", item)
        assert counter.count() == 1
        assert counter.count("INSERT") == 1
        stored = auth.AuditEntry.get_by_id(entry.id)
    assert stored.action == "add"
    assert stored.model == "item"
    assert stored.object_pk == str(item.id)
    assert stored.source == "app"
    assert (stored.user_id, stored.username, stored.remote_addr) == (None, None, None)  # a script: no user
    assert isinstance(stored.created, datetime.datetime)
    assert stored.get_changes() == {
        "id": [None, item.id],
        "name": [None, "lamp"],
        "price": [None, "12.50"],
        "added": [None, "2024-05-01"],
        "seen": [None, "2024-05-01T18:36:15"],
        "ref": [None, "12345678-1234-5678-1234-567812345678"],
        "owner": [None, user.id],
        "secret": [None, "<hidden>"],
    }
    assert "hunter2" not in stored.changes


def test_change_records_only_changed_fields(auth, app, item_model, count_queries):
    with app.app_context():
        item = item_model.create(name="lamp", price=decimal.Decimal("1.50"))
        before = auth.audit.snapshot(item)
        item.name = "desk lamp"
        item.price = decimal.Decimal("1.5")  # the same value written differently is no change
        item.save()
        with count_queries() as counter:
            entry = auth.audit.record("change", item, before=before, source="script")
        assert counter.count() == 1
    assert entry.get_changes() == {"name": ["lamp", "desk lamp"]}
    assert entry.source == "script"


def test_a_change_that_changed_nothing_records_nothing(auth, app, item_model, count_queries):
    with app.app_context():
        item = item_model.create(name="lamp")
        before = auth.audit.snapshot(item)
        with count_queries() as counter:
            assert auth.audit.record("change", item, before=before) is None
        assert counter.count() == 0
        assert auth.AuditEntry.select().count() == 0


def test_snapshot_reads_memory_only(auth, app, item_model, count_queries):
    with app.app_context():
        item = item_model.create(name="lamp")
        partial = item_model.select(item_model.id, item_model.name).get()
        with count_queries() as counter:
            assert auth.audit.snapshot(partial) == {"id": item.id, "name": "lamp"}
        assert counter.count() == 0


def test_password_change_is_recorded_without_any_hash(auth, app, user, count_queries):
    old_hash = user.password
    with app.app_context():
        before = auth.audit.snapshot(user)
        user.set_password("a new password")
        user.email = "new@example.com"
        user.save()
        with count_queries() as counter:
            entry = auth.audit.record("change", user, before=before)
        assert counter.count("INSERT") == 1
    assert entry.get_changes() == {
        "password": ["<hidden>", "<hidden>"],
        "email": ["alice@example.com", "new@example.com"],
    }
    assert old_hash not in entry.changes
    assert user.password not in entry.changes
    assert json.dumps(before).find(old_hash) == -1  # the snapshot holds a digest, not the hash


def test_delete_records_the_old_values(auth, app, item_model):
    with app.app_context():
        item = item_model.create(name="lamp", secret="s")
        pk = item.id
        item.delete_instance()
        entry = auth.audit.record("delete", item)
    assert entry.action == "delete"
    assert entry.object_pk == str(pk)
    assert entry.get_changes() == {"id": [pk, None], "name": ["lamp", None], "secret": ["<hidden>", None]}


def test_record_inside_a_request_fills_user_and_address(auth, app, client, user, item_model, count_queries):
    @app.route("/rename/<int:pk>/", methods=["POST"])
    @auth.login_required
    def rename(pk):
        item = item_model.get_by_id(pk)
        before = auth.audit.snapshot(item)
        item.name = "renamed"
        with auth.db.database.atomic():
            item.save()
            auth.audit.record("change", item, before=before, source="admin")
        return "ok"

    with app.app_context():
        item = item_model.create(name="lamp")
    auth.db.database.close()
    log_in(client, user)
    with count_queries() as counter:
        response = client.post(f"/rename/{item.id}/", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.get_data(as_text=True) == "ok"
    audit_statements = [sql for sql in counter.statements if "fp_audit_log" in sql]
    assert len(audit_statements) == 1
    assert audit_statements[0].lstrip().upper().startswith("INSERT")
    with app.app_context():
        entry = auth.audit.query(model=item_model, pk=item.id).get()
    assert (entry.user_id, entry.username, entry.remote_addr) == (user.id, "alice", "203.0.113.9")
    assert entry.source == "admin"
    assert entry.get_changes() == {"name": ["lamp", "renamed"]}


def test_explicit_user_and_address(auth, app, user, item_model):
    with app.app_context():
        item = item_model.create(name="lamp")
        entry = auth.audit.record("add", item, user=user, remote_addr="192.0.2.1")
    assert (entry.user_id, entry.username, entry.remote_addr) == (user.id, "alice", "192.0.2.1")


def _failing_write(auth, item_model):
    with auth.db.database.atomic():
        item = item_model.create(name="lamp")
        auth.audit.record("add", item)
        raise RuntimeError("the request failed")


def test_a_write_and_its_record_roll_back_together(auth, app, item_model):
    with app.app_context():
        with pytest.raises(RuntimeError):
            _failing_write(auth, item_model)
        assert item_model.select().count() == 0
        assert auth.AuditEntry.select().count() == 0


def test_bad_arguments_are_refused(auth, app, item_model):
    with app.app_context():
        item = item_model.create(name="lamp")
        with pytest.raises(ValueError, match="unknown audit action 'edit'"):
            auth.audit.record("edit", item)
        with pytest.raises(ValueError, match="needs before="):
            auth.audit.record("change", item)


def test_query_filters_and_orders_newest_first(auth, app, user, new_user, item_model):
    bob = new_user("bob")
    with app.app_context():
        lamp = item_model.create(name="lamp")
        desk = item_model.create(name="desk")
        first = auth.audit.record("add", lamp, user=user)
        second = auth.audit.record("add", desk, user=bob)
        before = auth.audit.snapshot(lamp)
        lamp.name = "lamp 2"
        lamp.save()
        third = auth.audit.record("change", lamp, before=before, user=bob)
        fourth = auth.audit.record("add", user, user=user)
        ids = lambda query: [e.id for e in query]  # noqa: E731
        assert ids(auth.audit.query()) == [fourth.id, third.id, second.id, first.id]
        assert ids(auth.audit.query(model=item_model)) == [third.id, second.id, first.id]
        assert ids(auth.audit.query(model="item", pk=lamp.id)) == [third.id, first.id]
        assert ids(auth.audit.query(model=item_model, pk=lamp)) == [third.id, first.id]
        assert ids(auth.audit.query(user=bob)) == [third.id, second.id]
        assert ids(auth.audit.query(user=bob.id, action="change")) == [third.id]
        assert ids(auth.audit.query(model=auth.User)) == [fourth.id]
        assert ids(auth.audit.query(user=auth.User(username="unsaved"))) == []


def test_deleting_the_user_keeps_their_entries(auth, app, user, item_model):
    with app.app_context():
        item = item_model.create(name="lamp")
        auth.audit.record("add", item, user=user)
        item_model.delete().execute()
        auth.User.delete().execute()
        entry = auth.audit.query(user=user.id).get()
    assert (entry.user_id, entry.username) == (user.id, "alice")


def test_get_changes_survives_damaged_text(auth, app, item_model):
    with app.app_context():
        entry = auth.audit.record("add", item_model.create(name="lamp"))
        entry.changes = "not json"
        assert entry.get_changes() == {}
        assert str(entry).endswith(f"(no user) add item {entry.object_pk}")


def test_a_user_of_another_model_is_recorded_by_name_only(auth, app, db, item_model):
    class APIKey(db.Model):
        key = peewee.CharField()

        def __str__(self):
            return f"key {self.key}"

    db.create_tables([APIKey])
    with app.app_context():
        api_key = APIKey.create(key="k1")
        entry = auth.audit.record("add", item_model.create(name="lamp"), user=api_key)
    assert (entry.user_id, entry.username) == (None, "key k1")


def test_an_entry_model_overriding_save_or_create_has_its_override_called(auth, app, item_model, monkeypatch):
    calls = []

    class Saving(auth.AuditEntry):
        def save(self, *args, **kwargs):
            calls.append("save")
            self.source = "custom"
            return super().save(*args, **kwargs)

        class Meta:
            table_name = auth.AuditEntry._meta.table_name

    class Creating(auth.AuditEntry):
        @classmethod
        def create(cls, **query):
            calls.append("create")
            return super().create(**query)

        class Meta:
            table_name = auth.AuditEntry._meta.table_name

    with app.app_context():
        item = item_model.create(name="lamp")
        monkeypatch.setattr(auth, "AuditEntry", Saving)
        saved = auth.audit.record("add", item)
        monkeypatch.setattr(auth, "AuditEntry", Creating)
        created = auth.audit.record("delete", item)
        plain = auth.audit.record("add", item, source="plain")  # Creating.create, not insert_row
    assert calls == ["save", "create", "create"]
    assert Saving.get_by_id(saved.id).source == "custom"
    assert created.id != saved.id
    assert plain.source == "plain"
