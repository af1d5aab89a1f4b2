"""Two-factor authentication with the admin, in headless Chromium and with the test client.

A person enrols, logs out, logs in with a code, then with a recovery code; with
``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN`` the admin refuses a session without the second factor.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from flask import Flask

from flask_peewee.admin import Admin
from flask_peewee.auth.testing import log_in
from flask_peewee.db import connection
from flask_peewee.db.testing import serve
from tests.conftest import make_user

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def app(app: Flask) -> Flask:
    """The suite's app with two-factor authentication on (the admin requirement off until a test sets it)."""
    app.config["FLASK_PEEWEE_AUTH_2FA"] = True
    return app


@pytest.fixture
def server(app: Flask, admin: Admin, superuser: Any) -> Iterator[str]:
    admin.auth.db.database.close()
    with serve(app) as base:
        yield base


def _next_code(secret: str) -> str:
    """The code of the next time step (the enrolment used the current one; a code works once)."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


def _password(page: Any, base: str, username: str = "admin") -> None:
    page.goto(f"{base}/admin/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', "correct horse")
    page.click('form.auth-login button[type="submit"]')


def _log_out(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/logout/")
    page.click('form.auth-logout button[type="submit"]')


def test_enrol_and_log_in_with_a_code_then_a_recovery_code(fp_browser: Any, server: str, app: Flask) -> None:
    context = fp_browser.new_context()
    page = context.new_page()
    _password(page, server)
    page.wait_for_url(f"{server}/admin/")

    page.goto(f"{server}/accounts/two-factor/enrol/")
    assert page.locator(".auth-two-factor-qr svg").count() == 1
    secret = page.locator(".auth-two-factor-secret").inner_text().strip()
    page.fill('input[name="code"]', pyotp.TOTP(secret).now())
    page.click('form.auth-two-factor-enrol button[type="submit"]')
    codes = [c.strip() for c in page.locator(".auth-recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    _log_out(page, server)

    _password(page, server)
    page.wait_for_url(f"{server}/accounts/two-factor/verify/**")
    page.goto(f"{server}/admin/")  # the half-logged-in session is anonymous: back to the login form
    assert "/accounts/login/" in page.url
    _password(page, server)
    page.wait_for_url(f"{server}/accounts/two-factor/verify/**")
    page.fill('input[name="code"]', _next_code(secret))
    page.click('form.auth-two-factor button[type="submit"]')
    page.wait_for_url(f"{server}/admin/")
    assert page.locator("h1").inner_text() == "Dashboard"
    _log_out(page, server)

    _password(page, server)
    page.wait_for_url(f"{server}/accounts/two-factor/verify/**")
    page.fill('input[name="code"]', codes[0])
    page.click('form.auth-two-factor button[type="submit"]')
    page.wait_for_url(f"{server}/admin/")
    assert "recovery code: 9 left" in page.content()
    context.close()


def test_the_admin_refuses_a_session_without_the_second_factor(
    fp_browser: Any,
    server: str,
    app: Flask,
    auth: Any,
) -> None:
    make_user(app, auth, "boss", admin=True)
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    context = fp_browser.new_context()
    page = context.new_page()
    _password(page, server, "boss")
    page.wait_for_url(f"{server}/accounts/two-factor/enrol/**")
    assert "requires two-factor authentication" in page.content()
    page.goto(f"{server}/admin/note/")
    assert "/accounts/two-factor/enrol/" in page.url
    context.close()


def test_admin_gate_with_the_test_client(app: Flask, admin: Admin, superuser: Any, client: Any) -> None:
    log_in(client, superuser)
    assert client.get("/admin/").status_code == 200  # the requirement is off by default
    app.config["FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN"] = True
    to_enrol = client.get("/admin/note/")
    assert to_enrol.status_code == 302
    assert to_enrol.location.startswith("/accounts/two-factor/enrol/")
    with connection(admin.auth.db):
        admin.auth.two_factor.models[0].create(user_id=superuser.id, secret=pyotp.random_base32(), confirmed=True)
    step_up = client.get("/admin/note/")  # a factor, but this session never passed it
    assert step_up.status_code == 302
    assert step_up.location.startswith("/accounts/two-factor/verify/")
    passed = app.test_client()
    log_in(passed, superuser, second_factor=True)
    assert passed.get("/admin/note/").status_code == 200
