"""__sensitive_fields__ is read as the union over the MRO."""

from __future__ import annotations

import gc
import weakref

import peewee

from flask_peewee.utils import get_sensitive_fields, model_to_dict
from flask_peewee.utils.internal import sensitive_snapshot


class Base(peewee.Model):
    __sensitive_fields__ = ("password",)
    username = peewee.CharField()
    password = peewee.CharField()


class WithToken(Base):
    __sensitive_fields__ = ("api_token",)
    api_token = peewee.CharField()


class TriesToDrop(WithToken):
    __sensitive_fields__ = ()


class Mixin:
    __sensitive_fields__ = ["pin"]


class Combined(Mixin, Base):
    __sensitive_fields__ = "recovery_code"  # a bare string means that one name
    pin = peewee.CharField()
    recovery_code = peewee.CharField()


class Plain(peewee.Model):
    name = peewee.CharField()


def test_union_over_the_mro() -> None:
    assert get_sensitive_fields(Base) == frozenset({"password"})
    assert get_sensitive_fields(WithToken) == frozenset({"password", "api_token"})
    assert get_sensitive_fields(Combined) == frozenset({"password", "pin", "recovery_code"})
    assert get_sensitive_fields(Plain) == frozenset()


def test_a_subclass_cannot_drop_its_parents_secrets() -> None:
    assert get_sensitive_fields(TriesToDrop) == frozenset({"password", "api_token"})


def test_instances_work_too_and_serialization_follows() -> None:
    user = TriesToDrop(id=1, username="u", password="p", api_token="t")
    assert get_sensitive_fields(user) == get_sensitive_fields(TriesToDrop)
    assert model_to_dict(user) == {"id": 1, "username": "u"}
    assert model_to_dict(Combined(id=2, username="c", password="p", pin="1", recovery_code="r")) == {
        "id": 2,
        "username": "c",
    }


def test_a_subclass_created_after_its_parent_was_serialized_keeps_its_own_secrets() -> None:
    assert model_to_dict(Base(id=1, username="u", password="p")) == {"id": 1, "username": "u"}

    class WithPin(Base):
        __sensitive_fields__ = ("pin",)
        pin = peewee.CharField()

    assert get_sensitive_fields(WithPin) == frozenset({"password", "pin"})
    assert model_to_dict(WithPin(id=2, username="w", password="p", pin="1234")) == {"id": 2, "username": "w"}
    assert model_to_dict(Base(id=1, username="u", password="p")) == {"id": 1, "username": "u"}


def test_a_declaration_assigned_later_is_honoured() -> None:
    class Parent(peewee.Model):
        name = peewee.CharField()
        secret = peewee.CharField()

    class Child(Parent):
        token = peewee.CharField()

    child = Child(id=1, name="n", secret="s", token="t")
    assert model_to_dict(child) == {"id": 1, "name": "n", "secret": "s", "token": "t"}
    Child.__sensitive_fields__ = ("token",)  # on the class itself
    assert model_to_dict(child) == {"id": 1, "name": "n", "secret": "s"}
    Parent.__sensitive_fields__ = ("secret",)  # on a base, after the subclass was serialized
    assert get_sensitive_fields(Child) == frozenset({"secret", "token"})
    assert model_to_dict(child) == {"id": 1, "name": "n"}
    assert model_to_dict(child, fields=("name", "secret")) == {"name": "n"}
    del Child.__sensitive_fields__
    assert model_to_dict(child) == {"id": 1, "name": "n", "token": "t"}


def test_a_list_declaration_changed_in_place_is_honoured() -> None:
    class Account(peewee.Model):
        __sensitive_fields__ = ["password"]
        password = peewee.CharField()
        pin = peewee.CharField()

    account = Account(id=1, password="p", pin="1")
    assert model_to_dict(account) == {"id": 1, "pin": "1"}
    Account.__sensitive_fields__.append("pin")
    assert get_sensitive_fields(Account) == frozenset({"password", "pin"})
    assert model_to_dict(account) == {"id": 1}


def test_model_classes_made_at_runtime_are_not_kept_alive() -> None:
    def make() -> weakref.ref[type]:
        class Temporary(Base):
            __sensitive_fields__ = ("extra",)
            extra = peewee.CharField()

        assert model_to_dict(Temporary(id=1, username="t", password="p", extra="e")) == {"id": 1, "username": "t"}
        return weakref.ref(Temporary)

    ref = make()
    gc.collect()
    assert ref() is None


def test_a_snapshot_reads_each_class_once_and_the_next_block_sees_changes() -> None:
    class Card(peewee.Model):
        number = peewee.CharField()
        holder = peewee.CharField()

    card = Card(id=1, number="4111", holder="h")
    with sensitive_snapshot():
        assert model_to_dict(card) == {"id": 1, "number": "4111", "holder": "h"}
        Card.__sensitive_fields__ = ("number",)
        with sensitive_snapshot():  # nested: the outer block's reading holds
            assert get_sensitive_fields(Card) == frozenset()
        assert model_to_dict(card) == {"id": 1, "number": "4111", "holder": "h"}
    assert get_sensitive_fields(Card) == frozenset({"number"})  # outside: read again
    with sensitive_snapshot():
        assert model_to_dict(card) == {"id": 1, "holder": "h"}
    del Card.__sensitive_fields__
    assert model_to_dict(card) == {"id": 1, "number": "4111", "holder": "h"}
