"""model_to_dict / dict_to_model / insert_instance round trips on every backend."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from types import SimpleNamespace

import peewee
import pytest

from flask_peewee.db import Database
from flask_peewee.utils import DataError, QueryError, backend_name, dict_to_model, insert_instance, model_to_dict
from flask_peewee.utils.internal import dict_writer


def test_foreign_keys_datetimes_and_decimals_in_the_wire_format(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "third")
    data = model_to_dict(message)
    assert data == {
        "id": message.id,
        "user": models.users["admin"].id,
        "content": "third",
        "pub_date": "2012-01-01T00:00:00",
        "score": "1.50",
        "rating": None,
    }
    assert json.loads(json.dumps(data)) == data


def test_sensitive_fields_are_never_serialized(models: SimpleNamespace) -> None:
    admin = models.User.get(models.User.username == "admin")
    assert "password" not in model_to_dict(admin)
    assert model_to_dict(admin, fields=("password", "username")) == {"username": "admin"}
    assert model_to_dict(admin, exclude=("email", "age", "active")) == {"id": admin.id, "username": "admin"}


def test_a_dict_writer_writes_what_model_to_dict_writes(models: SimpleNamespace) -> None:
    users = list(models.User.select().order_by(models.User.id))
    for options in ({}, {"fields": ("password", "username")}, {"exclude": ("email", "age")}):
        write = dict_writer(models.User, **options)
        assert [write(user) for user in users] == [model_to_dict(user, **options) for user in users]
    messages = list(models.Message.select())
    write = dict_writer(models.Message, exclude=("user_id",))
    assert [write(m) for m in messages] == [model_to_dict(m, exclude=("user_id",)) for m in messages]
    assert all("password" not in dict_writer(models.User)(user) for user in users)


def test_nested_objects_on_request(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "hello api")
    data = model_to_dict(message, fields=("id", "user"), nested={"user": {"exclude": ("email",)}})
    assert data == {
        "id": message.id,
        "user": {"id": models.users["bob"].id, "username": "bob", "active": False, "age": None},
    }
    plain = model_to_dict(message, nested={"user": None}, exclude=("pub_date", "score", "rating", "content"))
    assert set(plain["user"]) == {"id", "username", "email", "active", "age"}
    relationship = models.Relationship.select().order_by(models.Relationship.id).first()
    both = model_to_dict(relationship, nested={"from_user": {"fields": ["username"]}, "to_user": {"fields": ["id"]}})
    alice_id = models.users["Alice"].id
    assert both == {"id": relationship.id, "from_user": {"username": "admin"}, "to_user": {"id": alice_id}}


def test_fields_and_exclude_accept_the_id_name(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "third")
    assert model_to_dict(message, fields=("user_id",)) == {"user": models.users["admin"].id}
    assert "user" not in model_to_dict(message, exclude=("user_id",))


def test_create_from_the_docs_datetime_form(models: SimpleNamespace) -> None:
    admin_id = models.users["admin"].id
    message = dict_to_model(
        models.Message,
        {"user_id": admin_id, "content": "new", "pub_date": "2011-09-16 18:36:15", "score": "2.5", "rating": 4},
    )
    message.save()
    stored = models.Message.get_by_id(message.id)
    assert stored.user_id == admin_id
    assert stored.pub_date == datetime.datetime(2011, 9, 16, 18, 36, 15)
    assert model_to_dict(stored)["score"] == "2.50"
    assert stored.rating == 4.0


def test_round_trip_of_serialized_output(models: SimpleNamespace) -> None:
    original = models.Message.get(models.Message.content == "third")
    data = model_to_dict(original)
    copy = dict_to_model(models.Message, data)
    copy.save()
    assert copy.id != original.id  # the primary key is never written from data
    assert model_to_dict(models.Message.get_by_id(copy.id)) == {**data, "id": copy.id}


def test_foreign_key_as_nested_object_and_both_spellings(models: SimpleNamespace) -> None:
    bob = models.users["bob"].id
    base = {"content": "c", "pub_date": "2011-09-16T18:36:15"}
    assert dict_to_model(models.Message, {**base, "user": {"id": bob, "username": "bob"}}).user_id == bob
    assert dict_to_model(models.Message, {**base, "user": bob, "user_id": str(bob)}).user_id == bob
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, {**base, "user": bob, "user_id": models.users["admin"].id})
    assert set(info.value.errors) == {"user"}
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, {**base, "user": {"username": "bob"}})
    assert "id" in info.value.errors["user"]


def test_missing_related_row_is_a_field_error(models: SimpleNamespace) -> None:
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, {"user": 99999, "content": "c", "pub_date": "2011-09-16T18:36:15"})
    assert info.value.errors == {"user": "no User with id 99999"}


def test_required_fields_and_nulls(models: SimpleNamespace) -> None:
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, {"rating": None})
    assert info.value.errors == {
        "user": "this field is required",
        "content": "this field is required",
        "pub_date": "this field is required",
    }
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, {"user": None, "content": None, "pub_date": "2011-09-16"})
    assert info.value.errors == {"user": "may not be null", "content": "may not be null"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"content": 5}, "content"),
        ({"content": "a\x00b"}, "content"),
        ({"content": "\ud800"}, "content"),
        ({"pub_date": "nope"}, "pub_date"),
        ({"pub_date": "2011-02-30 10:00:00"}, "pub_date"),
        ({"pub_date": 1316198175}, "pub_date"),
        ({"score": "12345678901.5"}, "score"),
        ({"score": "abc"}, "score"),
        ({"score": "NaN"}, "score"),
        ({"rating": "inf"}, "rating"),
        ({"rating": True}, "rating"),
        ({"user": "x"}, "user"),
        ({"user": 2**70}, "user"),
        ({"user": [1]}, "user"),
    ],
)
def test_bad_values_are_field_errors_and_leave_the_instance_alone(
    models: SimpleNamespace, data: dict, field: str
) -> None:
    message = models.Message.get(models.Message.content == "third")
    before = model_to_dict(message)
    with pytest.raises(DataError) as info:
        dict_to_model(message, {"content": "changed", **data})
    error = info.value
    assert isinstance(error, QueryError)
    assert isinstance(error, ValueError)
    assert list(error.errors) == [field]
    assert field in str(error)
    assert model_to_dict(message) == before


def test_integer_size_follows_the_column(models: SimpleNamespace) -> None:
    user = models.User.get(models.User.username == "admin")
    big = 2**40
    if backend_name(models.User._meta.database) == "sqlite":
        dict_to_model(user, {"age": big}).save()
        assert models.User.get_by_id(user.id).age == big
        assert dict_to_model(models.Note, {"title": "t", "size": 40000}).size == 40000
    else:
        with pytest.raises(DataError, match="out of range"):
            dict_to_model(user, {"age": big})
        with pytest.raises(DataError, match="out of range"):
            dict_to_model(models.Note, {"title": "t", "size": 40000})  # a SMALLINT column
    with pytest.raises(DataError, match="out of range"):
        dict_to_model(user, {"age": 2**64})


def test_update_changes_only_given_keys(models: SimpleNamespace) -> None:
    user = models.User.get(models.User.username == "bob")
    dict_to_model(user, {"age": "44", "active": "true", "nonsense": 1, "id": 12345}).save()
    stored = models.User.get_by_id(user.id)
    assert (stored.username, stored.age, stored.active, stored.id) == ("bob", 44, True, user.id)


def test_read_only_fields_and_whitelists_are_never_written(models: SimpleNamespace) -> None:
    user = models.User.get(models.User.username == "bob")
    dict_to_model(user, {"username": "robert", "email": "r@x", "age": 5}, read_only=("username",), exclude=("email",))
    assert (user.username, user.email, user.age) == ("bob", "bob@example.org", 5)
    dict_to_model(user, {"username": "robert", "age": 6}, fields=("age",))
    assert (user.username, user.age) == ("bob", 6)


def test_sensitive_fields_are_written_only_when_named(models: SimpleNamespace) -> None:
    user = models.User.get(models.User.username == "bob")
    dict_to_model(user, {"password": "plain", "age": 7})
    assert user.password == "secret-bob"
    dict_to_model(user, {"password": "hashed"}, fields=("password",))
    assert user.password == "hashed"


def test_data_must_be_an_object(models: SimpleNamespace) -> None:
    with pytest.raises(DataError) as info:
        dict_to_model(models.Message, ["content"])
    assert "__all__" in info.value.errors
    with pytest.raises(TypeError):
        dict_to_model("Message", {})  # type: ignore[arg-type]


def test_uuid_primary_key_round_trip_inserts(models: SimpleNamespace) -> None:
    note_model = models.Note
    admin_id = models.users["admin"].id
    data = {
        "title": "shopping",
        "user": admin_id,
        "body": base64.b64encode(b"\x00\x01binary\xff").decode(),
        "day": "2024-02-29",
        "at": "18:36:15",
        "size": "12",
        "kind": "todo",
        "id": str(uuid.uuid4()),  # ignored: the key has a default, the client does not choose it
    }
    note = dict_to_model(note_model, data)
    assert note.id is not None
    assert str(note.id) != data["id"]
    insert_instance(note)
    assert note_model.select().count() == 1
    stored = note_model.get_by_id(note.id)
    out = model_to_dict(stored)
    assert out == {
        "id": str(note.id),
        "user": admin_id,
        "title": "shopping",
        "body": data["body"],
        "day": "2024-02-29",
        "at": "18:36:15",
        "size": 12,
        "kind": "todo",
    }
    # update through the serialized id
    again = note_model.get_by_id(uuid.UUID(out["id"]))
    dict_to_model(again, {"title": "groceries", "user": None}).save()
    assert model_to_dict(note_model.get_by_id(note.id))["title"] == "groceries"
    assert note_model.get_by_id(note.id).user_id is None
    assert note_model.select().count() == 1


def test_plain_save_of_a_new_uuid_row_would_not_insert(models: SimpleNamespace) -> None:
    note = dict_to_model(models.Note, {"title": "lost"})
    note.save()  # peewee sees a key and runs an UPDATE of no row
    assert models.Note.select().count() == 0
    insert_instance(note)
    assert models.Note.select().count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "x" * 21}, "title"),
        ({"title": "t", "kind": "other"}, "kind"),
        ({"title": "t", "body": "not base64!"}, "body"),
        ({"title": "t", "day": "2023-02-29"}, "day"),
        ({"title": "t", "at": "25:00"}, "at"),
    ],
)
def test_length_choices_and_formats(models: SimpleNamespace, data: dict, field: str) -> None:
    with pytest.raises(DataError) as info:
        dict_to_model(models.Note, data)
    assert list(info.value.errors) == [field]


def test_aware_datetimes_are_stored_as_utc(models: SimpleNamespace) -> None:
    base = {"user": models.users["admin"].id, "content": "tz"}
    first = insert_instance(dict_to_model(models.Message, {**base, "pub_date": "2011-09-16T20:36:15+02:00"}))
    second = insert_instance(dict_to_model(models.Message, {**base, "pub_date": "2011-09-16T16:36:15Z"}))
    assert models.Message.get_by_id(first.id).pub_date == datetime.datetime(2011, 9, 16, 18, 36, 15)
    assert model_to_dict(models.Message.get_by_id(second.id))["pub_date"] == "2011-09-16T16:36:15"


def test_client_chosen_natural_key_on_create_only(db: Database) -> None:
    class Country(db.Model):
        code = peewee.CharField(max_length=2, primary_key=True)
        name = peewee.CharField()

    db.create_tables()
    country = insert_instance(dict_to_model(Country, {"code": "FR", "name": "France"}))
    assert Country.get_by_id("FR").name == "France"
    dict_to_model(country, {"code": "DE", "name": "République française"}).save()
    assert Country.get_by_id("FR").name == "République française"
    assert Country.select().count() == 1
    with pytest.raises(DataError, match="code"):
        dict_to_model(Country, {"name": "Nowhere"})


class Note(peewee.Model):
    title = peewee.CharField()
    body = peewee.TextField()
    score = peewee.DecimalField(decimal_places=1)


def test_fields_added_or_removed_after_serializing_are_followed() -> None:
    class Entry(peewee.Model):
        title = peewee.CharField()

    assert model_to_dict(Entry(id=1, title="t")) == {"id": 1, "title": "t"}
    Entry._meta.add_field("summary", peewee.TextField(null=True))
    assert model_to_dict(Entry(id=1, title="t", summary="s")) == {"id": 1, "title": "t", "summary": "s"}
    Entry._meta.remove_field("title")
    assert model_to_dict(Entry(id=1, summary="s")) == {"id": 1, "summary": "s"}


def test_the_same_choice_spelled_as_list_tuple_or_set_gives_the_same_dict() -> None:
    note = Note(id=3, title="a", body="b", score=decimal.Decimal("2.25"))
    expected = {"title": "a", "score": "2.3"}
    assert model_to_dict(note, fields=["title", "score", "body"], exclude=("body",)) == expected
    assert model_to_dict(note, fields=("title", "score", "body"), exclude=["body"]) == expected
    assert model_to_dict(note, fields={"title", "score", "body"}, exclude={"body"}) == expected
    assert model_to_dict(note, exclude=("body",)) == {"id": 3, **expected}


def test_many_different_field_choices_each_get_their_own_fields() -> None:
    """More choices than are remembered per model (query strings may pick fields): every answer stays right."""
    note = Note(id=1, title="a", body="b", score=decimal.Decimal("1.0"))
    names = ("id", "title", "body", "score")
    expected = model_to_dict(note)
    choices = [tuple(name for bit, name in enumerate(names) if mask >> bit & 1) for mask in range(16)]
    for round_ in range(10):
        for number, choice in enumerate(choices):
            extra = (f"unknown{round_}_{number}",)  # a new key every time, beyond the cache's bound
            assert model_to_dict(note, fields=choice + extra) == {name: expected[name] for name in choice}
            assert model_to_dict(note, exclude=choice + extra) == {
                name: value for name, value in expected.items() if name not in choice
            }


def test_insert_instance_takes_the_stored_row_from_the_insert_where_it_can(db):
    import peewee

    from flask_peewee.utils import insert_instance
    from flask_peewee.utils.internal import backend_name, stored_row_known

    class Reading(db.Model):
        label = peewee.CharField()
        value = peewee.FloatField()
        note = peewee.CharField(default="none")

    db.create_tables()
    reading = insert_instance(Reading(label="a", value=2))
    assert reading.id is not None
    assert reading.value == 2.0
    assert reading.note == "none"
    assert not reading.is_dirty()
    returned = backend_name(db) in ("postgres", "sqlite")
    assert stored_row_known(reading) is returned
    if returned:  # the values are the stored row's, read through the fields
        assert isinstance(reading.value, float)
    assert stored_row_known(reading) is False  # asked once
    stored = Reading.get_by_id(reading.id)
    assert (stored.label, stored.value, stored.note) == ("a", 2.0, "none")
    db.database.close()
