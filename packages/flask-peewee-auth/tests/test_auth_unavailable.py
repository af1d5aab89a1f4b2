"""A database that cannot answer during login is a 503 with Retry-After, never a wrong password, and counts nothing."""

from __future__ import annotations

import pytest

from flask_peewee.auth import AuthUnavailable
from flask_peewee.db.testing import table_moved_away

PASSWORD = "correct horse"


def _throttle_rows(app, auth):
    with app.app_context():
        rows = [row.attempts for row in auth.login_throttle_model.select()]
    auth.db.database.close()
    return rows


def test_login_form_answers_503_when_the_user_table_is_unreachable(app, auth, db, client, user, login):
    with table_moved_away(db, "user"):
        response = login(client)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert "temporarily unavailable" in response.get_data(as_text=True)
    assert "Incorrect username or password" not in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"  # auth's error pages refuse framing too
    assert _throttle_rows(app, auth) == []  # not counted as a failure
    assert login(client).status_code == 302


def test_repeated_outages_never_lock_anyone_out(app, auth, db, client, user, login):
    with table_moved_away(db, "user"):
        for _ in range(25):
            assert login(client, password="wrong").status_code == 503
    assert login(client).status_code == 302


def test_login_form_answers_503_when_the_throttle_table_is_unreachable(app, auth, db, client, user, login):
    with table_moved_away(db, "fp_login_throttle"):
        response = login(client)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1


def test_authenticate_in_an_app_view_raises_a_503(app, auth, db, client, user):
    @app.route("/own-login/", methods=["POST"])
    def own_login():
        user = auth.authenticate("alice", PASSWORD)
        return "yes" if user else "no"

    with table_moved_away(db, "user"):
        response = client.post("/own-login/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert client.post("/own-login/").get_data(as_text=True) == "yes"


def test_authenticate_outside_a_request_raises_auth_unavailable(app, auth, db, user):
    with table_moved_away(db, "user"), app.app_context(), pytest.raises(AuthUnavailable):
        auth.authenticate("alice", PASSWORD)
    db.database.close()


def test_a_logged_in_request_during_an_outage_is_a_503_and_stays_logged_in(app, auth, db, client, user, login):
    assert login(client).status_code == 302
    with table_moved_away(db, "fp_auth_session_end"):  # what a session's check reads with the sessions page off
        response = client.get("/private/")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"
