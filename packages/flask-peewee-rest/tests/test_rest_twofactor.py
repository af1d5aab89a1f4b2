"""Two-factor authentication and the API: HTTP Basic is refused for users with a second factor, tokens work."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.db import connection
from flask_peewee.rest import AdminAuthentication, RestAPI, TokenAuthentication, UserAuthentication, issue_token

from .conftest import basic


@pytest.fixture
def app(app: Flask) -> Flask:
    """The suite's app with two-factor authentication on (before ``Auth`` is made)."""
    app.config["FLASK_PEEWEE_AUTH_2FA"] = True
    return app


def _give_second_factor(auth: Auth, user: Any) -> None:
    secret_model = auth.two_factor.models[0]
    with connection(auth.db):
        secret_model.create(user_id=user.get_id(), secret=pyotp.random_base32(), confirmed=True)


def test_basic_is_refused_for_a_user_with_a_second_factor(app, auth, client, models, users):
    RestAPI(app, default_auth=UserAuthentication(auth)).register(models.Note)
    assert client.post("/api/note/", json={"message": "x"}, headers=basic("coleifer")).status_code == 200
    _give_second_factor(auth, users.coleifer)
    refused = client.post("/api/note/", json={"message": "x"}, headers=basic("coleifer"))
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "Authentication failed"}
    app.config["FLASK_PEEWEE_AUTH_2FA_ALLOW_BASIC"] = True
    assert client.post("/api/note/", json={"message": "y"}, headers=basic("coleifer")).status_code == 200


def test_admin_level_basic_is_refused_when_admins_need_a_second_factor(app, auth, client, models, users):
    RestAPI(app, default_auth=AdminAuthentication(auth)).register(models.Note)
    assert client.post("/api/note/", json={"message": "x"}, headers=basic("admin")).status_code == 200
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    assert client.post("/api/note/", json={"message": "x"}, headers=basic("admin")).status_code == 401


def test_bearer_tokens_are_the_way_for_users_with_a_second_factor(app, auth, client, models, users):
    RestAPI(app, default_auth=TokenAuthentication(auth)).register(models.Note)
    _give_second_factor(auth, users.coleifer)
    with app.app_context(), connection(auth.db):
        token = issue_token(users.coleifer, "ci", db=auth.db)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/note/", json={"message": "x"}, headers=headers).status_code == 200
