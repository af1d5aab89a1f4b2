"""Nested writes as in the original: objects under ``include_resources`` keys written through the child resource."""

from __future__ import annotations

from types import SimpleNamespace

import peewee
import pytest
from flask import g

from flask_peewee.rest import (
    AdminAuthentication,
    Authentication,
    RestAPI,
    RestResource,
    RestrictOwnerResource,
    UserAuthentication,
)

from .conftest import basic

ADMIN = basic("admin")
COLEIFER = basic("coleifer")


@pytest.fixture
def chain(db, models, users):
    """``A`` <- ``B`` (``a``) <- ``C`` (``b``), ``E`` <- ``F`` (``e``, nullable), and ``Ping`` (``user``)."""

    class A(db.Model):
        a_field = peewee.CharField()

    class B(db.Model):
        a = peewee.ForeignKeyField(A)
        b_field = peewee.CharField()

    class C(db.Model):
        b = peewee.ForeignKeyField(B)
        c_field = peewee.CharField()

    class E(db.Model):
        e_field = peewee.CharField()

    class F(db.Model):
        e = peewee.ForeignKeyField(E, null=True)
        f_field = peewee.CharField()

    class Ping(db.Model):
        user = peewee.ForeignKeyField(models.User)
        body = peewee.TextField()

    db.create_tables()
    db.database.close()
    return SimpleNamespace(A=A, B=B, C=C, E=E, F=F, Ping=Ping)


class AResource(RestResource):
    pass


class BResource(RestResource):
    include_resources = {"a": AResource}


class CResource(RestResource):
    include_resources = {"b": BResource}


class EResource(RestResource):
    pass


class FResource(RestResource):
    include_resources = {"e": EResource}


class UserResource(RestResource):
    exclude = ("email",)
    readonly_fields = ("admin",)


class AdminOnlyUserResource(UserResource):
    def check_post(self, obj=None):
        return bool(g.get("user") and g.user.admin)

    def check_put(self, obj):
        return bool(g.get("user") and g.user.admin)


class PingResource(RestResource):
    include_resources = {"user": AdminOnlyUserResource}


@pytest.fixture
def api(app, auth, chain):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    open_auth = Authentication(protected_methods=())
    for model, resource in ((chain.A, AResource), (chain.B, BResource), (chain.C, CResource)):
        api.register(model, resource, auth=open_auth)
    api.register(chain.E, EResource, auth=open_auth)
    api.register(chain.F, FResource, auth=open_auth)
    api.register(chain.Ping, PingResource)
    return api


def test_a_create_writes_nested_objects_at_every_level(client, api, chain):
    response = client.post("/api/c/", json={"c_field": "cz", "b": {"b_field": "bz", "a": {"a_field": "az"}}})
    assert response.status_code == 200, response.get_json()
    c = chain.C.get(chain.C.c_field == "cz")
    assert (c.b.b_field, c.b.a.a_field) == ("bz", "az")
    assert response.get_json() == {
        "id": c.id,
        "c_field": "cz",
        "b": {"id": c.b.id, "b_field": "bz", "a": {"id": c.b.a.id, "a_field": "az"}},
    }
    response = client.post("/api/f/", json={"f_field": "fz"})
    assert (response.status_code, response.get_json()["e"], chain.E.select().count()) == (200, None, 0)


def test_an_edit_changes_the_related_rows_it_points_at(client, api, chain):
    a = chain.A.create(a_field="a1")
    b = chain.B.create(a=a, b_field="b1")
    c = chain.C.create(b=b, c_field="c1")
    other = chain.A.create(a_field="other")
    body = {"c_field": "c2", "b": {"b_field": "b2", "a": {"a_field": "a2"}}}
    for method in ("put", "post"):
        response = getattr(client, method)(f"/api/c/{c.id}/", json=body)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["b"] == {"id": b.id, "b_field": "b2", "a": {"id": a.id, "a_field": "a2"}}
    assert (chain.A.select().count(), chain.B.select().count()) == (2, 1)
    assert chain.A.get_by_id(other.id).a_field == "other"
    # the id of the row pointed at, with changes: the same row; another id: a reference, nothing written
    response = client.patch(f"/api/b/{b.id}/", json={"a": {"id": a.id, "a_field": "a3"}})
    assert response.get_json()["a"] == {"id": a.id, "a_field": "a3"}
    response = client.patch(f"/api/b/{b.id}/", json={"a": {"id": other.id, "a_field": "hijacked"}})
    assert response.get_json()["a"] == {"id": other.id, "a_field": "other"}
    assert chain.A.get_by_id(other.id).a_field == "other"


