"""Pagination behind one interface: the page-number and cursor classes, and a resource's own class."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import request

import flask_peewee.rest
from flask_peewee.rest import CursorPagination, PageNumberPagination, Pagination, RestAPI, RestResource
from flask_peewee.utils import MAX_OFFSET


class OffsetPagination(Pagination):
    """``?offset=`` and ``?limit=``, no count: the example of the docs."""

    query_params = ("offset",)

    def paginate_query(self, query):
        offset = request.args.get("offset", 0, type=int)  # not a number: 0
        self.offset = min(max(offset, 0), MAX_OFFSET)  # never a negative or overflowing OFFSET
        self.limit = self.resource.get_paginate_by() or 20
        return list(self.resource.apply_related_joins(query.offset(self.offset).limit(self.limit)))

    def get_meta(self):
        return {"model": self.resource.get_api_name(), "offset": self.offset, "limit": self.limit}


class UserResource(RestResource):
    exclude = ("email",)


@pytest.fixture
def messages(db, models, users):
    for index in range(12):
        models.Message.create(user=users.admin if index % 2 else users.coleifer, content=f"m{index}")
    db.database.close()
    return models.Message


def _select_count(count_queries, client, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_the_classes_are_public():
    for name in ("Pagination", "PageNumberPagination", "CursorPagination"):
        assert name in flask_peewee.rest.__all__
    assert issubclass(PageNumberPagination, Pagination)
    assert issubclass(CursorPagination, Pagination)


def test_a_resource_may_bring_its_own_pagination_class(app, client, messages, count_queries):
    class MessageResource(RestResource):
        pagination = OffsetPagination
        paginate_by = 5
        include_resources = {"user": UserResource}

    RestAPI(app).register(messages, MessageResource)
    body, statements = _select_count(count_queries, client, "/api/message/?offset=2&limit=3&ordering=-id")
    assert body["meta"] == {"model": "message", "offset": 2, "limit": 3}
    assert [obj["content"] for obj in body["objects"]] == ["m9", "m8", "m7"]
    assert body["objects"][0]["user"]["username"] == "admin"
    assert "email" not in body["objects"][0]["user"]
    assert len(statements) == 1  # the page with its nested user, and no count
    user_filtered = client.get("/api/message/?offset=0&user=2").get_json()
    assert [obj["content"] for obj in user_filtered["objects"]] == ["m0", "m2", "m4", "m6", "m8"]
    for offset, first in (("x", "m0"), ("-3", "m0"), ("9" * 40, None)):
        page = client.get(f"/api/message/?offset={offset}")
        assert page.status_code == 200
        assert [obj["content"] for obj in page.get_json()["objects"]][:1] == ([first] if first else [])


def test_a_pagination_class_documents_its_parameters_in_openapi(app, client, messages):
    class MessageResource(RestResource):
        pagination = OffsetPagination

    RestAPI(app).register(messages, MessageResource)
    operation = client.get("/api/openapi.json").get_json()["paths"]["/api/message/"]["get"]
    names = [parameter["name"] for parameter in operation["parameters"]]
    assert names[:3] == ["offset", "limit", "ordering"]
    assert "page" not in names
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["meta"] == {"type": "object"}


def test_page_number_subclass_keeps_the_original_meta_hook(app, client, messages, count_queries):
    calls = []

    class WithRange(PageNumberPagination):
        def get_meta(self):
            meta = super().get_meta()
            meta["pages"] = self.paginated_query.get_page_range(window=1)
            return meta

    class MessageResource(RestResource):
        pagination = WithRange
        paginate_by = 2
        include_resources = {"user": UserResource}

        def get_request_metadata(self, paginated_query):
            calls.append(paginated_query.get_page())
            return super().get_request_metadata(paginated_query)

    RestAPI(app).register(messages, MessageResource)
    body, statements = _select_count(count_queries, client, "/api/message/?page=3")
    assert calls == [3]
    assert body["meta"]["page"] == 3
    assert body["meta"]["page_count"] == 6
    assert body["meta"]["object_count"] == 12
    assert body["meta"]["pages"] == [1, 2, 3, 4, None, 6]
    assert body["meta"]["previous"] == "/api/message/?page=2"
    assert body["meta"]["next"] == "/api/message/?page=4"
    assert [obj["content"] for obj in body["objects"]] == ["m4", "m5"]
    assert len(statements) == 2  # the count, and the page with its nested user


def test_page_and_cursor_lists_cost_the_documented_queries(app, client, messages, count_queries):
    class PageResource(RestResource):
        include_resources = {"user": UserResource}

    class CursorResource(RestResource):
        pagination = "cursor"
        paginate_by = 5
        include_resources = {"user": UserResource}

        def get_api_name(self):
            return "cursored"

    api = RestAPI(app)
    api.register(messages, PageResource)
    RestAPI(app, name="other", prefix="/other").register(messages, CursorResource)
    page, page_sql = _select_count(count_queries, client, "/api/message/")
    assert len(page["objects"]) == 12
    assert page["objects"][0]["user"]["username"] == "coleifer"
    assert len(page_sql) == 2  # the count, and the rows with their nested users
    first, first_sql = _select_count(count_queries, client, "/other/cursored/")
    second, second_sql = _select_count(count_queries, client, first["meta"]["next"])
    assert [obj["content"] for obj in first["objects"] + second["objects"]] == [f"m{i}" for i in range(10)]
    assert second["objects"][0]["user"]["username"] == "admin"
    assert len(first_sql) == len(second_sql) == 1  # the rows with their nested users, no count


def test_cursor_subclass_changes_the_meta(app, client, messages):
    class CountedCursor(CursorPagination):
        def get_meta(self):
            return {**super().get_meta(), "on_page": len(self.rows)}

    class MessageResource(RestResource):
        pagination = CountedCursor
        paginate_by = 5
        max_paginate_by = 10

    RestAPI(app).register(messages, MessageResource)
    meta = client.get("/api/message/").get_json()["meta"]
    assert meta["on_page"] == 5
    assert set(meta) == {"model", "limit", "previous", "next", "on_page"}
    assert "cursor" in parse_qs(urlsplit(meta["next"]).query)
    last = client.get("/api/message/?limit=10&cursor=" + parse_qs(urlsplit(meta["next"]).query)["cursor"][0])
    assert last.get_json()["meta"]["on_page"] == 7


def test_cursor_lists_honour_process_query(app, client, messages):
    class MessageResource(RestResource):
        pagination = "cursor"
        paginate_by = 4

        def process_query(self, query):
            return super().process_query(query).where(self.model.user == 1)

    RestAPI(app).register(messages, MessageResource)
    body = client.get("/api/message/?ordering=-id").get_json()
    assert [obj["content"] for obj in body["objects"]] == ["m11", "m9", "m7", "m5"]
    rest = client.get(body["meta"]["next"]).get_json()
    assert [obj["content"] for obj in rest["objects"]] == ["m3", "m1"]
    assert rest["meta"]["next"] == ""


@pytest.mark.parametrize("pagination", ["cursor", OffsetPagination])
def test_a_meta_hook_the_pagination_never_calls_is_refused(app, models, pagination):
    class MessageResource(RestResource):
        def get_request_metadata(self, paginated_query):
            return {}

    MessageResource.pagination = pagination
    with pytest.raises(TypeError, match=r"get_request_metadata\(\) would never be called: .* get_meta\(\)"):
        RestAPI(app).register(models.Message, MessageResource)


@pytest.mark.parametrize("value", ["pages", None, dict, RestResource, object()])
def test_what_is_not_a_pagination_is_refused(app, models, value):
    class MessageResource(RestResource):
        pass

    MessageResource.pagination = value
    with pytest.raises(ValueError, match=r"MessageResource\.pagination must be 'offset' or 'cursor' \(or a Pagination"):
        RestAPI(app).register(models.Message, MessageResource)


def test_a_pagination_class_can_refuse_a_resource(app, models):
    class NeedsLimit(OffsetPagination):
        @classmethod
        def check_resource(cls, resource):
            if resource.paginate_by is None:
                raise ValueError("NeedsLimit needs a paginate_by")

    class MessageResource(RestResource):
        pagination = NeedsLimit
        paginate_by = None

    with pytest.raises(ValueError, match="NeedsLimit needs a paginate_by"):
        RestAPI(app).register(models.Message, MessageResource)
