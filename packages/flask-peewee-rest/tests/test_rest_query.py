"""Filtering, ordering and pagination: only on what a resource serializes, with clear 400s."""

from __future__ import annotations

import pytest

from flask_peewee.rest import RestAPI, RestResource


class UserResource(RestResource):
    exclude = ("email",)


@pytest.fixture
def api(app, models, users, db):
    api = RestAPI(app)
    api.register(models.User, UserResource)
    api.register(models.Message)
    for i in range(5):
        models.Message.create(user=users.admin if i % 2 == 0 else users.coleifer, content=f"message {i}")
    db.database.close()
    return api


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [o["id"] for o in response.get_json()["objects"]]


@pytest.mark.parametrize(
    "query",
    [
        "/api/user/?password__like=a%25",
        "/api/user/?password=x",
        "/api/user/?ordering=password",
        "/api/user/?ordering=-password",
        "/api/user/?email__like=%25example%25",
        "/api/user/?ordering=email",
        "/api/message/?user__password__like=%25",
        "/api/message/?user__email=admin@example.com",
    ],
)
def test_hidden_and_sensitive_fields_reveal_nothing(client, api, query):
    response = client.get(query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"].startswith("Cannot")
    assert "objects" not in body


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("/api/message/?nope=1", "nope"),
        ("/api/message/?id__regexp=.*", "id__regexp"),
        ("/api/message/?content__startswith=m", "content__startswith"),
        ("/api/message/?id=abc", "id"),
        ("/api/message/?id__in=1,x", "id__in"),
        ("/api/message/?pub_date=yesterday", "pub_date"),
        ("/api/message/?content__is=maybe", "content__is"),
        ("/api/message/?ordering=nope", "ordering"),
        ("/api/message/?ordering=user__username", "ordering"),
    ],
)
def test_bad_filters_and_orderings_are_400(client, api, query, param):
    response = client.get(query)
    assert response.status_code == 400
    assert response.get_json()["param"] == param
    assert response.get_json()["error"]


def test_default_order_is_primary_key_and_ordering_is_stable(client, api):
    assert _ids(client.get("/api/message/")) == [1, 2, 3, 4, 5]
    assert _ids(client.get("/api/message/?ordering=-id")) == [5, 4, 3, 2, 1]
    # ties on user broken by the primary key
    assert _ids(client.get("/api/message/?ordering=-user")) == [2, 4, 1, 3, 5]
    assert _ids(client.get("/api/message/?ordering=")) == [1, 2, 3, 4, 5]


def test_reserved_parameters_are_never_filters(client, api):
    response = client.get("/api/message/?page=1&limit=2&ordering=id&key=x&secret=y")
    assert _ids(response) == [1, 2]


def test_filter_fields_whitelist_and_filter_exclude(app, client, models, users):
    class Whitelisted(RestResource):
        filter_fields = ("content",)

    class Blacklisted(RestResource):
        filter_exclude = ("content",)

        def get_api_name(self):
            return "blacklisted"

    api = RestAPI(app)
    api.register(models.Message, Whitelisted)
    api.register(models.Note, Blacklisted)
    assert client.get("/api/message/?content=x").status_code == 200
    assert client.get("/api/message/?user=1").status_code == 400
    assert client.get("/api/blacklisted/?message=x").status_code == 200
    assert client.get("/api/blacklisted/?id=1").status_code == 200
    assert client.get("/api/blacklisted/?content=x").status_code == 400


def test_filter_recursive_off_refuses_joins(app, client, models, users):
    class Flat(RestResource):
        filter_recursive = False

    api = RestAPI(app)
    api.register(models.Message, Flat)
    assert client.get("/api/message/?user=1").status_code == 200
    assert client.get("/api/message/?user__username=admin").status_code == 400


def test_fields_whitelist_limits_filters_and_ordering(app, client, models, users):
    class Names(RestResource):
        fields = ("id", "username")

    api = RestAPI(app)
    api.register(models.User, Names)
    assert _ids(client.get("/api/user/?username=admin")) == [1]
    assert client.get("/api/user/?admin=true").status_code == 400
    assert client.get("/api/user/?ordering=join_date").status_code == 400


def test_limit_is_capped_and_lenient(client, api, models, db):
    assert len(client.get("/api/message/?limit=2").get_json()["objects"]) == 2
    for bad in ("abc", "-3", "0"):  # not a positive integer: the default page size
        assert len(client.get(f"/api/message/?limit={bad}").get_json()["objects"]) == 5
    models.Message.insert_many([{"user": 1, "content": str(i)} for i in range(30)]).execute()
    db.database.close()
    body = client.get("/api/message/?limit=100000").get_json()  # never more than paginate_by (the docs' bound)
    assert (len(body["objects"]), body["meta"]["page_count"], body["meta"]["object_count"]) == (20, 2, 35)


