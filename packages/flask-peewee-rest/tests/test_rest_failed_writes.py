"""A REST write that fails in the middle leaves nothing behind: no row, no nested row, no link, no audit entry.

The failure comes after part of the write was done: an exception in ``save_object`` after the
nested objects were written, the audit entry that cannot be written, a many-to-many link
table that cannot be written, a cascading delete whose last step fails. On the three backends.
"""

from __future__ import annotations

from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.db import Database
from flask_peewee.db.testing import table_moved_away
from flask_peewee.rest import ApiError, Authentication, RestAPI, RestResource, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


@pytest.fixture
def shop(app: Flask, db: Database, auth: Auth, models: Any, users: Any) -> Any:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    class Customer(db.Model):
        name = peewee.CharField()

    class Tag(db.Model):
        name = peewee.CharField()

    class Order(db.Model):
        customer = peewee.ForeignKeyField(Customer, backref="orders")
        label = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="orders")

    class Line(db.Model):
        order = peewee.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
        qty = peewee.IntegerField()

    db.create_tables([Customer, Tag, Order, Order.tags.get_through_model(), Line])
    for name in ("red", "blue"):
        Tag.create(name=name)
    db.database.close()

    class State:
        fail_with: Exception | None = None

    class CustomerResource(RestResource):
        pass

    class OrderResource(RestResource):
        include_resources = {"customer": CustomerResource}
        delete_recursive = True

        def save_object(self, instance: peewee.Model, raw_data: Any) -> peewee.Model:
            instance = super().save_object(instance, raw_data)  # the row is written ...
            if State.fail_with is not None:
                raise State.fail_with  # ... and then the write fails
            return instance

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Customer, CustomerResource, auth=Authentication(protected_methods=()))
    api.register(Order, OrderResource)
    api.register(Line)
    return type("Shop", (), {"Customer": Customer, "Tag": Tag, "Order": Order, "Line": Line, "State": State})


def _counts(shop: Any, auth: Auth) -> tuple[int, int, int, int, int]:
    through = shop.Order.tags.get_through_model()
    return (
        shop.Customer.select().count(),
        shop.Order.select().count(),
        through.select().count(),
        shop.Line.select().count(),
        auth.AuditEntry.select().count(),
    )


def _assert_refused_cleanly(response: Any) -> None:
    """A table gone is an operational error on SQLite and MariaDB (503) and a programming error on PostgreSQL (500)."""
    assert response.status_code in (500, 503)
    assert "Traceback" not in response.get_data(as_text=True)


NEW_ORDER = {"label": "o1", "customer": {"name": "ann"}, "tags": [1, 2]}


@pytest.mark.parametrize(
    ("error", "status"), [(ApiError(422, "Refused late"), 422), (RuntimeError("bug in save_object"), 500)]
)
def test_save_object_failing_after_the_nested_write_leaves_nothing(
    client: Any, shop: Any, auth: Auth, error: Exception, status: int
) -> None:
    before = _counts(shop, auth)
    shop.State.fail_with = error
    response = client.post("/api/order/", json=NEW_ORDER, headers=ADMIN)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)
    assert _counts(shop, auth) == before
    shop.State.fail_with = None
    assert client.post("/api/order/", json=NEW_ORDER, headers=ADMIN).status_code == 200  # and then it works
    assert _counts(shop, auth)[:3] == (before[0] + 1, 1, 2)


def test_an_edit_failing_after_the_save_changes_nothing(client: Any, shop: Any, auth: Auth) -> None:
    assert client.post("/api/order/", json=NEW_ORDER, headers=ADMIN).status_code == 200
    before = _counts(shop, auth)
    shop.State.fail_with = ApiError(409, "Refused late")
    response = client.put(
        "/api/order/1/", json={"label": "changed", "customer": {"id": 1, "name": "bob"}, "tags": [1]}, headers=ADMIN
    )
    assert response.status_code == 409
    assert _counts(shop, auth) == before
    order = shop.Order.get_by_id(1)
    assert (order.label, order.customer.name, sorted(t.id for t in order.tags)) == ("o1", "ann", [1, 2])


def test_the_audit_entry_failing_rolls_the_write_back(client: Any, db: Database, shop: Any, auth: Auth) -> None:
    before = _counts(shop, auth)
    with table_moved_away(db, auth.AuditEntry._meta.table_name):
        response = client.post("/api/order/", json=NEW_ORDER, headers=ADMIN)
        _assert_refused_cleanly(response)
    assert _counts(shop, auth) == before


def test_the_link_table_failing_rolls_the_object_back(client: Any, db: Database, shop: Any, auth: Auth) -> None:
    before = _counts(shop, auth)
    through = shop.Order.tags.get_through_model()
    with table_moved_away(db, through._meta.table_name):
        _assert_refused_cleanly(client.post("/api/order/", json=NEW_ORDER, headers=ADMIN))
        assert shop.Customer.select().count() == before[0]
        assert shop.Order.select().count() == before[1]
    assert _counts(shop, auth) == before


def test_a_cascading_delete_failing_at_its_last_step_deletes_nothing(
    client: Any, db: Database, shop: Any, auth: Auth
) -> None:
    assert client.post("/api/order/", json=NEW_ORDER, headers=ADMIN).status_code == 200
    for qty in (1, 2):
        assert client.post("/api/line/", json={"order": 1, "qty": qty}, headers=ADMIN).status_code == 200
    before = _counts(shop, auth)
    with table_moved_away(db, auth.AuditEntry._meta.table_name):  # the rows go, then their entries fail
        _assert_refused_cleanly(client.delete("/api/order/1/", headers=ADMIN))
    assert _counts(shop, auth) == before
    assert client.delete("/api/order/1/", headers=ADMIN).get_json() == {"deleted": 1}
    assert _counts(shop, auth)[1:4] == (0, 0, 0)
