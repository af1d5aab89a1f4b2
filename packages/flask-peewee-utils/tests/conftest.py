"""Fixtures for the utils tests; the database matrix comes from flask_peewee.db.testing."""

from __future__ import annotations

import datetime
import decimal
import uuid
from types import SimpleNamespace
from typing import Any

import peewee
import pytest
from flask import Flask

CHEAP_SCHEMES = ["ldap_salted_sha256"]


@pytest.fixture
def plain_app() -> Flask:
    """An app with no database, using a cheap password scheme, for request-only tests."""
    app = Flask("flask_peewee_utils_test")
    app.config.update(TESTING=True, SECRET_KEY="test", FLASK_PEEWEE_PASSWORD_SCHEMES=CHEAP_SCHEMES)
    return app


@pytest.fixture
def models(db: Any) -> SimpleNamespace:
    """User (with a sensitive password), Relationship (two foreign keys to User), Message and Note (UUID key).

    Rows: users admin, Alice, bob, Élodie, x_y%z, xAy; relationships admin->Alice,
    admin->bob, Alice->admin; three messages.
    """

    class User(db.Model):
        __sensitive_fields__ = ("password",)
        username = peewee.CharField(unique=True)
        email = peewee.CharField()
        password = peewee.CharField()
        active = peewee.BooleanField(default=True)
        age = peewee.IntegerField(null=True)

    class Relationship(db.Model):
        from_user = peewee.ForeignKeyField(User, backref="relationships")
        to_user = peewee.ForeignKeyField(User, backref="related_to")

    class Message(db.Model):
        user = peewee.ForeignKeyField(User, backref="messages")
        content = peewee.TextField()
        pub_date = peewee.DateTimeField()
        score = peewee.DecimalField(max_digits=10, decimal_places=2, null=True)
        rating = peewee.FloatField(null=True)

    class Note(db.Model):
        id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
        user = peewee.ForeignKeyField(User, null=True, backref="notes")
        title = peewee.CharField(max_length=20)
        body = peewee.BlobField(null=True)
        day = peewee.DateField(null=True)
        at = peewee.TimeField(null=True)
        size = peewee.SmallIntegerField(default=0)
        kind = peewee.CharField(max_length=10, default="memo", choices=[("memo", "Memo"), ("todo", "To do")])

    db.create_tables()
    rows = [
        ("admin", "admin@example.com", 30, True),
        ("Alice", "alice@example.com", 25, True),
        ("bob", "bob@example.org", None, False),
        ("Élodie", "elodie@example.org", 41, True),
        ("x_y%z", "x@example.com", 19, True),
        ("xAy", "xay@example.com", 20, True),
    ]
    users = {}
    for username, email, age, active in rows:
        users[username] = User.create(
            username=username, email=email, age=age, active=active, password=f"secret-{username}"
        )
    Relationship.create(from_user=users["admin"], to_user=users["Alice"])
    Relationship.create(from_user=users["admin"], to_user=users["bob"])
    Relationship.create(from_user=users["Alice"], to_user=users["admin"])
    Message.create(user=users["admin"], content="flask and peewee", pub_date=datetime.datetime(2011, 9, 16, 18, 36, 15))
    Message.create(user=users["bob"], content="hello api", pub_date=datetime.datetime(2011, 9, 22, 11, 25, 2))
    Message.create(
        user=users["admin"],
        content="third",
        pub_date=datetime.datetime(2012, 1, 1, 0, 0, 0),
        score=decimal.Decimal("1.5"),
    )
    db.database.close()
    return SimpleNamespace(User=User, Relationship=Relationship, Message=Message, Note=Note, users=users)
