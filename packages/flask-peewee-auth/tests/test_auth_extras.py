"""fresh_login_required and the testing helpers."""

from __future__ import annotations

import time

from flask_peewee.auth.testing import log_in, log_out


def test_fresh_login_required(auth, app, client, user, login):
    @app.route("/delete-account/")
    @auth.fresh_login_required
    def delete_account():
        return "sure?"

    assert client.get("/delete-account/").location == "/accounts/login/?next=/delete-account/"
    login(client)
    assert client.get("/delete-account/").get_data(as_text=True) == "sure?"
    with client.session_transaction() as session:
        session["_fp_auth_time"] = int(time.time()) - 901
    assert client.get("/private/").status_code == 200  # still logged in
    assert client.get("/delete-account/").location == "/accounts/login/?next=/delete-account/"
    assert login(client, next="/delete-account/").location == "/delete-account/"
    assert client.get("/delete-account/").status_code == 200


def test_log_in_helper(auth, client, user):
    log_in(client, user)
    assert client.get("/private/").get_data(as_text=True) == "private page of alice"
    log_out(client)
    assert client.get("/private/").status_code == 302
