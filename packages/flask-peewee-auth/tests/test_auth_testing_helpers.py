"""The helpers of flask_peewee.auth.testing: create_user, form_csrf_token and cascade_models."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.auth.testing import cascade_models, create_user, form_csrf_token, log_in
from flask_peewee.utils.internal import password_scheme


def test_create_user_hashes_with_the_apps_scheme_and_leaves_no_connection_open(app, auth, db):
    user = create_user(app, auth, "carol", "s3cret", admin=True)
    assert db.database.is_closed()
    with app.app_context():
        stored = auth.User.get(auth.User.username == "carol")
        assert stored.check_password("s3cret")
        assert not stored.check_password("wrong")
        assert password_scheme(stored.password) == "md5_crypt"  # the suite's FLASK_PEEWEE_PASSWORD_SCHEMES
    assert (stored.id, stored.email, stored.admin, stored.active) == (user.id, "carol@example.com", True, True)


def test_create_user_keeps_a_given_email_and_an_open_connection(app, auth, db):
    db.database.connect()
    user = create_user(app, auth, "dave", "pw", email="")
    assert not db.database.is_closed()
    db.database.close()
    assert user.email == ""


def test_form_csrf_token_reads_the_token_a_form_posts_back(app, auth, client):
    user = create_user(app, auth, "erin", "pw")
    token = form_csrf_token(client, "/accounts/login/")
    response = client.post("/accounts/login/", data={"username": "erin", "password": "pw", "csrf_token": token})
    assert response.status_code == 302
    log_in(client, user)
    logout_token = form_csrf_token(client, "/accounts/logout/")
    assert client.post("/accounts/logout/", data={"csrf_token": logout_token}).status_code == 302
    assert client.post("/accounts/logout/", data={"csrf_token": "forged"}).status_code != 302


def test_form_csrf_token_fails_clearly_on_a_page_without_a_form(app, auth, client):
    with pytest.raises(AssertionError, match=r"no csrf_token in the page at / \(status 200\)"):
        form_csrf_token(client, "/")


def test_cascade_models_builds_the_rows(db):
    lib = cascade_models(db)
    assert db.database.is_closed()
    assert sorted(lib.authors) == ["ann", "locked", "other"]
    assert (lib.Book.select().count(), lib.Review.select().count(), lib.Fan.select().count()) == (6, 12, 9)
    assert [t.name for t in lib.tags] == ["tag0", "tag1", "tag2"]
    assert lib.through.select().count() == 0
    assert str(lib.authors["ann"]) == "ann"
    assert lib.Fan.author.null
    with pytest.raises(peewee.IntegrityError, match="locked"):
        lib.authors["locked"].delete_instance()
    db.database.close()


def test_tagged_cascade_models_link_each_author_to_two_tags(db):
    lib = cascade_models(db, tagged=True)
    assert lib.through.select().count() == 6
    assert sorted(t.name for t in lib.authors["other"].tags) == ["tag0", "tag2"]
    db.database.close()
