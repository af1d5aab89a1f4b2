"""unique_violation: the unique constraint a refused save broke, by field names, on every backend."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import peewee
import pytest

from flask_peewee.utils import unique_violation


@pytest.fixture
def pair(db: Any) -> Any:
    """A model with a two-field unique index (and a nullable member)."""

    class Pair(db.Model):
        site = peewee.CharField()
        slug = peewee.CharField(null=True)

        class Meta:
            indexes = ((("site", "slug"), True),)

    Pair.create_table()
    Pair.create(site="a", slug="home")
    db.database.close()
    return Pair


def _refused(db: Any, instance: peewee.Model) -> peewee.IntegrityError:
    with pytest.raises(peewee.IntegrityError) as info, db.database.atomic():
        instance.save(force_insert=instance.get_id() is None)
    return info.value


def test_a_unique_field_is_named(db: Any, models: SimpleNamespace) -> None:
    duplicate = models.User(username="Alice", email="other@example.com", password="x")
    exc = _refused(db, duplicate)
    assert unique_violation(duplicate, exc) == [("username",)]
    assert unique_violation(duplicate) == [("username",)]  # the exception is optional


def test_an_update_does_not_conflict_with_its_own_row(db: Any, models: SimpleNamespace) -> None:
    bob = models.User.get(models.User.username == "bob")
    bob.username = "Alice"
    exc = _refused(db, bob)
    assert unique_violation(bob, exc) == [("username",)]
    bob.username = "bob"  # its own value: no other row holds it
    assert unique_violation(bob) == []


def test_a_unique_index_names_all_its_fields(db: Any, pair: Any) -> None:
    duplicate = pair(site="a", slug="home")
    exc = _refused(db, duplicate)
    assert unique_violation(duplicate, exc) == [("site", "slug")]
    assert unique_violation(pair(site="a", slug="other")) == []
    assert unique_violation(pair(site="a", slug=None)) == []  # a NULL never conflicts


def test_other_refusals_name_nothing(db: Any, models: SimpleNamespace) -> None:
    orphan = models.Message(user=10**6, content="x", pub_date="2024-01-01 00:00:00")
    assert unique_violation(orphan, peewee.OperationalError("no such thing")) == []
    assert unique_violation(orphan, ValueError("bad")) == []
    assert unique_violation(orphan, peewee.IntegrityError("a foreign key")) == []  # no unique field of its own
