"""The admin's part of ``flask fp check``: sensitive fields in lists, searches, filters or exports are errors."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.db.checks import run_checks

pytestmark = pytest.mark.backends("sqlite")  # registrations only: one backend is enough

SECURE = {
    "SECRET_KEY": secrets.token_hex(32),
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "TESTING": False,
}


def test_the_user_admin_with_its_write_only_password_passes(app: Flask, admin: Admin) -> None:
    app.config.update(SECURE)
    # auth.register_admin(admin) registered the User admin: its password control is no exposure
    assert any(ma.model.__name__ == "User" for ma in admin.get_model_admins())
    result = app.test_cli_runner().invoke(args=["fp", "check", "--strict"])
    assert (result.exit_code, result.output) == (0, "no problems found\n")


def test_a_sensitive_field_in_columns_search_or_export_is_an_error(app: Flask, auth: Any, models: Any) -> None:
    app.config.update(SECURE)

    class LeakyUserAdmin(ModelAdmin):
        columns = ("username", "password")
        search_fields = ("username", "password")
        export_fields = ("password",)

    admin = Admin(app, auth, name="leaky", prefix="/leaky")
    admin.register(models.User, LeakyUserAdmin)
    admin.setup()
    messages = [f.message for f in run_checks(app)]
    assert messages == [
        f"Admin 'leaky' LeakyUserAdmin lists the sensitive field 'password' of User in {where}"
        for where in ("columns", "search_fields", "export_fields")
    ]
    result = app.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 1
    assert result.output.endswith("3 errors, 0 warnings\n")
