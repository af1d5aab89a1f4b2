"""__sensitive_fields__ is read as the union over the MRO."""

from __future__ import annotations

import peewee

from flask_peewee.utils import get_sensitive_fields, model_to_dict


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
