"""get_auth(app=None, name=None): the app's Auth, typed, without reading the extension registry."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_peewee.auth import Auth, get_auth
from flask_peewee.db import Database, ImproperlyConfigured


def test_get_auth_returns_the_apps_only_auth(app, auth):
    assert get_auth(app) is auth
    assert get_auth(app, name="auth") is auth
    with app.app_context():
        assert get_auth() is auth


def test_get_auth_on_an_app_without_auth_says_so(app, db):
    with pytest.raises(ImproperlyConfigured, match=r"No flask_peewee\.auth\.Auth is set up on this app"):
        get_auth(app)
    with pytest.raises(ImproperlyConfigured, match=r"No flask_peewee\.auth\.Auth named 'auth'.*set up: none"):
        get_auth(app, name="auth")


def test_get_auth_with_several_needs_a_name(app, db, client):
    main = Auth(app, db)
    staff = Auth(app, db, prefix="/staff", name="staff", db_table="staff_user")
    db.create_tables()
    assert client.get("/staff/login/").status_code == 200
    with pytest.raises(ImproperlyConfigured, match=r"2 flask_peewee\.auth\.Auth .*'auth', 'staff'.*pass name="):
        get_auth(app)
    assert get_auth(app, name="auth") is main
    assert get_auth(app, name="staff") is staff
    with pytest.raises(ImproperlyConfigured, match=r"named 'people'.*set up: 'auth', 'staff'"):
        get_auth(app, name="people")


def test_get_auth_does_not_see_another_apps_auth(auth, database_url):
    other = Flask(__name__)
    other.config["DATABASE"] = database_url
    Database(other)
    with pytest.raises(ImproperlyConfigured, match=r"No flask_peewee\.auth\.Auth is set up"):
        get_auth(other)