def test_an_edit_of_a_null_foreign_key_creates_the_related_row(client, api, chain):
    f = chain.F.create(f_field="f")
    response = client.put(f"/api/f/{f.id}/", json={"e": {"e_field": "new"}})
    assert response.status_code == 200
    e = chain.E.get(chain.E.e_field == "new")
    assert response.get_json() == {"id": f.id, "f_field": "f", "e": {"id": e.id, "e_field": "new"}}


def test_invalid_nested_objects_answer_422_naming_the_path_and_write_nothing(client, api, chain):
    response = client.post("/api/c/", json={"c_field": "c", "b": {"b_field": "b", "a": {"nothing": 1}}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"b.a.a_field": "this field is required"}
    response = client.post("/api/c/", json={"b": {"b_field": "b", "a": {"a_field": "a"}}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"c_field": "this field is required"}
    assert (chain.A.select().count(), chain.B.select().count(), chain.C.select().count()) == (0, 0, 0)


def test_the_child_checks_refuse_with_403_and_roll_everything_back(client, api, chain, models, users):
    users_before = models.User.select().count()
    body = {"body": "x", "user": {"username": "sneaky", "admin": True}}
    response = client.post("/api/ping/", json=body, headers=COLEIFER)
    assert response.status_code == 403
    assert (models.User.select().count(), chain.Ping.select().count()) == (users_before, 0)
    ping = chain.Ping.create(user=users.coleifer, body="hi")
    body = {"body": "y", "user": {"username": "changed"}}
    response = client.put(f"/api/ping/{ping.id}/", json=body, headers=COLEIFER)
    assert response.status_code == 403
    assert (models.User.get_by_id(2).username, chain.Ping.get_by_id(ping.id).body) == ("coleifer", "hi")


def test_an_allowed_nested_write_never_sets_read_only_or_sensitive_fields(client, api, chain, models, users):
    ping = chain.Ping.create(user=users.coleifer, body="hi")
    old_hash = models.User.get_by_id(2).password
    body = {"user": {"username": "renamed", "admin": True, "password": "owned"}}
    response = client.put(f"/api/ping/{ping.id}/", json=body, headers=ADMIN)
    assert response.status_code == 200
    assert "password" not in response.get_json()["user"]
    user = models.User.get_by_id(2)
    assert (user.username, user.admin, user.password) == ("renamed", False, old_hash)
    # a new user needs a password, which a body never writes: refused, and the ping with it
    body = {"body": "x", "user": {"username": "made", "password": "x", "email": ""}}
    response = client.post("/api/ping/", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"user.password": "this field is required"}
    assert not models.User.select().where(models.User.username == "made").exists()
    assert chain.Ping.select().count() == 1


def test_nested_writes_false_ignores_nested_objects_but_keeps_ids(app, auth, client, chain):
    class GResource(RestResource):
        include_resources = {"e": EResource}
        nested_writes = False

    RestAPI(app, default_auth=Authentication(protected_methods=())).register(chain.F, GResource)
    e = chain.E.create(e_field="e1")
    response = client.post("/api/f/", json={"f_field": "g1", "e": {"e_field": "sneaky"}})
    assert (response.status_code, response.get_json()["e"]) == (200, None)
    assert chain.E.select().count() == 1
    response = client.post("/api/f/", json={"f_field": "g2", "e": e.id})
    assert response.get_json()["e"] == {"id": e.id, "e_field": "e1"}


def test_the_parents_read_only_foreign_key_is_never_written_through_nesting(app, auth, client, chain, users):
    class CommentResource(RestrictOwnerResource):
        include_resources = {"user": UserResource}

    RestAPI(app, default_auth=UserAuthentication(auth)).register(chain.Ping, CommentResource)
    ping = chain.Ping.create(user=users.coleifer, body="hi")
    response = client.put(f"/api/ping/{ping.id}/", json={"body": "ok", "user": {"username": "x"}}, headers=COLEIFER)
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == "coleifer"
    assert chain.Ping.get_by_id(ping.id).body == "ok"


def test_the_permission_policy_judges_nested_writes(app, auth, client, chain, monkeypatch):
    def has_permission(user, model, action, default=True):
        return not (model is chain.A and action == "add")

    monkeypatch.setattr(auth, "has_permission", has_permission)
    RestAPI(app, default_auth=Authentication(protected_methods=())).register(chain.B, BResource)
    response = client.post("/api/b/", json={"b_field": "b", "a": {"a_field": "a"}})
    assert response.status_code == 403
    assert (chain.A.select().count(), chain.B.select().count()) == (0, 0)


def test_a_nested_write_needs_the_authentication_the_model_is_served_with(app, auth, client, chain, models, users):
    """As in the docs' example: users served admin-only, nested (without checks) in another resource."""

    class PingResource(RestResource):
        include_resources = {"user": UserResource}

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource, auth=AdminAuthentication(auth))
    api.register(chain.Ping, PingResource)
    ping = chain.Ping.create(user=users.admin, body="hi")
    body = {"body": "edited", "user": {"username": "hacked"}}
    response = client.put(f"/api/ping/{ping.id}/", json=body, headers=COLEIFER)
    assert response.status_code == 403
    assert (models.User.get_by_id(1).username, chain.Ping.get_by_id(ping.id).body) == ("admin", "hi")
    assert client.put("/api/user/1/", json={"username": "hacked"}, headers=COLEIFER).status_code == 401
    response = client.put(f"/api/ping/{ping.id}/", json=body, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == "hacked"
    # a reference by id is no write: any user may point a ping at a user
    response = client.post("/api/ping/", json={"body": "b", "user": {"id": 1}}, headers=COLEIFER)
    assert (response.status_code, response.get_json()["user"]["id"]) == (200, 1)


def test_the_request_user_is_kept_after_the_nested_check(app, auth, client, chain, models, users):
    class PingResource(RestResource):
        include_resources = {"user": UserResource}

        def save_object(self, instance, raw_data):
            instance.body = f"saved by user {g.user.get_id()}"
            return super().save_object(instance, raw_data)

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource, auth=AdminAuthentication(auth))
    api.register(chain.Ping, PingResource)
    ping = chain.Ping.create(user=users.admin, body="hi")
    response = client.put(f"/api/ping/{ping.id}/", json={"user": {"username": "boss"}}, headers=ADMIN)
    assert response.status_code == 200
    assert (chain.Ping.get_by_id(ping.id).body, models.User.get_by_id(1).username) == ("saved by user 1", "boss")


def test_a_nested_write_needs_the_method_the_model_is_served_with(app, auth, client, chain, models, users):
    class PingResource(RestResource):
        include_resources = {"user": UserResource}

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource, allowed_methods=("GET",))
    api.register(chain.Ping, PingResource)
    ping = chain.Ping.create(user=users.coleifer, body="hi")
    response = client.put(f"/api/ping/{ping.id}/", json={"user": {"username": "renamed"}}, headers=ADMIN)
    assert response.status_code == 403
    assert models.User.get_by_id(2).username == "coleifer"
    response = client.put(f"/api/ping/{ping.id}/", json={"body": "ok", "user": {"id": 1}}, headers=ADMIN)
    assert (response.status_code, response.get_json()["user"]["username"]) == (200, "admin")


def test_a_foreign_key_to_another_unique_field_is_written_through_it(app, db, client, chain):
    class Country(db.Model):
        code = peewee.CharField(unique=True)
        name = peewee.CharField()

    class City(db.Model):
        country = peewee.ForeignKeyField(Country, field=Country.code)
        name = peewee.CharField()

    db.create_tables()
    Country.create(code="fr", name="France")
    other = Country.create(code="de", name="Germany")
    city = City.create(country="fr", name="Paris")
    db.database.close()

    class CityResource(RestResource):
        include_resources = {"country": RestResource}

    RestAPI(app, default_auth=Authentication(protected_methods=())).register(City, CityResource)
    response = client.patch(f"/api/city/{city.id}/", json={"country": {"code": "fr", "name": "la France"}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["country"]["name"] == "la France"
    response = client.patch(f"/api/city/{city.id}/", json={"country": {"code": "de", "name": "hijacked"}})
    assert (response.status_code, response.get_json()["country"]["code"]) == (200, "de")
    assert Country.get_by_id(other.id).name == "Germany"
