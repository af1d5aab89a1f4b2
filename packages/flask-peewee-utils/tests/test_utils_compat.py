"""Names of the original flask_peewee.utils and flask_peewee.serializer, used as the original's apps used them."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from types import SimpleNamespace

import peewee
import pytest

import flask_peewee.utils as utils
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.serializer import Deserializer, Serializer
from flask_peewee.utils import (
    DataError,
    alias_field,
    alias_join_path,
    check_password,
    convert_boolean,
    deserialize_datetime,
    get_dictionary_from_model,
    get_hexdigest,
    get_model_from_dictionary,
    is_legacy_password,
    load_class,
    make_password,
    needs_rehash,
    order_query,
    path_to_models,
)

# -- flask_peewee.serializer ---------------------------------------------------------------------


def test_serializer_gives_the_originals_shape_without_secrets(models: SimpleNamespace) -> None:
    admin = models.users["admin"]
    message = models.Message.get(models.Message.content == "third")
    data = Serializer().serialize_object(message)
    score = data.pop("score")  # a Decimal as text; its trailing zeros depend on the backend
    assert decimal.Decimal(score) == decimal.Decimal("1.5")
    assert data == {
        "id": message.id,
        "user": admin.id,
        "content": "third",
        "pub_date": "2012-01-01T00:00:00",
        "rating": None,
    }
    assert json.loads(json.dumps(data)) == data
    # The original would have written the password hash: sensitive fields never leave.
    user = Serializer().serialize_object(admin)
    assert user == {"id": admin.id, "username": "admin", "email": "admin@example.com", "active": True, "age": 30}


def test_serializer_fields_and_exclude_are_keyed_by_model(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "hello api")
    bob = models.users["bob"]
    serializer = Serializer()
    nested = serializer.serialize_object(
        message,
        fields={models.Message: ["id", "user", "content"], models.User: ["id", "username", "password"]},
    )
    assert nested == {"id": message.id, "user": {"id": bob.id, "username": "bob"}, "content": "hello api"}
    excluded = serializer.serialize_object(
        message, exclude={models.Message: ["pub_date", "score", "rating", "content"]}
    )
    assert excluded == {"id": message.id, "user": bob.id}
    # A plain list names the fields of the object itself.
    assert serializer.serialize_object(bob, fields=["username", "password"]) == {"username": "bob"}


def test_serializer_formats_and_use_iso8601(models: SimpleNamespace) -> None:
    class OldStyle(Serializer):
        use_iso8601 = False
        datetime_format = "%Y-%m-%d %H:%M:%S"
        date_format = "%d/%m/%Y"

    message = models.Message.get(models.Message.content == "flask and peewee")
    assert OldStyle().serialize_object(message)["pub_date"] == "2011-09-16 18:36:15"
    serializer = OldStyle()
    assert serializer.convert_value(datetime.date(2011, 9, 16)) == "16/09/2011"
    assert serializer.convert_value(datetime.time(18, 36, 15)) == "18:36:15"
    assert serializer.convert_value(datetime.timedelta(minutes=2)) == 120.0
    assert serializer.convert_value(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert serializer.convert_value(b"\x00\xff") == "AP8="
    assert serializer.convert_value(decimal.Decimal("2.50")) == "2.50"
    assert serializer.convert_value(models.users["Alice"]) == models.users["Alice"].id


def test_serializer_hooks_are_used_and_cannot_leak_secrets(models: SimpleNamespace) -> None:
    seen: list[object] = []

    class Upper(Serializer):
        def convert_value(self, value):
            seen.append(value)
            return value.upper() if isinstance(value, str) else super().convert_value(value)

        def clean_data(self, data):
            data = super().clean_data(data)
            data["password"] = "leaked"  # a hook naming a sensitive field
            data["kind"] = "user"
            return data

    alice = models.users["Alice"]
    data = Upper().serialize_object(alice)
    assert data["username"] == "ALICE"
    assert data["kind"] == "user"
    assert "password" not in data
    assert "Alice" in seen
    assert "secret-Alice" not in seen


def test_deserializer_builds_an_unsaved_instance(models: SimpleNamespace) -> None:
    bob = models.users["bob"]
    message, touched = Deserializer().deserialize_object(
        models.Message, {"user": bob.id, "content": "hi", "pub_date": "2011-09-16 18:36:15", "score": "2.5"}
    )
    assert touched == [message]
    assert message.id is None
    assert message.user.username == "bob"
    assert message.pub_date == datetime.datetime(2011, 9, 16, 18, 36, 15)
    assert message.score == decimal.Decimal("2.5")
    message.save()
    assert models.Message.get_by_id(message.id).content == "hi"


def test_deserializer_updates_an_instance_and_nested_objects(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "hello api")
    obj, touched = Deserializer().deserialize_object(message, {"content": "edited", "user": {"username": "bobby"}})
    assert obj is message
    assert obj.content == "edited"
    assert touched[0] is message
    assert len(touched) == 2
    assert touched[1] is message.user
    assert touched[1].username == "bobby"
    assert touched[1].id == models.users["bob"].id


# -- get_model_from_dictionary / get_dictionary_from_model --------------------------------------


def test_get_model_from_dictionary_never_writes_secrets_or_internals(models: SimpleNamespace) -> None:
    user, touched = get_model_from_dictionary(
        models.User, {"username": "eve", "password": "plain", "_pk": 1, "nickname": "e", "active": "false"}
    )
    assert touched == [user]
    assert user.username == "eve"
    assert user.password is None
    assert user.active is False
    assert user.nickname == "e"  # unknown keys are set as attributes, as the original did
    assert user._pk is None
    strict, _ = get_model_from_dictionary(models.User, {"username": "eve", "nickname": "e"}, strict=True)
    assert not hasattr(strict, "nickname")


def test_get_model_from_dictionary_user_id_and_bad_values(models: SimpleNamespace) -> None:
    alice = models.users["Alice"]
    message, _ = get_model_from_dictionary(models.Message, {"user_id": alice.id, "content": "x"})
    assert message.user_id == alice.id
    with pytest.raises(DataError) as info:
        get_model_from_dictionary(models.Message, {"pub_date": "yesterday", "score": "lots"})
    assert set(info.value.errors) == {"pub_date", "score"}
    with pytest.raises(TypeError, match="model class or instance"):
        get_model_from_dictionary("Message", {})  # type: ignore[arg-type]


def test_get_dictionary_from_model_keeps_python_values(models: SimpleNamespace) -> None:
    message = models.Message.get(models.Message.content == "third")
    data = get_dictionary_from_model(message)
    assert data["pub_date"] == datetime.datetime(2012, 1, 1)
    assert data["score"] == decimal.Decimal("1.5")
    assert data["user"] == models.users["admin"].id
    assert "password" not in get_dictionary_from_model(models.users["admin"])
    nested = get_dictionary_from_model(message, fields={models.Message: ["user"], models.User: ["username"]})
    assert nested == {"user": {"username": "admin"}}


# -- the other names ------------------------------------------------------------------------


def test_load_class_is_the_originals() -> None:
    assert load_class("peewee.SqliteDatabase") is peewee.SqliteDatabase
    assert utils.load_class is load_class


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-09-16T18:36:15", datetime.datetime(2011, 9, 16, 18, 36, 15)),
        ("2011-09-16 18:36:15", datetime.datetime(2011, 9, 16, 18, 36, 15)),
        ("2011-09-16T18:36:15.250000", datetime.datetime(2011, 9, 16, 18, 36, 15, 250000)),
        ("2011-09-16T", datetime.datetime(2011, 9, 16)),
        ("2011-09-16", datetime.datetime(2011, 9, 16)),
        ("not a date", "not a date"),
        (None, None),
    ],
)
def test_deserialize_datetime(text: str | None, expected: object) -> None:
    assert deserialize_datetime(peewee.DateTimeField(), text) == expected


def test_deserialize_datetime_with_offset() -> None:
    value = deserialize_datetime(None, "2011-09-16T18:36:15+02:00")
    assert value == datetime.datetime(2011, 9, 16, 16, 36, 15, tzinfo=datetime.timezone.utc)


def test_path_to_models(models: SimpleNamespace) -> None:
    class Reply(models.Message.__base__):  # type: ignore[misc, name-defined]
        message = peewee.ForeignKeyField(models.Message)

    assert path_to_models(models.Message, "user") == [models.User]
    assert path_to_models(Reply, "message__user") == [models.Message, models.User]
    with pytest.raises(AttributeError, match='no related field named "content"'):
        path_to_models(models.Message, "content")
    with pytest.raises(AttributeError, match='no related field named "nope"'):
        path_to_models(Reply, "message__nope")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", False),
        ("0", False),
        ("False", False),
        ("f", False),
        ("1", True),
        ("on", True),
        (0, False),
        (1, True),
        (None, False),
    ],
)
def test_convert_boolean(value: object, expected: bool) -> None:
    assert convert_boolean(value) is expected


def test_legacy_password_helpers(plain_app) -> None:
    digest = get_hexdigest("a1b2c", "secret")
    assert digest == hashlib.sha1(b"a1b2csecret").hexdigest()  # noqa: S324 - the legacy format under test
    stored = f"a1b2c${digest}"
    assert is_legacy_password(stored) is True
    assert utils.LEGACY_PASSWORD_RE.match(stored)
    assert check_password("secret", stored) is True
    assert needs_rehash(stored) is True
    with plain_app.app_context():
        modern = utils.make_password("secret")
    assert is_legacy_password(modern) is False
    assert is_legacy_password("") is False
    assert is_legacy_password(None) is False


def test_alias_join_path_keeps_two_foreign_keys_apart(models: SimpleNamespace) -> None:
    rel = models.Relationship
    aliases: dict[tuple[str, ...], object] = {}
    query = rel.select()
    query, from_name = alias_field(query, rel, [rel.from_user], models.User.username, aliases)
    query, to_name = alias_field(query, rel, [rel.to_user], models.User.username, aliases)
    rows = query.where(from_name == "admin", to_name == "bob")
    assert [(r.from_user.username, r.to_user.username) for r in rows] == [("admin", "bob")]
    assert set(aliases) == {("from_user",), ("to_user",)}
    # The same path again reuses its join.
    again, target = alias_join_path(query, rel, [rel.from_user], aliases)
    assert target is aliases[("from_user",)]
    assert again is query
    _query, base = alias_join_path(rel.select(), rel, [], {})
    assert base is rel


def test_alias_join_path_left_outer_keeps_rows_without_relation(models: SimpleNamespace) -> None:
    note = models.Note.create(title="orphan")
    query, user_name = alias_field(
        models.Note.select(), models.Note, [models.Note.user], models.User.username, {}, peewee.JOIN.LEFT_OUTER
    )
    assert [n.title for n in query.where(user_name.is_null())] == ["orphan"]
    inner, _ = alias_field(models.Note.select(), models.Note, [models.Note.user], models.User.username, {})
    assert note.id not in [n.id for n in inner]


def test_order_query(models: SimpleNamespace) -> None:
    user = models.User
    base = user.select()
    sortable = {"username", "age", "password"}.__contains__
    ordered = order_query(base, user, "-age", sortable)
    assert [u.username for u in ordered][:2] == ["Élodie", "admin"]
    assert [u.age for u in ordered][-1] is None  # NULLs last, as the toolkit orders
    assert order_query(base, user, "email", sortable) is base  # refused by is_sortable
    assert order_query(base, user, "password", sortable) is base  # sensitive: never ordered
    assert order_query(base, user, "nope", lambda name: True) is base
    assert order_query(base, user, "", sortable) is base
    assert order_query(base, user, None, sortable) is base


def test_password_hash_method_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """The original's suites set ``utils.PASSWORD_HASH_METHOD`` for cheap hashes: new hashes follow it."""
    assert utils.PASSWORD_HASH_METHOD is None
    assert make_password("secret").startswith("$argon2")
    monkeypatch.setattr(utils, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")
    hashed = make_password("secret")
    assert hashed.startswith("pbkdf2:sha256:1$")
    assert check_password("secret", hashed)
    assert not check_password("wrong", hashed)
    assert not needs_rehash(hashed)  # the chosen method's hashes are current
    assert needs_rehash("ab$" + get_hexdigest("ab", "secret"))  # the original's sha1 ones are not
    monkeypatch.setattr(utils, "PASSWORD_HASH_METHOD", "scrypt")
    assert not needs_rehash(make_password("secret"))  # werkzeug spells out scrypt's defaults
    assert needs_rehash(hashed)
    monkeypatch.setattr(utils, "PASSWORD_HASH_METHOD", "rot13")
    with pytest.raises(ImproperlyConfigured, match="PASSWORD_HASH_METHOD = 'rot13'"):
        make_password("secret")
