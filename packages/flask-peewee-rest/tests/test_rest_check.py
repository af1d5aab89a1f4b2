"""The REST API's part of ``flask fp check``: sensitive fields named by a resource, user models left open."""

from __future__ import annotations

import secrets

import peewee
import pytest

from flask_peewee.db.checks import run_checks
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

pytestmark = pytest.mark.backends("sqlite")  # registrations only: one backend is enough

SECURE = {
    "SECRET_KEY": secrets.token_hex(32),
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "TESTING": False,
}
EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def found(app):
    return [(f.severity, f.code) for f in run_checks(app)]


class UserResource(RestResource):
    exclude = ("email",)
    read_only_fields = ("admin", "active")


def test_a_well_configured_api_passes(app, auth, models):
    app.config.update(SECURE)
    api = RestAPI(app)
    api.register(models.User, UserResource, auth=UserAuthentication(auth, protected_methods=EVERY_METHOD))
    api.register(models.Message, auth=UserAuthentication(auth))
    result = app.test_cli_runner().invoke(args=["fp", "check", "--strict"])
    assert (result.exit_code, result.output) == (0, "no problems found\n")


def test_a_resource_naming_a_sensitive_field_is_an_error(app, auth, models):
    app.config.update(SECURE)

    class Leaky(RestResource):
        fields = ("id", "username", "password")
        filter_fields = ("password__startswith",)

    RestAPI(app).register(models.User, Leaky, auth=UserAuthentication(auth, protected_methods=EVERY_METHOD))
    findings = [f for f in run_checks(app) if f.code == "sensitive-exposed"]
    assert [f.message for f in findings] == [
        "RestAPI 'api' resource 'user' lists the sensitive field 'password' of User in fields",
        "RestAPI 'api' resource 'user' lists the sensitive field 'password__startswith' of User in filter_fields",
    ]
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 1
    assert "fix: remove 'password' from fields" in result.output


def test_anonymous_reads_and_writable_privileges_of_users_are_warnings(app, auth, models):
    app.config.update(SECURE)
    RestAPI(app).register(models.User, auth=UserAuthentication(auth))  # GET is not protected by default
    assert found(app) == [("warning", "anonymous-users"), ("warning", "user-fields-writable")]
    [writable] = [f for f in run_checks(app) if f.code == "user-fields-writable"]
    assert "'admin', 'active'" in writable.message
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 0  # warnings only
    assert app.test_cli_runner().invoke(args=["fp", "check", "--strict"]).exit_code == 1


def test_a_read_only_user_resource_has_no_writable_fields(app, auth, models):
    app.config.update(SECURE)
    RestAPI(app).register(models.User, auth=UserAuthentication(auth), allowed_methods=["GET"])
    assert found(app) == [("warning", "anonymous-users")]


def test_a_model_with_an_undeclared_secret_is_a_warning(app, auth, db, models):
    app.config.update(SECURE)

    class Device(db.Model):
        name = peewee.CharField()
        api_token = peewee.CharField()

    class Vault(db.Model):
        __sensitive_fields__ = ("secret",)
        secret = peewee.CharField()

    RestAPI(app).register(Device)
    [finding] = run_checks(app)
    assert (finding.severity, finding.code) == ("warning", "undeclared-secret")
    assert "model Device has secret-looking fields ('api_token')" in finding.message
    assert finding.fix == "add __sensitive_fields__ = ('api_token',) to Device"
