"""An app whose database is down when it starts still starts; once the database is back it works, no restart."""

from __future__ import annotations

from typing import Any

from flask import Flask

from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, log_in
from flask_peewee.db import Database


def test_auth_started_while_the_database_is_unreachable_recovers(tmp_path: Any) -> None:
    folder = tmp_path / "later"  # the SQLite file cannot be opened until its folder exists
    app = Flask("outage_at_start", root_path=str(tmp_path))
    app.config.update(
        DATABASE=f"sqlite:///{folder / 'app.db'}",
        SECRET_KEY="test-secret",
        PROPAGATE_EXCEPTIONS=False,
        FLASK_PEEWEE_PASSWORD_SCHEMES=["md5_crypt"],
    )
    db = Database(app)
    auth = Auth(app, db)  # creates its tables: the database is down, it starts anyway

    @app.route("/")
    def home() -> str:
        return "home"

    client = app.test_client()
    down = client.get("/accounts/login/")
    assert down.status_code == 503
    assert down.headers["Retry-After"]
    folder.mkdir()
    assert client.get("/accounts/login/").status_code == 200  # auth's tables were created by this request
    db.create_tables([auth.User])
    user = create_user(app, auth, "ann", "secret-pass")
    log_in(client, user)
    assert client.get("/").text == "home"
    with app.app_context():
        assert auth.AuditEntry.table_exists()
