"""Fixtures for the utils tests; the database matrix comes from flask_peewee.db.testing."""

from __future__ import annotations

import pytest
from flask import Flask

CHEAP_SCHEMES = ["ldap_salted_sha256"]


@pytest.fixture
def plain_app() -> Flask:
    """An app with no database, using a cheap password scheme, for request-only tests."""
    app = Flask("flask_peewee_utils_test")
    app.config.update(TESTING=True, SECRET_KEY="test", FLASK_PEEWEE_PASSWORD_SCHEMES=CHEAP_SCHEMES)
    return app
