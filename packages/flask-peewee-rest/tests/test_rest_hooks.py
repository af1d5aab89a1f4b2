"""The original flask-peewee's public names and hooks: each resolves, and each override is called or refused."""

from __future__ import annotations

import json

import peewee
import pytest
from flask import Blueprint, Response, g

import flask_peewee.rest
from flask_peewee.rest import (
    ALL_METHODS,
    AdminAuthentication,
    APIKeyAuthentication,
    Authentication,
    BearerAuthentication,
    RestAPI,
    RestForbidden,
    RestResource,
    RestrictOwnerResource,
    UserAuthentication,
    UserBearerAuthentication,
)

from .conftest import basic

ADMIN = basic("admin")
COLEIFER = basic("coleifer")

#: every public name of the original's rest.py
ORIGINAL_NAMES = [
    "ALL_METHODS",
    "RestForbidden",
    "Authentication",
    "APIKeyAuthentication",
    "BearerAuthentication",
    "UserBearerAuthentication",
    "UserAuthentication",
    "AdminAuthentication",
    "RestResource",
    "RestrictOwnerResource",
    "RestAPI",
]

#: every public method of the original's classes: "honoured" (a test below overrides it and sees the
#: effect) or "refused" (a subclass defining it is refused when the class is created)
ORIGINAL_METHODS = {
    Authentication: {"authorize": "honoured"},
    APIKeyAuthentication: {
        "get_query": "honoured",
        "get_key": "honoured",
        "get_key_secret": "honoured",
        "authorize": "honoured",
    },
    BearerAuthentication: {
        "get_query": "honoured",
        "get_token": "honoured",
        "get_key": "honoured",
        "authorize": "honoured",
    },
    UserBearerAuthentication: {"authorize": "honoured"},
    UserAuthentication: {"authorize": "honoured"},
    AdminAuthentication: {"verify_user": "honoured", "authorize": "honoured"},
    RestResource: {
        "authorize": "honoured",
        "get_api_name": "honoured",
        "get_url_name": "refused",
        "get_query": "honoured",
        "process_query": "honoured",
        "clean_arg_list": "honoured",
        "apply_filter": "refused",
        "get_serializer": "refused",
        "get_deserializer": "refused",
        "prepare_data": "honoured",
        "serialize_object": "honoured",
        "serialize_query": "honoured",
        "get_readonly_fields": "honoured",
        "scrub_readonly_fields": "honoured",
        "deserialize_object": "honoured",
        "response_error": "honoured",
        "response_forbidden": "honoured",
        "response_bad_method": "honoured",
        "response_bad_request": "honoured",
        "response": "honoured",
        "require_method": "honoured",
        "get_urls": "honoured",
        "check_get": "honoured",
        "check_post": "honoured",
        "check_put": "honoured",
        "check_delete": "honoured",
        "save_object": "honoured",
        "api_list": "honoured",
        "api_detail": "honoured",
        "post_delete": "honoured",
        "apply_ordering": "honoured",
        "get_request_metadata": "honoured",
        "get_paginate_by": "honoured",
        "paginated_object_list": "honoured",
        "apply_related_joins": "honoured",
        "object_list": "honoured",
        "object_detail": "honoured",
        "save_related_objects": "honoured",
        "read_request_data": "honoured",
        "persist_object": "honoured",
        "create": "honoured",
        "edit": "honoured",
        "delete": "honoured",
    },
    RestrictOwnerResource: {
        "validate_owner": "honoured",
        "set_owner": "honoured",
        "check_put": "honoured",
        "check_delete": "honoured",
        "save_object": "honoured",
    },
    RestAPI: {
        "register": "honoured",
        "unregister": "honoured",
        "is_registered": "honoured",
        "response_auth_failed": "honoured",
        "auth_wrapper": "honoured",
        "get_blueprint": "honoured",
        "get_urls": "honoured",
        "configure_routes": "honoured",
        "register_blueprint": "honoured",
        "setup": "honoured",
    },
}

