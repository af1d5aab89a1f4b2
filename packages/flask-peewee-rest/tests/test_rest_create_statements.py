"""A create answers with the stored row without reading it again where the INSERT can return it."""

from __future__ import annotations

import decimal

import peewee
import pytest

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication
from flask_peewee.utils.internal import backend_name

from .conftest import basic

ADMIN = basic("admin")


@pytest.fixture
def priced(app, auth, db, users):
    class Item(db.Model):
        name = peewee.CharField()
        price = peewee.DecimalField(max_digits=8, decimal_places=2)
        weight = peewee.FloatField(null=True)

    db.create_tables()
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Item, RestResource)
    return Item


def _writes(statements):
    return [s for s in statements if s.lstrip().split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE")]


def test_a_create_answers_with_the_stored_values(client, db, priced, count_queries):
    with count_queries() as statements:
        response = client.post("/api/item/", json={"name": "tea", "price": "2.50", "weight": 0.5}, headers=ADMIN)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    stored = priced.get_by_id(body["id"])
    db.database.close()
    assert decimal.Decimal(body["price"]) == stored.price
    assert body["weight"] == stored.weight == 0.5
    table = priced._meta.table_name
    rereads = [s for s in _writes(statements) if s.lstrip().upper().startswith("SELECT") and table in s]
    inserts = [s for s in _writes(statements) if s.lstrip().upper().startswith("INSERT") and table in s]
    assert len(inserts) == 1
    if backend_name(db) in ("postgres", "sqlite"):
        assert "RETURNING" in inserts[0].upper()
        assert rereads == []  # the INSERT returned the stored row
    else:
        assert len(rereads) == 1  # MySQL/MariaDB: read back by primary key


def test_a_model_that_overrides_save_is_saved_through_it(app, auth, db, users, client):
    calls = []

    class Slugged(db.Model):
        title = peewee.CharField()
        slug = peewee.CharField(default="")

        def save(self, *args, **kwargs):
            calls.append(kwargs.get("force_insert"))
            self.slug = self.title.lower().replace(" ", "-")
            return super().save(*args, **kwargs)

    db.create_tables()
    db.database.close()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Slugged, RestResource)
    response = client.post("/api/slugged/", json={"title": "Hello World"}, headers=ADMIN)
    assert response.status_code == 200, response.get_json()
    assert calls == [True]
    assert response.get_json()["slug"] == "hello-world"
