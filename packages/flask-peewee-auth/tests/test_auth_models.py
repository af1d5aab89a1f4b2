"""The default User model, BaseUser, custom user models and the docs' create_table spelling."""

from __future__ import annotations

import datetime
import warnings

import peewee
import pytest
from flask import Flask

from flask_peewee.auth import Auth, BaseUser
from flask_peewee.db import Database


def test_default_user_model_fields(auth, app):
    fields = auth.User._meta.fields
    assert {"id", "username", "password", "email", "active", "admin", "join_date"} <= set(fields)
    assert auth.User._meta.table_name == "user"
    assert fields["username"].unique
    with app.app_context():
        user = auth.User.create(username="carol", password="x")
        fresh = auth.User.get_by_id(user.id)
    assert fresh.active is True
    assert fresh.admin is False
    assert isinstance(fresh.join_date, datetime.datetime)
    assert str(fresh) == "carol"


def test_user_table_named_user_works_on_every_backend(auth, app, user):
    """``user`` is reserved on PostgreSQL; the default table name must still work there."""
    with app.app_context():
        assert auth.db.database.table_exists("user")
        assert auth.User.select().where(auth.User.username == "alice").count() == 1


def test_db_table_option_names_the_table(app, db):
    auth = Auth(app, db, db_table="accounts_user")
    db.create_tables()
    assert auth.User._meta.table_name == "accounts_user"
    assert "accounts_user" in db.database.get_tables()


def test_duplicate_username_is_refused(auth, app, user):
    with app.app_context(), pytest.raises(peewee.IntegrityError), auth.db.database.atomic():
        auth.User.create(username="alice", password="x")


def test_base_user_hashes_and_checks(auth, app):
    with app.app_context():
        user = auth.User(username="dave")
        user.set_password("s3cret")
        assert user.password != "s3cret"
        assert user.password.startswith("$1$")  # the md5_crypt scheme configured for tests
        assert user.check_password("s3cret") is True
        assert user.check_password("wrong") is False
        user.password = ""
        assert user.check_password("") is False


def test_base_user_works_without_app_context(auth):
    user = auth.User(username="erin")
    user.set_password("pw")
    assert user.password.startswith("$argon2")
    assert user.check_password("pw")


def test_password_is_a_sensitive_field(auth):
    assert BaseUser.__sensitive_fields__ == ("password",)
    assert auth.User.__sensitive_fields__ == ("password",)


def test_docs_create_table_fail_silently_spelling(app, db):
    """Getting Started calls ``auth.User.create_table(fail_silently=True)``, twice."""
    auth = Auth(app, db)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        auth.User.create_table(fail_silently=True)
        auth.User.create_table(fail_silently=True)
    assert "user" in db.database.get_tables()


def test_custom_user_model_by_subclassing_auth(app, db, client, login):
    """The docs' custom model with ``is_superuser``, mixed with BaseUser, on a subclass of Auth."""

    class User(db.Model, BaseUser):
        username = peewee.CharField()
        password = peewee.CharField()
        email = peewee.CharField()
        is_superuser = peewee.BooleanField()

    class CustomAuth(Auth):
        def get_user_model(self):
            return User

    auth = CustomAuth(app, db)
    assert auth.User is User
    db.create_tables()
    with app.app_context():
        member = User(username="frank", email="f@example.com", is_superuser=False)
        member.set_password("pw")
        member.save()
    db.database.close()
    response = login(client, "frank", "pw")
    assert response.status_code == 302
    with client:
        client.get("/accounts/login/")
        assert auth.get_logged_in_user().username == "frank"


def test_user_model_argument(app, db):
    class Member(db.Model, BaseUser):
        username = peewee.CharField(unique=True)
        password = peewee.CharField()

    auth = Auth(app, db, user_model=Member)
    assert auth.User is Member


@pytest.mark.backends("sqlite")
def test_factory_form_init_app(database_url):
    db = Database()
    auth = Auth(db=db)
    assert auth.User._meta.table_name == "user"
    app = Flask(__name__)
    app.config.update(DATABASE=database_url, SECRET_KEY="k")
    db.init_app(app)
    auth.init_app(app)
    assert "auth.login" in app.view_functions
    assert "fp_login_throttle" in db.database.get_tables()
    db.database.close()


def test_second_registration_on_one_app_is_refused(app, db):
    from flask_peewee.db import ImproperlyConfigured

    auth = Auth(app, db)
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        auth.init_app(app)
