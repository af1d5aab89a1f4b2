"""utils' parts of ``flask fp check``: secret-looking fields without a declaration, sensitive fields named."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.utils.internal import check_secret_like_fields, sensitive_exposures

pytestmark = pytest.mark.backends("sqlite")  # declarations only: one backend is enough


def test_secret_looking_fields_are_whole_words(app, db):
    class Account(db.Model):
        footprint = peewee.CharField()  # "otp" inside a word is no secret
        secretary = peewee.CharField()
        password_hash = peewee.CharField()
        api_key = peewee.CharField()

    class Declared(db.Model):
        __sensitive_fields__ = ("reset_token",)
        reset_token = peewee.CharField()

    [finding] = check_secret_like_fields(app)
    assert (finding.severity, finding.code) == ("warning", "undeclared-secret")
    assert finding.fix == "add __sensitive_fields__ = ('password_hash', 'api_key') to Account"


def test_sensitive_fields_are_found_through_paths_and_operators(db):
    class Person(db.Model):
        __sensitive_fields__ = ("pin",)
        name = peewee.CharField()
        pin = peewee.CharField()

    class Visit(db.Model):
        person = peewee.ForeignKeyField(Person)
        note = peewee.CharField()

    listed = {"fields": ("note", "person"), "filter_fields": ("person__pin__eq", "-person__name"), "columns": [str]}
    findings = list(sensitive_exposures(Visit, "here", listed))
    assert [f.message for f in findings] == [
        "here lists the sensitive field 'person__pin__eq' of Visit in filter_fields"
    ]
    assert [f.severity for f in findings] == ["error"]
    assert list(sensitive_exposures(Person, "there", {"ordering": ["-pin"], "none": None})) != []