#: class attributes of the original's public classes
ORIGINAL_ATTRIBUTES = {
    APIKeyAuthentication: ("key_field", "secret_field"),
    BearerAuthentication: ("token_field",),
    UserBearerAuthentication: ("user_field",),
    RestResource: (
        "paginate_by",
        "max_paginate_by",
        "value_transforms",
        "fields",
        "exclude",
        "readonly_fields",
        "filter_exclude",
        "filter_fields",
        "filter_recursive",
        "include_resources",
        "nested_writes",
        "delete_recursive",
    ),
    RestrictOwnerResource: ("owner_field",),
}


@pytest.mark.parametrize("name", ORIGINAL_NAMES)
def test_every_public_name_of_the_original_resolves(name):
    assert hasattr(flask_peewee.rest, name)
    assert name in flask_peewee.rest.__all__


def test_all_methods_is_the_original_tuple():
    assert ALL_METHODS == ("GET", "POST", "PUT", "DELETE")


@pytest.mark.parametrize(
    ("cls", "name"), [(cls, name) for cls, methods in ORIGINAL_METHODS.items() for name in methods]
)
def test_every_original_method_exists_and_is_honoured_or_refused(cls, name):
    assert callable(getattr(cls, name, None)), f"{cls.__name__}.{name} is missing"
    verdict = ORIGINAL_METHODS[cls][name]
    if verdict == "refused":
        with pytest.raises(TypeError, match=rf"{name}\(\) would never be called: .* instead"):
            type("Override", (cls,), {name: lambda self, *a, **k: None})
    else:
        type("Override", (cls,), {name: getattr(cls, name)})  # accepted
        assert name in HONOURED_BY_TESTS.get(cls, set()), f"no test overrides {cls.__name__}.{name}"


@pytest.mark.parametrize(("cls", "name"), [(c, n) for c, names in ORIGINAL_ATTRIBUTES.items() for n in names])
def test_every_original_class_attribute_exists(cls, name):
    assert hasattr(cls, name)


# -- the hooks, spied: an override is called at the request that needs it --------------------------------


def _spy(base, names, calls):
    cls = type(f"Spy{base.__name__}", (base,), {})

    def make(name):
        def method(self, *args, **kwargs):
            calls.append(name)
            return getattr(super(cls, self), name)(*args, **kwargs)

        return method

    for name in names:
        setattr(cls, name, make(name))
    return cls


RESOURCE_CASES = {
    "get_query": ("get", "/api/message/", None),
    "process_query": ("get", "/api/message/", None),
    "apply_ordering": ("get", "/api/message/?ordering=-id", None),
    "apply_related_joins": ("get", "/api/message/", None),
    "paginated_object_list": ("get", "/api/message/", None),
    "get_request_metadata": ("get", "/api/message/", None),
    "get_paginate_by": ("get", "/api/message/", None),
    "serialize_query": ("get", "/api/message/", None),
    "object_list": ("get", "/api/message/", None),
    "api_list": ("get", "/api/message/", None),
    "clean_arg_list": ("get", "/api/message/?content=hello", None),
    "check_get": ("get", "/api/message/1/", None),
    "object_detail": ("get", "/api/message/1/", None),
    "api_detail": ("get", "/api/message/1/", None),
    "serialize_object": ("get", "/api/message/1/", None),
    "prepare_data": ("get", "/api/message/1/", None),
    "response": ("get", "/api/message/1/", None),
    "authorize": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "check_post": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "create": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "read_request_data": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "persist_object": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "deserialize_object": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "scrub_readonly_fields": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "get_readonly_fields": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "save_related_objects": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "save_object": ("post", "/api/message/", {"user": 1, "content": "new"}),
    "check_put": ("put", "/api/message/1/", {"content": "changed"}),
    "edit": ("put", "/api/message/1/", {"content": "changed"}),
    "check_delete": ("delete", "/api/message/1/", None),
    "delete": ("delete", "/api/message/1/", None),
    "post_delete": ("post", "/api/message/1/delete/", None),
    "get_api_name": ("get", "/api/message/", None),
    "get_urls": ("get", "/api/message/", None),
}

