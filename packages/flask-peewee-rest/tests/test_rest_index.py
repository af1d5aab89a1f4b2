"""``GET /api/``: the API's front door lists the resources the caller may read."""

from __future__ import annotations

from typing import Any

import pytest

from flask_peewee.rest import AdminAuthentication, RestAPI, RestResource, UserAuthentication

from .conftest import basic


@pytest.fixture
def api(app, auth, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    api.register(models.Note, allowed_methods=["GET"])
    # reading users needs an administrator
    api.register(models.User, auth=AdminAuthentication(auth, protected_methods=["GET", "POST", "PUT", "DELETE"]))
    return api


def test_index_lists_readable_resources_with_urls_methods_and_scheme(client, api):
    response = client.get("/api/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    index = response.get_json()
    assert index["openapi"] == "/api/openapi.json"
    assert "docs" not in index  # the explorer is off by default
    by_name = {entry["name"]: entry for entry in index["resources"]}
    assert set(by_name) == {"message", "note"}  # anonymous: not the admin-only users
    assert by_name["message"] == {
        "name": "message",
        "url": "/api/message/",
        "methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "authentication": "basic",
        "protected_methods": ["POST", "PUT", "PATCH", "DELETE"],
    }
    assert by_name["note"]["methods"] == ["GET"]
    assert by_name["note"]["authentication"] == "none"
    assert by_name["note"]["protected_methods"] == []
    # every listed URL answers, and so does the OpenAPI link
    for entry in index["resources"]:
        assert client.get(entry["url"]).status_code == 200
    assert client.get(index["openapi"]).status_code == 200


def test_index_shows_more_to_a_caller_allowed_to_read_it(client, api):
    admin = client.get("/api/", headers=basic("admin")).get_json()
    assert [entry["name"] for entry in admin["resources"]] == ["message", "note", "user"]
    user = admin["resources"][2]
    assert user["protected_methods"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]
    member = client.get("/api/", headers=basic("coleifer")).get_json()
    assert [entry["name"] for entry in member["resources"]] == ["message", "note"]
    wrong = client.get("/api/", headers=basic("admin", "wrong")).get_json()
    assert [entry["name"] for entry in wrong["resources"]] == ["message", "note"]


def test_index_leaves_out_methods_nobody_can_use(app, client, models):
    api = RestAPI(app)  # the base Authentication: read-only
    api.register(models.Note)
    entry = client.get("/api/").get_json()["resources"][0]
    assert entry["methods"] == ["GET"]
    assert entry["authentication"] == "none"


def test_index_without_slash_redirects_and_writes_are_refused(client, api):
    assert client.get("/api").status_code in (301, 308)
    response = client.post("/api/", json={})
    assert response.status_code == 405
    assert response.get_json() == {"error": "Method not allowed"}
    assert client.head("/api/").status_code == 200


def test_url_follows_the_prefix_and_an_override_can_drop_or_replace_the_index(app, client, models):
    class Quiet(RestAPI):
        def get_urls(self) -> Any:
            return ()

    class Custom(RestAPI):
        def get_urls(self) -> Any:
            return (("/", lambda: {"hello": "world"}), *super().get_urls()[1:])

    quiet = Quiet(app, prefix="/quiet", name="quiet")
    quiet.register(models.Note)
    custom = Custom(app, prefix="/v2", name="v2")
    custom.register(models.Note)
    api = RestAPI(app, prefix="/v1/", name="v1")
    api.register(models.Note)
    assert client.get("/quiet/").status_code == 404
    assert client.get("/quiet/note/").status_code == 200
    assert client.get("/v2/").get_json() == {"hello": "world"}
    index = client.get("/v1/").get_json()
    assert index["openapi"] == "/v1/openapi.json"
    assert index["resources"][0]["url"] == "/v1/note/"


def test_no_prefix_leaves_the_apps_root_alone(app, client, models):
    @app.route("/")
    def home() -> str:
        return "home"

    api = RestAPI(app, prefix="")
    api.register(models.Note)
    assert client.get("/").get_data(as_text=True) == "home"
    assert client.get("/note/").status_code == 200


def test_custom_authorize_decides_visibility(app, client, auth, models, users):
    class Hidden(RestResource):
        def authorize(self) -> bool:
            return False

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note, Hidden)
    api.register(models.Message)
    index = client.get("/api/").get_json()
    assert [entry["name"] for entry in index["resources"]] == ["message"]


def test_added_urls_of_any_length_match_beside_the_built_in_ones(app, client, models, users):
    class MessageResource(RestResource):
        def get_urls(self):
            return (
                *super().get_urls(),
                ("/stats/", lambda: {"view": "stats"}),
                ("/<pk>/history/<int:n>/", lambda pk, n: {"view": "history", "pk": pk, "n": n}),
                ("/files/<path:rest>", lambda rest: {"view": "files", "rest": rest}),
            )

    api = RestAPI(app)
    api.register(models.Message, MessageResource)
    assert client.get("/api/message/stats/").get_json() == {"view": "stats"}
    assert client.get("/api/message/7/history/3/").get_json() == {"view": "history", "pk": "7", "n": 3}
    assert client.get("/api/message/files/a/b/c.txt").get_json() == {"view": "files", "rest": "a/b/c.txt"}
    assert client.get("/api/message/7/history/x/").status_code == 404
    assert client.get("/api/message/").status_code == 200  # the built-in list and detail still answer
    assert client.get("/api/message/1/").status_code == 404
