"""An app like the example (auth, admin, REST) starts and serves without SECRET_KEY; what must sign says so."""

import datetime

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin
from flask_peewee.auth import Auth
from flask_peewee.db import Database
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication


@pytest.fixture
def keyless(tmp_path):
    app = Flask("keyless", root_path=str(tmp_path))
    app.config.update(DATABASE=f"sqlite:///{tmp_path / 'keyless.db'}", FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"])
    assert not app.config.get("SECRET_KEY")
    db = Database(app)
    auth = Auth(app, db)

    class Message(db.Model):
        user = peewee.ForeignKeyField(auth.User, backref="messages")
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(default=datetime.datetime.now)

    class MessageResource(RestResource):
        pagination = "cursor"
        paginate_by = 1

    admin = Admin(app, auth)
    admin.register(Message)
    auth.register_admin(admin)
    admin.setup()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(auth.User, allowed_methods=["GET"])
    api.register(Message, MessageResource)
    api.setup()

    @app.route("/")
    def homepage():
        return "home"

    db.create_tables()
    with app.app_context():
        user = auth.User(username="ann", email="", active=True, admin=True)
        user.set_password("ann-password")
        user.save()
        for content in ("one", "two"):
            Message.create(user=user, content=content)
    db.database.close()
    return app


def test_it_starts_and_serves_pages(keyless):
    client = keyless.test_client()
    assert client.get("/").text == "home"
    users = client.get("/api/user/")
    assert users.status_code == 200
    assert [u["username"] for u in users.get_json()["objects"]] == ["ann"]
    # the admin sends anonymous visitors to the login form, whose CSRF token lives in the (signed) session:
    # a plain 503 that names the missing key, never a 500
    login = client.get("/admin/", follow_redirects=True)
    assert login.status_code == 503
    assert "no SECRET_KEY configured" in login.text
    refused = client.post("/accounts/login/", data={"username": "ann", "password": "ann-password"})
    assert refused.status_code == 503
    assert "no SECRET_KEY configured" in refused.text


def test_a_cursor_page_answers_a_clear_503_not_a_500(keyless):
    response = keyless.test_client().get("/api/message/")
    assert response.status_code == 503
    assert response.get_json() == {"error": "Service unavailable: the server has no SECRET_KEY configured"}


def test_flask_fp_check_reports_the_missing_key(keyless):
    result = keyless.test_cli_runner().invoke(args=["fp", "check"])
    assert result.exit_code == 1
    assert "error: secret-key: SECRET_KEY is not set" in result.output