HONOURED_BY_TESTS: dict[type, set[str]] = {
    RestResource: set(RESOURCE_CASES)
    | {"response_error", "response_forbidden", "response_bad_method", "response_bad_request", "require_method"},
    RestrictOwnerResource: {"validate_owner", "set_owner", "check_put", "check_delete", "save_object"},
    RestAPI: {
        "register",
        "unregister",
        "is_registered",
        "response_auth_failed",
        "auth_wrapper",
        "get_blueprint",
        "get_urls",
        "configure_routes",
        "register_blueprint",
        "setup",
    },
    Authentication: {"authorize"},
    APIKeyAuthentication: {"get_query", "get_key", "get_key_secret", "authorize"},
    BearerAuthentication: {"get_query", "get_token", "get_key", "authorize"},
    UserBearerAuthentication: {"authorize"},
    UserAuthentication: {"authorize"},
    AdminAuthentication: {"verify_user", "authorize"},
}


@pytest.fixture
def message(models, users):
    return models.Message.create(user=users.admin, content="hello")


@pytest.mark.parametrize("hook", sorted(RESOURCE_CASES))
def test_resource_hook_overrides_are_called(app, auth, client, models, message, hook):
    calls: list[str] = []
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, _spy(RestResource, [hook], calls))
    method, url, body = RESOURCE_CASES[hook]
    response = getattr(client, method)(url, json=body, headers=ADMIN)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert hook in calls


@pytest.mark.parametrize("hook", ["validate_owner", "set_owner", "check_put", "check_delete", "save_object"])
def test_owner_resource_hook_overrides_are_called(app, auth, client, models, message, hook):
    calls: list[str] = []
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, _spy(RestrictOwnerResource, [hook], calls))
    if hook in ("set_owner", "save_object"):
        response = client.post("/api/message/", json={"content": "mine"}, headers=ADMIN)
    elif hook == "check_delete":
        response = client.delete("/api/message/1/", headers=ADMIN)
    else:
        response = client.put("/api/message/1/", json={"content": "x"}, headers=ADMIN)
    assert response.status_code == 200
    assert hook in calls


# -- custom endpoints: get_urls, require_method, post_delete ---------------------------------------------


class PingResource(RestResource):
    def get_urls(self):
        return super().get_urls() + (  # noqa: RUF005 - the original idiom
            ("/ping/", self.ping),
            ("/<pk>/shout/", self.require_method(self.shout, ["POST"])),
        )

    def ping(self):
        return self.response({"pong": self.get_api_name()})

    def shout(self, pk):
        obj = self.get_object(pk)
        obj.content = obj.content.upper()
        obj.save()
        return self.response({"content": obj.content})


def test_get_urls_serves_extra_endpoints_after_authentication(app, auth, client, models, message):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, PingResource)
    assert client.get("/api/message/ping/").get_json() == {"pong": "message"}
    assert client.post("/api/message/1/shout/").status_code == 401
    response = client.post("/api/message/1/shout/", headers=ADMIN)
    assert response.get_json() == {"content": "HELLO"}
    response = client.get("/api/message/1/shout/")
    assert response.status_code == 405
    assert response.get_json() == {"error": "Unsupported method 'GET'"}
    assert client.get("/api/message/1/").get_json()["content"] == "HELLO"
    assert client.get("/api/message/nothing/here/").status_code == 404


def test_get_urls_may_replace_a_built_in_view(app, client, models, message):
    class OwnList(RestResource):
        def get_urls(self):
            return (("/", self.own_list), *super().get_urls()[1:])

        def own_list(self):
            return self.response({"own": True})

    api = RestAPI(app)
    api.register(models.Message, OwnList)
    assert client.get("/api/message/").get_json() == {"own": True}
    assert client.get("/api/message/1/").get_json()["content"] == "hello"


