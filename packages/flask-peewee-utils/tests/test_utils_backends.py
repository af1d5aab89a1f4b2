"""``backend_name`` on every backend, through each way a database is held, and ``register_extension``."""

from __future__ import annotations

import peewee
import pytest
from flask import Flask

from flask_peewee.db import Database, ImproperlyConfigured
from flask_peewee.db.testing import Backend
from flask_peewee.utils import backend_name, register_extension


def test_backend_name_of_the_test_database(db: Database, fp_backend: Backend) -> None:
    expected = fp_backend.name
    assert expected in ("sqlite", "postgres", "mysql")
    assert backend_name(db) == expected  # the flask_peewee Database
    assert backend_name(db.database) == expected
    assert backend_name(db.Model._meta.database) == expected  # what models hold (a proxy or the database)
    proxy = peewee.DatabaseProxy()
    proxy.initialize(db.database)
    assert backend_name(proxy) == expected


def test_backend_name_of_peewee_classes_and_the_rest() -> None:
    assert backend_name(peewee.SqliteDatabase(":memory:")) == "sqlite"
    assert backend_name(peewee.PostgresqlDatabase("x")) == "postgres"
    assert backend_name(peewee.MySQLDatabase("x")) == "mysql"

    class Cockroach(peewee.PostgresqlDatabase):
        pass

    assert backend_name(Cockroach("x")) == "postgres"
    assert backend_name(peewee.DatabaseProxy()) == "other"  # not bound yet
    assert backend_name(None) == "other"


def test_register_extension_refuses_a_second_name() -> None:
    app = Flask(__name__)
    first, second, other = object(), object(), object()
    register_extension(app, "flask_peewee.test", "api", first, label="A Thing")
    register_extension(app, "flask_peewee.test", "v2", other, label="A Thing")
    with pytest.raises(ImproperlyConfigured, match=r"^A Thing named 'api' is already registered on this app$"):
        register_extension(app, "flask_peewee.test", "api", second, label="A Thing")
    assert app.extensions["flask_peewee.test"] == {"api": first, "v2": other}
    register_extension(Flask(__name__), "flask_peewee.test", "api", second, label="A Thing")  # another app is fine


def test_redis_client_without_the_package_names_the_setting_and_the_install(monkeypatch):
    import sys

    import pytest

    from flask_peewee.db import ImproperlyConfigured
    from flask_peewee.utils.internal import redis_client

    monkeypatch.setitem(sys.modules, "redis", None)  # the import fails as if not installed
    with pytest.raises(ImproperlyConfigured, match=r"FLASK_PEEWEE_X_BACKEND = 'redis'.*flask-peewee-auth\[redis\]"):
        redis_client("redis://127.0.0.1:6379/0", setting="FLASK_PEEWEE_X_BACKEND", extra="auth[redis]")
