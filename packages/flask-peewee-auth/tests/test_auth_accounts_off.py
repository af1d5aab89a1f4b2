"""The account features are off by default: no route, no table, no query; on, they leave the rest alone."""

from __future__ import annotations

import pytest

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import log_in

ACCOUNT_URLS = [
    "/accounts/signup/",
    "/accounts/signup/confirm/x/",
    "/accounts/password/forgot/",
    "/accounts/password/reset/x/",
    "/accounts/password/change/",
    "/accounts/email/change/",
    "/accounts/email/confirm/x/",
]
ACCOUNT_ENDPOINTS = {
    "signup",
    "confirm_signup",
    "forgot_password",
    "reset_password",
    "change_password",
    "change_email",
    "confirm_email",
}
ALL_ON = {
    "FLASK_PEEWEE_SIGNUP": True,
    "FLASK_PEEWEE_SIGNUP_CONFIRM": True,
    "FLASK_PEEWEE_PASSWORD_RESET": True,
    "FLASK_PEEWEE_CHANGE_PASSWORD": True,
    "FLASK_PEEWEE_CHANGE_EMAIL": True,
    "MAIL_SUPPRESS_SEND": True,
    "MAIL_DEFAULT_SENDER": "site@example.com",
}


def _endpoints(app):
    return {rule.endpoint.rpartition(".")[2] for rule in app.url_map.iter_rules()}


def test_off_by_default_no_route_and_no_link(auth, client):
    for url in ACCOUNT_URLS:
        assert client.get(url).status_code == 404
    assert not (_endpoints(client.application) & ACCOUNT_ENDPOINTS)
    page = client.get("/accounts/login/").text
    assert "Forgot your password?" not in page
    assert "Sign up" not in page
    assert "mail" not in client.application.extensions  # Flask-Mail is not even set up


def _tables_and_queries(app, db, count_queries):
    auth = Auth(app, db)

    @app.route("/private/")
    @auth.login_required
    def private() -> str:
        return "private"

    db.create_tables()
    tables = set(db.database.get_tables())
    db.database.close()
    from flask_peewee.auth.testing import create_user

    user = create_user(app, auth, "alice", "correct horse")
    client = app.test_client()
    log_in(client, user)
    counts = []
    for url in ("/private/", "/accounts/login/"):
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return tables, counts


@pytest.mark.parametrize("features", [{}, ALL_ON])
def test_no_table_and_no_query_either_way(app, db, count_queries, features):
    """The features add no table (their links are signed, not stored) and no query to other pages."""
    app.config.update(features)
    tables, counts = _tables_and_queries(app, db, count_queries)
    assert tables == {
        "user",
        "fp_permission_grant",
        "fp_audit_log",
        "fp_remember_token",
        "fp_auth_session",
        "fp_auth_session_end",
        "fp_login_throttle",
        "fp_group",
        "fp_group_member",
        "fp_group_grant",
    }
    # the same as with everything off: one query (the user of the session) per logged-in page
    assert counts == [1, 1]


def test_on_the_links_show_on_the_login_page(app, db):
    app.config.update(ALL_ON)
    Auth(app, db)
    db.create_tables()
    db.database.close()
    assert _endpoints(app) >= ACCOUNT_ENDPOINTS
    page = app.test_client().get("/accounts/login/?next=/somewhere/").text
    assert 'href="/accounts/password/forgot/"' in page
    assert 'href="/accounts/signup/?next=/somewhere/"' in page


@pytest.mark.backends("sqlite")
def test_an_app_register_view_beside_signup(app, db):
    """The docs' way to add a ``register`` view at /accounts/register/ still works with sign-up on."""
    app.config.update(ALL_ON)

    class CustomAuth(Auth):
        def register(self):
            return "the app's own register view"

        def get_urls(self):
            return (*super().get_urls(), ("/register/", self.register))

    CustomAuth(app, db)
    client = app.test_client()
    assert client.get("/accounts/register/").text == "the app's own register view"
    assert client.get("/accounts/signup/").status_code == 200
    assert {"register", "signup"} <= _endpoints(app)


@pytest.mark.backends("sqlite")
def test_without_flask_mail_auth_works_and_mail_features_say_what_to_install(app, db, monkeypatch):
    import sys

    from flask_peewee.db import ImproperlyConfigured

    monkeypatch.setitem(sys.modules, "flask_mail", None)  # as if the [mail] extra were not installed
    Auth(app, db, name="plain")  # nothing mails: no Flask-Mail needed
    app.config.update(FLASK_PEEWEE_PASSWORD_RESET=True)
    with pytest.raises(ImproperlyConfigured, match=r"pip install 'flask-peewee-auth\[mail\]'"):
        Auth(app, db, name="other", prefix="/other")