def test_bad_get_urls_is_refused_at_registration(app, models):
    class Broken(RestResource):
        def get_urls(self):
            return (("ping/", self.api_list),)

    with pytest.raises(TypeError, match=r"get_urls\(\) must return \(rule, view\) pairs"):
        RestAPI(app).register(models.Message, Broken)


def test_the_default_get_urls_is_the_originals(app, models):
    resource = RestAPI(app).register(models.Message)
    assert [rule for rule, _ in resource.get_urls()] == ["/", "/<pk>/", "/<pk>/delete/"]


def test_post_delete_deletes_with_a_post(app, auth, client, models, message):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    assert client.post("/api/message/1/delete/").status_code == 401
    assert client.post("/api/message/1/delete/", headers=ADMIN).get_json() == {"deleted": 1}
    assert models.Message.select().count() == 0
    api.register(models.Note, allowed_methods=["GET", "POST"])
    models.Note.create(message="keep")
    assert client.post("/api/note/1/delete/", headers=ADMIN).status_code == 405
    assert models.Note.select().count() == 1


# -- response hooks --------------------------------------------------------------------------------------


def test_response_hooks_shape_the_answers(app, auth, client, models, message):
    class Custom(RestResource):
        def check_get(self, obj=None):
            return obj is None

        def response_forbidden(self):
            return Response("no peeking", 403)

        def response_bad_request(self, message="Bad request"):
            return self.response_error(f"bad: {message}", 418)

        def response(self, data):
            return Response(json.dumps({"wrapped": data}), mimetype="application/json")

    api = RestAPI(app)
    api.register(models.Message, Custom)
    assert client.get("/api/message/1/").get_data(as_text=True) == "no peeking"
    assert client.get("/api/message/").get_json()["wrapped"]["objects"][0]["content"] == "hello"
    response = client.get("/api/message/?nosuchfield=1")
    assert response.status_code == 418
    assert response.get_json()["error"].startswith("bad: ")


def test_rest_forbidden_from_a_hook_answers_403_and_rolls_back(app, auth, client, models, message):
    class Guarded(RestResource):
        def save_related_objects(self, instance, data):
            instance.save()  # written inside the transaction, then refused
            if data.get("content") == "forbidden":
                raise RestForbidden()

        def response_forbidden(self):
            return self.response_error("Nope", 403)

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, Guarded)
    response = client.put("/api/message/1/", json={"content": "forbidden"}, headers=ADMIN)
    assert (response.status_code, response.get_json()) == (403, {"error": "Nope"})
    assert models.Message.get_by_id(1).content == "hello"
    assert client.put("/api/message/1/", json={"content": "fine"}, headers=ADMIN).status_code == 200


def test_value_transforms_and_clean_arg_list(app, client, models, users):
    class UserResource(RestResource):
        value_transforms = {**RestResource.value_transforms, "boss": True}

    api = RestAPI(app)
    api.register(models.User, UserResource)
    names = [u["username"] for u in client.get("/api/user/?admin=boss").get_json()["objects"]]
    assert names == ["admin"]
    names = [u["username"] for u in client.get("/api/user/?admin=False").get_json()["objects"]]
    assert names == ["coleifer"]
    models.Message.create(user=users.admin, content="x")
    api.register(models.Message)
    assert client.get("/api/message/?user=None").get_json()["objects"] == []
    assert len(client.get("/api/message/?user__username=admin").get_json()["objects"]) == 1


# -- RestAPI hooks ---------------------------------------------------------------------------------------


