"""Load the example app once per test session on a fresh SQLite file (or DATABASE_URL when set)."""

import importlib
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "twitter")


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    os.environ.setdefault("SECRET_KEY", "examples-test-secret-key")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('twitter') / 'example.db'}")
    sys.path.insert(0, HERE)
    main = importlib.import_module("main")
    main.app.config.update(TESTING=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["pbkdf2_sha256"])
    demo_data = importlib.import_module("demo_data")
    with main.app.app_context():
        password = demo_data.load("admin-password")
    main.db.database.close()
    yield main, password
    sys.path.remove(HERE)