def test_max_paginate_by_raises_the_cap(app, client, models, db):
    class Big(RestResource):
        paginate_by = 2
        max_paginate_by = 4

    api = RestAPI(app)
    api.register(models.Note, Big)
    models.Note.insert_many([{"message": str(i)} for i in range(6)]).execute()
    db.database.close()
    assert len(client.get("/api/note/").get_json()["objects"]) == 2
    assert len(client.get("/api/note/?limit=3").get_json()["objects"]) == 3
    assert len(client.get("/api/note/?limit=50").get_json()["objects"]) == 4


def test_pages_links_keep_other_parameters(client, api):
    body = client.get("/api/message/?user=1&limit=1&page=2").get_json()
    assert _ids(client.get("/api/message/?user=1&limit=1&page=2")) == [3]
    assert body["meta"]["next"] == "/api/message/?user=1&limit=1&page=3"
    assert body["meta"]["previous"] == "/api/message/?user=1&limit=1&page=1"
    assert body["meta"]["object_count"] == 3
    assert body["meta"]["page_count"] == 3
    last = client.get("/api/message/?user=1&limit=1&page=3").get_json()["meta"]
    assert last["next"] == ""


def test_page_out_of_range_is_an_empty_page(client, api):
    body = client.get("/api/message/?page=99").get_json()
    assert body["objects"] == []
    assert body["meta"]["page"] == 99
    assert body["meta"]["next"] == ""
    for bad in ("0", "-1", "abc"):
        assert client.get(f"/api/message/?page={bad}").get_json()["meta"]["page"] == 1


def test_like_wildcards_behave_alike_on_every_backend(client, api):
    assert _ids(client.get("/api/message/?content__like=message%201")) == [2]
    assert _ids(client.get("/api/message/?content__like=MESSAGE%25")) == []
    assert _ids(client.get("/api/message/?content__ilike=MESSAGE%25")) == [1, 2, 3, 4, 5]
    assert _ids(client.get("/api/message/?content__like=message_3")) == [4]


def test_regex_operators_are_off_by_default(client, api):
    response = client.get("/api/message/?content__regexp=^m")
    assert response.status_code == 400
    assert response.get_json()["param"] == "content__regexp"
    assert "not allowed" in response.get_json()["error"]


@pytest.fixture
def regex_api(app, models, users, db):
    from flask_peewee.utils import OPERATORS, REGEX_OPERATORS

    class MessageResource(RestResource):
        filter_operators = OPERATORS + REGEX_OPERATORS

    api = RestAPI(app)
    api.register(models.User, UserResource)
    api.register(models.Message, MessageResource)
    for i, content in enumerate(["Hello world", "hello again", "goodbye", "HELLO 42"]):
        models.Message.create(user=users.admin if i % 2 == 0 else users.coleifer, content=content)
    db.database.close()
    return api


def test_a_resource_turns_regex_operators_on(client, regex_api):
    assert _ids(client.get("/api/message/?content__regexp=^hello")) == [2]
    assert _ids(client.get("/api/message/?content__iregexp=^hello")) == [1, 2, 4]
    assert _ids(client.get("/api/message/?content__iregexp=^hello%20%5Cd%7B2%7D$")) == [4]
    assert _ids(client.get("/api/message/?user__username__regexp=^admin$&content__regexp=o$")) == []
    assert _ids(client.get("/api/message/?user__username__regexp=^admin$&content__regexp=d$")) == [1]
    # the user resource did not turn them on
    assert client.get("/api/user/?username__regexp=a").status_code == 400


@pytest.mark.parametrize(
    "pattern",
    ["(a%2B)%2B$", "(x|x)*y", ".*.*.*.*z", "(?i)x", "%5B", "a%5C1", "a" * 201],
)
def test_hostile_patterns_are_400_not_slow(client, regex_api, pattern):
    response = client.get(f"/api/message/?content__regexp={pattern}")
    assert response.status_code == 400
    assert response.get_json()["param"] == "content__regexp"


def test_openapi_lists_the_resource_operators(client, regex_api):
    spec = client.get("/api/openapi.json").get_json()
    described = {
        path: [p["description"] for p in spec["paths"][path]["get"]["parameters"] if p["name"] == field]
        for path, field in (("/api/message/", "content"), ("/api/user/", "username"))
    }
    assert "regexp, iregexp" in described["/api/message/"][0]
    assert "regexp" not in described["/api/user/"][0]