def test_api_get_urls_auth_wrapper_and_response_auth_failed(app, auth, client, models, message):
    wrapped = []

    class API(RestAPI):
        def get_urls(self):
            return (("/status/", self.status),)

        def status(self):
            return {"ok": True, "resources": sorted(self.resources)}

        def auth_wrapper(self, func, provider):
            wrapped.append(provider.get_api_name())
            return super().auth_wrapper(func, provider)

        def response_auth_failed(self):
            return Response("Authentication failed", 401, {"WWW-Authenticate": 'Basic realm="Login Required"'})

    api = API(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    assert client.get("/api/status/").get_json() == {"ok": True, "resources": ["message"]}
    assert client.get("/api/message/").status_code == 200
    assert wrapped == ["message"]
    response = client.post("/api/message/", json={"content": "x", "user": 1})
    assert (response.status_code, response.get_data(as_text=True)) == (401, "Authentication failed")


def test_api_configure_routes_register_blueprint_and_setup(app, client, models, message):
    calls = []

    class API(RestAPI):
        def get_blueprint(self, blueprint_name):
            calls.append("get_blueprint")
            return Blueprint(blueprint_name, __name__)

        def configure_routes(self):
            calls.append("configure_routes")
            super().configure_routes()
            self.blueprint.add_url_rule("/version/", "version", lambda: {"version": 2})

        def register_blueprint(self, **kwargs):
            calls.append("register_blueprint")
            super().register_blueprint(**kwargs)

    api = API(app)
    api.register(models.Message)
    assert "api" not in app.blueprints  # served from setup(), as in the original
    api.setup()
    assert calls == ["get_blueprint", "configure_routes", "register_blueprint"]
    assert client.get("/api/version/").get_json() == {"version": 2}
    assert client.get("/api/message/1/").get_json()["content"] == "hello"
    assert api.url_prefix == "/api"


def test_register_unregister_and_is_registered(app, client, models, message):
    class API(RestAPI):
        def register(self, model, provider=RestResource, auth=None, allowed_methods=None):
            return super().register(model, provider, auth, allowed_methods=["GET"])

    api = API(app)
    resource = api.register(models.Message)
    assert api.is_registered(models.Message) is resource
    assert client.post("/api/message/", json={"content": "x"}).status_code == 405
    api.unregister(models.Message)
    assert api.is_registered(models.Message) is None
    assert client.get("/api/message/").status_code == 404
    with pytest.raises(KeyError):
        api.unregister(models.Message)


# -- authentication classes ------------------------------------------------------------------------------


@pytest.fixture
def keys(db, models, users):
    class APIKey(db.Model):
        user = peewee.ForeignKeyField(models.User)
        api_key = peewee.CharField()
        api_secret = peewee.CharField()
        token = peewee.CharField(null=True)
        active = peewee.BooleanField(default=True)

    db.create_tables()
    APIKey.create(user=users.coleifer, api_key="k1", api_secret="s1", token="t1")
    APIKey.create(user=users.admin, api_key="k2", api_secret="s2", token="t2", active=False)
    db.database.close()
    return APIKey


def test_api_key_fields_and_hooks(app, client, models, keys, message):
    calls = []

    class KeyAuth(APIKeyAuthentication):
        key_field = "api_key"
        secret_field = "api_secret"

        def get_query(self):
            calls.append("get_query")
            return super().get_query().where(keys.active == True)  # noqa: E712

        def get_key_secret(self):
            calls.append("get_key_secret")
            return request_pair()

        def get_key(self, k, s):
            calls.append("get_key")
            return super().get_key(k, s)

    def request_pair():
        from flask import request

        return request.headers.get("X-Key"), request.headers.get("X-Secret")

    api = RestAPI(app, default_auth=KeyAuth(keys))
    api.register(models.Note)
    ok = client.post("/api/note/", json={"message": "m"}, headers={"X-Key": "k1", "X-Secret": "s1"})
    assert ok.status_code == 200
    assert calls == ["get_key_secret", "get_key", "get_query"]
    inactive = client.post("/api/note/", json={"message": "m"}, headers={"X-Key": "k2", "X-Secret": "s2"})
    wrong = client.post("/api/note/", json={"message": "m"}, headers={"X-Key": "k1", "X-Secret": "s2"})
    assert (inactive.status_code, wrong.status_code) == (401, 401)
    with pytest.raises(TypeError, match="'key' field"):
        APIKeyAuthentication(keys)


def test_bearer_authentication_and_its_hooks(app, client, models, keys, message):
    calls = []

    class Bearer(BearerAuthentication):
        def get_token(self):
            calls.append("get_token")
            return super().get_token()

        def get_key(self, token):
            calls.append("get_key")
            return super().get_key(token)

        def get_query(self):
            calls.append("get_query")
            return super().get_query().where(keys.active == True)  # noqa: E712

    api = RestAPI(app, default_auth=Bearer(keys, ALL_METHODS))
    api.register(models.Note)
    assert client.get("/api/note/").status_code == 401
    assert client.get("/api/note/", headers={"Authorization": "Bearer t2"}).status_code == 401
    response = client.get("/api/note/", headers={"Authorization": "Bearer t1"})
    assert response.status_code == 200
    assert response.headers.get("WWW-Authenticate") is None
    assert client.get("/api/note/").headers["WWW-Authenticate"].startswith("Bearer")
    assert {"get_token", "get_key", "get_query"} <= set(calls)


def test_user_bearer_authentication_drives_owner_resources(app, client, models, keys, message):
    api = RestAPI(app, default_auth=UserBearerAuthentication(keys))
    api.register(models.Message, RestrictOwnerResource)
    response = client.post("/api/message/", json={"content": "by token"}, headers={"Authorization": "Bearer t1"})
    assert response.status_code == 200
    assert response.get_json()["user"] == 2
    assert (
        client.put("/api/message/1/", json={"content": "x"}, headers={"Authorization": "Bearer t1"}).status_code == 403
    )


def test_authentication_authorize_and_verify_user_overrides(app, auth, client, models, users, message):
    class Nobody(Authentication):
        def authorize(self):
            return False

    class OnlyColeifer(AdminAuthentication):
        def verify_user(self, user):
            return user.username == "coleifer"

    class Logged(UserAuthentication):
        def authorize(self):
            g.logged = True
            return super().authorize()

    api = RestAPI(app, default_auth=Nobody())
    api.register(models.Note)
    api.register(models.Message, auth=OnlyColeifer(auth))
    api.register(models.User, auth=Logged(auth))
    assert client.get("/api/note/").status_code == 401
    assert client.put("/api/message/1/", json={"content": "a"}, headers=ADMIN).status_code == 401
    assert client.put("/api/message/1/", json={"content": "c"}, headers=COLEIFER).status_code == 200
    with client:
        assert client.patch("/api/user/2/", json={"email": "x@example.com"}, headers=ADMIN).status_code == 200
        assert g.logged is True


# -- class attributes: each set on a subclass changes what a client sees ---------------------------------


def _listing(client, url):
    return client.get(url).get_json()


ATTRIBUTE_CASES = {
    "paginate_by": ({"paginate_by": 1}, lambda c: len(_listing(c, "/api/message/")["objects"]) == 1),
    "max_paginate_by": (
        {"paginate_by": 1, "max_paginate_by": 2},
        lambda c: len(_listing(c, "/api/message/?limit=50")["objects"]) == 2,
    ),
    "value_transforms": (
        {"value_transforms": {"greeting": "hello"}},
        lambda c: [m["content"] for m in _listing(c, "/api/message/?content=greeting")["objects"]] == ["hello"],
    ),
    "fields": ({"fields": ("id", "content")}, lambda c: set(_listing(c, "/api/message/1/")) == {"id", "content"}),
    "exclude": ({"exclude": ("pub_date",)}, lambda c: "pub_date" not in _listing(c, "/api/message/1/")),
    "readonly_fields": (
        {"readonly_fields": ("content",)},
        lambda c: c.patch("/api/message/1/", json={"content": "x"}, headers=ADMIN).get_json()["content"] == "hello",
    ),
    "filter_fields": ({"filter_fields": ("id",)}, lambda c: c.get("/api/message/?content=hello").status_code == 400),
    "filter_exclude": (
        {"filter_exclude": ("content",)},
        lambda c: c.get("/api/message/?content=hello").status_code == 400,
    ),
    "filter_recursive": (
        {"filter_recursive": False},
        lambda c: c.get("/api/message/?user__username=admin").status_code == 400,
    ),
    "include_resources": (
        {"include_resources": {"user": RestResource}},
        lambda c: _listing(c, "/api/message/1/")["user"]["username"] == "admin",
    ),
    "nested_writes": (
        {"nested_writes": False, "include_resources": {"user": RestResource}},
        lambda c: c.patch("/api/message/1/", json={"user": {"id": 2}}, headers=ADMIN).get_json()["user"]["id"] == 1,
    ),
    "delete_recursive": (
        {"delete_recursive": False},
        lambda c: c.delete("/api/user/1/", headers=ADMIN).status_code == 409,
    ),
}


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_CASES))
def test_each_resource_attribute_has_its_effect(app, auth, client, models, message, name):
    attributes, check = ATTRIBUTE_CASES[name]
    for _ in range(2):
        models.Message.create(user=2, content="other")
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    resource = type("Configured", (RestResource,), attributes)
    api.register(models.Message, resource if name != "delete_recursive" else RestResource)
    api.register(models.User, resource if name == "delete_recursive" else RestResource)
    assert check(client)


