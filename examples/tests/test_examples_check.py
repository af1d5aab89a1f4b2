"""``flask fp check`` on whole apps like the example (auth, admin, REST): a well-configured one and a careless one."""

import secrets

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth
from flask_peewee.db import Database
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def build(tmp_path, *, careless):
    app = Flask("checked", root_path=str(tmp_path))
    app.config.update(
        DATABASE=f"sqlite:///{tmp_path / 'checked.db'}",
        SECRET_KEY="dev" if careless else secrets.token_hex(32),
        SESSION_COOKIE_SECURE=not careless,
        SESSION_COOKIE_SAMESITE=None if careless else "Lax",
        FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED=not careless,
    )
    db = Database(app)
    auth = Auth(app, db)

    class Device(db.Model):
        user = peewee.ForeignKeyField(auth.User, backref="devices")
        name = peewee.CharField()
        push_token = peewee.CharField()
        if not careless:
            __sensitive_fields__ = ("push_token",)

    class UserResource(RestResource):
        exclude = ("password", "email")
        if careless:
            fields = ("id", "username", "password", "admin")
        else:
            read_only_fields = ("admin", "active")

    class UserAdmin(ModelAdmin):
        columns = ("username", "password")

    admin = Admin(app, auth)
    if careless:
        admin.register(auth.User, UserAdmin)  # its own user admin, listing the password column
    else:
        auth.register_admin(admin)  # the User admin with its write-only password control
    admin.register(Device)
    admin.setup()
    api = RestAPI(app)
    user_auth = UserAuthentication(auth) if careless else UserAuthentication(auth, protected_methods=EVERY_METHOD)
    api.register(auth.User, UserResource, auth=user_auth)
    api.register(Device, auth=UserAuthentication(auth))
    api.setup()
    return app


def test_a_well_configured_app_passes(tmp_path):
    app = build(tmp_path, careless=False)
    result = app.test_cli_runner().invoke(args=["fp", "check", "--strict"])
    assert (result.exit_code, result.output) == (0, "no problems found\n")


def test_a_careless_app_gets_every_finding_with_its_fix(tmp_path):
    app = build(tmp_path, careless=True)
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 1
    found = [line.split(": ")[:2] for line in result.output.splitlines() if not line.startswith(" ")][:-1]
    assert found == [
        ["error", "secret-key"],
        ["error", "sensitive-exposed"],  # the user admin's password column
        ["error", "sensitive-exposed"],  # the user resource's fields
        ["warning", "session-cookie-secure"],
        ["warning", "session-cookie-samesite"],
        ["warning", "login-throttle"],
        ["warning", "undeclared-secret"],
        ["warning", "anonymous-users"],
        ["warning", "user-fields-writable"],
    ]
    assert result.output.count("    fix: ") == len(found)
    assert result.output.endswith("3 errors, 6 warnings\n")


@pytest.mark.parametrize("careless", [False, True])
def test_the_json_report(tmp_path, careless):
    import json

    app = build(tmp_path, careless=careless)
    result = app.test_cli_runner().invoke(args=["fp", "check", "--format", "json"])
    report = json.loads(result.output)
    assert (report["errors"], report["warnings"]) == ((3, 6) if careless else (0, 0))
    assert result.exit_code == (1 if careless else 0)
