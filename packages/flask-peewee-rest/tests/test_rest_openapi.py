"""The OpenAPI 3.1 document at /api/openapi.json: valid, and true to what the API answers."""

from __future__ import annotations

import re

import peewee
import pytest
from openapi_spec_validator import validate

from flask_peewee.rest import (
    APIKeyAuthentication,
    BearerAuthentication,
    RestAPI,
    RestResource,
    UserAuthentication,
)

from .conftest import basic


@pytest.fixture
def documented(app, auth, db, models, users):
    class APIKey(db.Model):
        key = peewee.CharField()
        secret = peewee.CharField()

    class Tag(db.Model):
        name = peewee.CharField(max_length=30)

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag)

    db.create_tables([APIKey, Tag, Post, Post.tags.get_through_model()])
    db.database.close()

    class UserResource(RestResource):
        exclude = ("email",)

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}
        read_only_fields = ("pub_date",)

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource, allowed_methods=["GET"])
    api.register(models.Message, MessageResource)
    api.register(Post, auth=APIKeyAuthentication(APIKey))
    api.register(Tag)
    return api


def test_document_is_valid_openapi_31(client, documented):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_document_describes_paths_methods_and_schemas(client, documented):
    document = client.get("/api/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths) == {
        "/api/message/",
        "/api/message/{pk}/",
        "/api/post/",
        "/api/post/{pk}/",
        "/api/tag/",
        "/api/tag/{pk}/",
        "/api/user/",
        "/api/user/{pk}/",
    }
    assert set(paths["/api/user/"]) == {"get"}
    assert set(paths["/api/message/{pk}/"]) == {"parameters", "get", "put", "patch", "post", "delete"}
    assert paths["/api/message/{pk}/"]["post"]["requestBody"] == paths["/api/message/{pk}/"]["put"]["requestBody"]
    user = document["components"]["schemas"]["user"]["properties"]
    assert "password" not in user
    assert "email" not in user
    message = document["components"]["schemas"]["message"]["properties"]
    assert message["pub_date"]["type"] == "string"  # naive: a pattern, since format date-time needs an offset
    for written in ("2011-09-16T18:36:15", "2011-09-16T18:36:15.250000", "2011-09-16 18:36:15", "2011-09-16T18:36:15Z"):
        assert re.search(message["pub_date"]["pattern"], written)
    assert not re.search(message["pub_date"]["pattern"], "16/09/2011")
    assert "username" in message["user"]["anyOf"][0]["properties"]
    create = paths["/api/message/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(create["properties"]) == {"user", "content"}
    assert create["required"] == ["user", "content"]
    nested_user = create["properties"]["user"]["anyOf"]  # an id, or a user written through UserResource
    assert nested_user[0]["type"] == "integer"
    assert "username" in nested_user[1]["properties"]
    assert "password" not in nested_user[1]["properties"]
    assert paths["/api/message/"]["post"]["security"] == [{"basicAuth": []}]
    assert paths["/api/post/"]["post"]["security"] == [{"apiKey": [], "apiSecret": []}]
    assert paths["/api/message/"]["get"]["security"] == []
    post = document["components"]["schemas"]["post"]["properties"]
    assert post["tags"] == {"type": "array", "items": {"type": "integer"}}
    names = {p["name"] for p in paths["/api/message/"]["get"]["parameters"]}
    assert names >= {"page", "limit", "ordering", "content", "user", "pub_date"}


def test_responses_match_the_documented_schemas(client, documented, models, users):
    from jsonschema import Draft202012Validator

    document = client.get("/api/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    def check(schema_name, instance):
        schema = {**schemas[schema_name], "components": {"schemas": schemas}}
        schema = _resolve(schema, schemas)
        Draft202012Validator(schema).validate(instance)

    created = client.post("/api/message/", json={"user": 2, "content": "hi"}, headers=basic("admin")).get_json()
    check("message", created)
    for obj in client.get("/api/user/").get_json()["objects"]:
        check("user", obj)
    check("Meta", client.get("/api/message/").get_json()["meta"])
    check("Error", client.get("/api/message/?nope=1").get_json())


def _resolve(schema, schemas):
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
        return {k: _resolve(v, schemas) for k, v in schema.items() if k != "components"}
    if isinstance(schema, list):
        return [_resolve(v, schemas) for v in schema]
    return schema


def test_field_types_follow_the_wire_format(app, auth, db, client, models):
    import uuid

    class Device(db.Model):
        id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
        name = peewee.CharField(max_length=40)
        active = peewee.BooleanField(default=True)
        price = peewee.DecimalField(max_digits=8, decimal_places=2, null=True)
        ratio = peewee.FloatField(null=True)
        address = peewee.IPField(null=True)
        photo = peewee.BlobField(null=True)
        seen = peewee.DateField(null=True)
        notes = peewee.TextField(null=True)

    class Reading(db.Model):
        device = peewee.ForeignKeyField(Device)
        at = peewee.TimeField()

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Device)
    api.register(Reading)
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    device = document["components"]["schemas"]["device"]["properties"]
    assert device == {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string", "maxLength": 40},
        "active": {"type": "boolean"},
        "price": {"type": ["string", "null"], "format": "decimal"},
        "ratio": {"type": ["number", "null"]},
        "address": {"type": ["string", "null"], "format": "ipv4"},
        "photo": {"type": ["string", "null"], "contentEncoding": "base64"},
        "seen": {"type": ["string", "null"], "format": "date"},
        "notes": {"type": ["string", "null"]},
    }
    reading = document["components"]["schemas"]["reading"]["properties"]
    assert reading["device"] == {"type": "string", "format": "uuid"}
    assert reading["at"]["type"] == "string"
    assert re.search(reading["at"]["pattern"], "18:36:15")
    assert not re.search(reading["at"]["pattern"], "6pm")
    assert document["paths"]["/api/device/{pk}/"]["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}


def test_only_the_security_schemes_in_use_are_listed(app, auth, db, client, models, documented):
    document = client.get("/api/openapi.json").get_json()
    assert set(document["components"]["securitySchemes"]) == {"basicAuth", "apiKey", "apiSecret"}


def test_basic_only_lists_basic_and_read_only_lists_none(app, auth, db, client, models):
    class Key(db.Model):
        token = peewee.CharField()

    basic_api = RestAPI(app, default_auth=UserAuthentication(auth), prefix="/basic", name="basic")
    basic_api.register(models.Note)
    read_only = RestAPI(app, prefix="/open", name="open")  # the base Authentication: writes refused
    read_only.register(models.Note)
    bearer = RestAPI(app, prefix="/bearer", name="bearer")
    bearer.register(models.Message, auth=BearerAuthentication(Key))
    document = client.get("/basic/openapi.json").get_json()
    validate(document)
    assert document["components"]["securitySchemes"] == {"basicAuth": {"type": "http", "scheme": "basic"}}
    document = client.get("/open/openapi.json").get_json()
    validate(document)
    assert "securitySchemes" not in document["components"]
    document = client.get("/bearer/openapi.json").get_json()
    validate(document)
    assert document["components"]["securitySchemes"] == {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    assert document["paths"]["/bearer/message/"]["post"]["security"] == [{"bearerAuth": []}]


def test_examples_come_from_the_model_fields_and_fit_their_schemas(app, auth, db, client, models):
    from jsonschema import Draft202012Validator

    class Gadget(db.Model):
        name = peewee.CharField(max_length=10)
        active = peewee.BooleanField(default=False)
        size = peewee.CharField(choices=[("s", "Small"), ("l", "Large")], default="l")
        price = peewee.DecimalField(null=True)
        seen = peewee.DateTimeField(null=True)
        owner = peewee.ForeignKeyField(models.User, null=True)

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Gadget)
    api.register(models.Message)
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    schemas = document["components"]["schemas"]
    gadget = schemas["gadget"]
    assert gadget["examples"] == [
        {
            "id": 1,
            "name": "example na",  # cut to max_length
            "active": False,
            "size": "s",
            "price": "10.00",
            "seen": "2011-09-16T18:36:15",
            "owner": 1,
        }
    ]
    message = schemas["message"]["examples"][0]
    assert message["content"] == "example content"
    assert message["user"] == 1
    for name in ("gadget", "message"):
        Draft202012Validator(_resolve(schemas[name], schemas)).validate(schemas[name]["examples"][0])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch"):
                media = operation["requestBody"]["content"]["application/json"]
                assert media["example"], path
                Draft202012Validator(_resolve(media["schema"], schemas)).validate(media["example"])
    create = document["paths"]["/api/gadget/"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert "id" not in create
    assert create["name"] == "example na"