def test_owner_field_names_the_owner(app, auth, client, db, models, users):
    class Post(db.Model):
        author = peewee.ForeignKeyField(models.User)
        content = peewee.TextField()

    db.create_tables()
    Post.create(author=users.admin, content="admin's")

    class PostResource(RestrictOwnerResource):
        owner_field = "author"

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Post, PostResource)
    assert client.put("/api/post/1/", json={"content": "x"}, headers=COLEIFER).status_code == 403
    created = client.post("/api/post/", json={"content": "mine", "author": 1}, headers=COLEIFER).get_json()
    assert created["author"] == 2


def test_token_and_user_fields_name_the_columns(app, client, db, models, users):
    class Session(db.Model):
        owner = peewee.ForeignKeyField(models.User)
        secret_token = peewee.CharField()

    db.create_tables()
    Session.create(owner=users.coleifer, secret_token="abc")

    class SessionBearer(UserBearerAuthentication):
        token_field = "secret_token"
        user_field = "owner"

    api = RestAPI(app, default_auth=SessionBearer(Session))
    api.register(models.Message, RestrictOwnerResource)
    response = client.post("/api/message/", json={"content": "via session"}, headers={"Authorization": "Bearer abc"})
    assert (response.status_code, response.get_json()["user"]) == (200, 2)
    with pytest.raises(TypeError, match="'token' field"):
        UserBearerAuthentication(Session)


# -- security stays: hooks cannot bring sensitive fields back --------------------------------------------


def test_hooks_cannot_serialize_sensitive_fields(app, auth, client, models, message):
    class UserResource(RestResource):
        def prepare_data(self, obj, data):
            return {**data, "password": obj.password, "note": "kept"}

    class LeakyList(RestResource):
        include_resources = {"user": UserResource}

        def serialize_query(self, objects):
            return [{"id": obj.id, "password": "x", "user": {"password": obj.user.password}} for obj in objects]

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource)
    api.register(models.Message, LeakyList)
    user = client.get("/api/user/1/").get_json()
    assert "password" not in user
    assert user["note"] == "kept"
    assert all("password" not in u for u in client.get("/api/user/").get_json()["objects"])
    listed = client.get("/api/message/").get_json()["objects"]
    assert listed == [{"id": 1, "password": "x", "user": {}}]
    patched = client.patch("/api/user/2/", json={"email": "new@example.com"}, headers=ADMIN).get_json()
    assert "password" not in patched
