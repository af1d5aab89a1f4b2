"""The body limit: the smaller of the app's MAX_CONTENT_LENGTH and FLASK_PEEWEE_REST_MAX_BODY_SIZE, read per request."""

from __future__ import annotations

import io
import json

import pytest

from flask_peewee.rest import RestAPI, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


@pytest.fixture
def api(app, auth, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    return api


def post(client, size, **kwargs):
    """A note whose JSON body is exactly ``size`` bytes."""
    body = json.dumps({"message": ""})
    body = json.dumps({"message": "x" * (size - len(body))})
    assert len(body) == size
    return client.post("/api/note/", data=body, content_type="application/json", headers=ADMIN, **kwargs)


@pytest.mark.parametrize(
    ("app_limit", "own_limit", "effective"),
    [
        (200, 500, 200),  # the app's MAX_CONTENT_LENGTH is stricter: it wins (it used to be raised to 1 MiB)
        (500, 200, 200),  # the API's own setting is stricter
        (None, 300, 300),  # no MAX_CONTENT_LENGTH: the API's setting alone
        (300, None, 300),  # the API's setting unset (its 1 MiB default) and a stricter app
    ],
)
def test_the_smaller_limit_wins(app, client, api, db, models, app_limit, own_limit, effective):
    if app_limit is not None:
        app.config["MAX_CONTENT_LENGTH"] = app_limit
    if own_limit is not None:
        app.config["FLASK_PEEWEE_REST_MAX_BODY_SIZE"] = own_limit
    refused = post(client, effective + 1)
    assert refused.status_code == 413
    assert refused.get_json() == {"error": f"Request body too large (limit {effective} bytes)"}
    assert post(client, effective).status_code == 200
    # nothing was written by the refused request
    assert [len(note.message) for note in models.Note.select()] == [effective - len('{"message": ""}')]
    db.database.close()


def test_a_config_change_takes_effect_at_once(app, client, api):
    assert post(client, 400).status_code == 200
    app.config["MAX_CONTENT_LENGTH"] = 300
    assert post(client, 400).status_code == 413
    app.config["FLASK_PEEWEE_REST_MAX_BODY_SIZE"] = 100
    assert post(client, 200).status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = None
    assert post(client, 200).status_code == 413  # the API's own 100 bytes still hold
    del app.config["FLASK_PEEWEE_REST_MAX_BODY_SIZE"]
    assert post(client, 400).status_code == 200


def test_a_body_without_content_length_is_held_to_the_limit(app, client, api):
    app.config["MAX_CONTENT_LENGTH"] = 100
    stream = io.BytesIO(json.dumps({"message": "x" * 500}).encode())
    response = client.post(
        "/api/note/",
        input_stream=stream,
        headers={**ADMIN, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what a server that handles chunked bodies says
    )
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.get_json()["error"].startswith("Request body too large")


def test_form_bodies_too(app, client, api):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/note/", data={"message": "x" * 200}, headers=ADMIN)
    assert response.status_code == 413
    assert client.post("/api/note/", data={"message": "short"}, headers=ADMIN).status_code == 200
