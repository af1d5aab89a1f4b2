"""Sessions and passwords: renewal at login, inactive users, revocation on password change, rehash, probing."""

from __future__ import annotations

import hashlib

import pytest

from flask_peewee.utils.testing import record_verifications

PASSWORD = "correct horse"


def _session_keys(client):
    with client.session_transaction() as session:
        return dict(session)


def test_session_is_renewed_at_login(auth, client, user, login, csrf_from):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    token_before = csrf_from(client)
    login(client)
    session = _session_keys(client)
    assert "planted" not in session
    assert session["logged_in"] is True
    assert session["user_pk"] == user.id
    assert session.get("_fp_csrf") != token_before


def test_inactive_user_cannot_log_in(auth, client, new_user, login):
    new_user("idle", active=False)
    response = login(client, "idle")
    assert response.status_code == 200
    assert "Incorrect username or password" in response.get_data(as_text=True)
    assert client.get("/private/").status_code == 302


def test_user_deactivated_while_logged_in_is_logged_out(auth, app, client, user, login):
    login(client)
    assert client.get("/private/").status_code == 200
    with app.app_context():
        auth.User.update(active=False).where(auth.User.id == user.id).execute()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302
    assert "logged_in" not in _session_keys(client)


def test_deleted_user_is_logged_out(auth, app, client, user, login):
    login(client)
    with app.app_context():
        auth.User.delete().execute()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302


def test_password_change_from_code_ends_other_sessions(auth, app, client, user, login):
    other = app.test_client()
    login(client)
    login(other)
    assert other.get("/private/").status_code == 200
    with app.app_context():
        alice = auth.User.get_by_id(user.id)
        alice.set_password("a new one")
        alice.save()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302
    assert other.get("/private/").status_code == 302
    assert login(other, password="a new one").status_code == 302
    assert other.get("/private/").status_code == 200


def test_password_change_in_a_view_keeps_the_current_session_when_logged_in_again(auth, app, client, user, login):
    @app.route("/change/")
    @auth.login_required
    def change():
        me = auth.get_logged_in_user()
        me.set_password("changed")
        me.save()
        auth.login_user(me)
        return "changed"

    other = app.test_client()
    login(client)
    login(other)
    assert client.get("/change/").get_data(as_text=True) == "changed"
    assert client.get("/private/").status_code == 200
    assert other.get("/private/").status_code == 302


def test_any_change_of_the_stored_hash_ends_sessions(auth, app, client, user, login):
    login(client)
    with app.app_context():
        auth.User.update(password=auth.User.password.concat("x")).where(auth.User.id == user.id).execute()
    auth.db.database.close()
    assert client.get("/private/").status_code == 302


def test_forged_session_without_matching_token_is_refused(auth, client, user):
    with client.session_transaction() as session:
        session["logged_in"] = True
        session["user_pk"] = user.id
        session["_fp_auth_token"] = "0" * 64
    assert client.get("/private/").status_code == 302


def test_legacy_hash_is_upgraded_at_login(auth, app, client, new_user, login):
    legacy = new_user("olduser")
    legacy_hash = hashlib.sha1(b"old password", usedforsecurity=False).hexdigest()
    with app.app_context():
        auth.User.update(password=legacy_hash).where(auth.User.id == legacy.id).execute()
    auth.db.database.close()
    assert login(client, "olduser", "old password").status_code == 302
    with app.app_context():
        stored = auth.User.get_by_id(legacy.id).password
    assert stored.startswith("$1$")
    assert client.get("/private/").status_code == 200


def test_deprecated_scheme_is_upgraded_at_login(auth, app, client, new_user, login):
    new_user("argonaut")  # hashed with md5_crypt, the configured default
    app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["sha256_crypt", "md5_crypt"]
    assert login(client, "argonaut").status_code == 302
    with app.app_context():
        assert auth.User.get(auth.User.username == "argonaut").password.startswith("$5$")


@pytest.fixture
def verifications():
    with record_verifications() as hashes:
        yield hashes


def test_unknown_username_costs_one_verification(auth, client, user, login, verifications):
    login(client, "nobody", "whatever")
    assert len(verifications) == 1
    verifications.clear()
    login(client, "alice", "wrong")
    assert len(verifications) == 1


def test_inactive_user_costs_one_verification(auth, client, new_user, login, verifications):
    new_user("idle", active=False)
    login(client, "idle")
    assert len(verifications) == 1


def test_session_cookie_holds_no_password_or_hash(auth, client, user, login):
    login(client)
    values = " ".join(str(v) for v in _session_keys(client).values())
    assert PASSWORD not in values
    assert user.password not in values
