"""Cursors are signed through utils' sign/unsign: key rotation with fallbacks, and no key refused at signing time."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from flask_peewee.rest import RestAPI, RestResource
from flask_peewee.utils import MissingSecretKey, sign


class MessageResource(RestResource):
    pagination = "cursor"
    paginate_by = 1


@pytest.fixture
def paged(app: Flask, models: Any, users: Any) -> Any:
    for content in ("a", "b", "c"):
        models.Message.create(user=users.admin, content=content)
    RestAPI(app).register(models.Message, MessageResource)
    return models.Message


def _next_cursor(client: Any) -> str:
    link = client.get("/api/message/").get_json()["meta"]["next"]
    return parse_qs(urlsplit(link).query)["cursor"][0]


def test_cursors_made_before_a_key_rotation_still_work_with_fallbacks(app: Flask, client: Any, paged: Any) -> None:
    cursor = _next_cursor(client)
    old_key = app.secret_key
    app.config.update(SECRET_KEY="a brand new key", SECRET_KEY_FALLBACKS=[old_key])
    page = client.get("/api/message/", query_string={"cursor": cursor})
    assert page.status_code == 200
    assert [obj["content"] for obj in page.get_json()["objects"]] == ["b"]
    app.config["SECRET_KEY_FALLBACKS"] = []
    refused = client.get("/api/message/", query_string={"cursor": cursor})
    assert refused.status_code == 400
    assert "altered" in refused.get_json()["error"]


def test_without_a_key_a_cursor_is_refused_and_signing_one_says_why(
    app: Flask, client: Any, paged: Any, caplog: Any
) -> None:
    cursor = _next_cursor(client)
    app.config["SECRET_KEY"] = None
    assert client.get("/api/message/", query_string={"cursor": cursor}).status_code == 400
    # the first page signs its "next" link: a JSON 503 that names the missing key, not a 500
    page = client.get("/api/message/")
    assert page.status_code == 503
    assert page.get_json() == {"error": "Service unavailable: the server has no SECRET_KEY configured"}
    assert "no SECRET_KEY" in caplog.text
    with app.test_request_context(), pytest.raises(MissingSecretKey, match=r"SECRET_KEY"):
        sign("cursor", salt="x")  # what the API answered for
