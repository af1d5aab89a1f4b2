"""Bearer tokens: the fp_api_token table, issue/check/revoke helpers, TokenAuthentication and the CLI."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from flask_peewee.auth import Auth
from flask_peewee.rest import (
    RestAPI,
    RestrictOwnerResource,
    TokenAuthentication,
    get_token_model,
    issue_token,
    revoke_token,
    revoke_tokens,
)


@pytest.fixture
def api(app, auth, models, users):
    class MessageResource(RestrictOwnerResource):
        owner_field = "user"

    api = RestAPI(app, default_auth=TokenAuthentication(auth))
    api.register(models.Message, MessageResource)
    return api


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def issue(app, user, name="script", expires=None):
    with app.app_context():
        return issue_token(user, name, expires)


def test_the_table_is_created_by_init_app_and_by_create_tables(app, auth, db, models):
    assert "fp_api_token" not in db.database.get_tables()
    db.database.close()
    RestAPI(app, default_auth=TokenAuthentication(auth))
    assert db.database.is_closed()  # created outside any request, its connection closed again
    assert "fp_api_token" in db.database.get_tables()
    db.drop_tables([get_token_model(db)])
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert "created fp_api_token" in result.output
    columns = {c.name for c in db.database.get_columns("fp_api_token")}
    assert columns == {"id", "user_id", "name", "token_id", "token_hash", "created", "last_used", "expires", "revoked"}


def test_only_a_hash_is_stored(app, api, db, users):
    token = issue(app, users.coleifer, "deploy")
    assert token.startswith("fpt_")
    row = get_token_model(db).get()
    assert (row.user_id, row.name, row.revoked, row.expires, row.last_used) == (2, "deploy", False, None, None)
    assert token.split("_")[1] == row.token_id
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(list(get_token_model(db).select().tuples()))


def test_a_bearer_token_authenticates_writes(app, api, client, db, models, users):
    token = issue(app, users.coleifer)
    response = client.post("/api/message/", json={"content": "via token", "user": 1}, headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["user"] == 2  # RestrictOwnerResource: the token's user owns it
    assert client.get("/api/message/").get_json()["objects"][0]["content"] == "via token"  # reads stay open
    assert get_token_model(db).get().last_used is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer fpt_0123456789abcdef_" + "x" * 43,  # unknown id
        "Bearer not-a-token",
        "Basic YWRtaW46YWRtaW4=",  # a password does not open a token API
    ],
)
def test_missing_or_bad_tokens_get_401_with_a_bearer_challenge(app, api, client, models, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/message/", json={"content": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"error": "Authentication failed"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Login Required"'
    assert models.Message.select().count() == 0


def test_a_wrong_secret_with_a_real_id_is_refused(app, api, client, count_queries, users):
    token = issue(app, users.coleifer)
    forged = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    with count_queries() as queries:
        response = client.post("/api/message/", json={"content": "x"}, headers=bearer(forged))
    assert response.status_code == 401
    lookups = [sql for sql in queries if "fp_api_token" in sql]
    assert len(lookups) == 1
    assert "token_id" in lookups[0].split("WHERE")[1]
    assert "token_hash" not in lookups[0].split("WHERE")[1]  # looked up by id, the hash compared in Python


def test_revoked_expired_and_inactive_tokens_are_refused(app, api, client, db, models, users):
    revoked = issue(app, users.coleifer, "a")
    expiring = issue(app, users.coleifer, "b", expires=datetime.timedelta(hours=1))
    inactive = issue(app, users.admin, "c")
    with app.app_context():
        assert revoke_token(revoked) is True
        assert revoke_token(revoked) is False
    model = get_token_model(db)
    model.update(expires=datetime.datetime(2000, 1, 1)).where(model.name == "b").execute()
    models.User.update(active=False).where(models.User.username == "admin").execute()
    db.database.close()
    for token in (revoked, expiring, inactive):
        assert client.post("/api/message/", json={"content": "x"}, headers=bearer(token)).status_code == 401


def test_a_deleted_users_token_is_refused(app, api, client, db, models, users):
    token = issue(app, users.coleifer)
    models.User.delete().where(models.User.id == 2).execute()
    db.database.close()
    assert client.post("/api/message/", json={"content": "x"}, headers=bearer(token)).status_code == 401
    assert get_token_model(db).select().count() == 1  # a plain integer user id: nothing cascades


def test_revoking_by_id_by_user_and_by_name(app, api, db, users):
    first = issue(app, users.coleifer, "ci")
    issue(app, users.coleifer, "ci")
    issue(app, users.coleifer, "laptop")
    issue(app, users.admin, "ci")
    model = get_token_model(db)
    with app.app_context():
        assert revoke_token(first.split("_")[1]) is True
        assert revoke_tokens(users.coleifer, "ci") == 1
        assert revoke_tokens(2) == 1
        assert revoke_tokens(users.coleifer) == 0
        with pytest.raises(ValueError, match="neither an API token nor a token id"):
            revoke_token("nonsense")
    assert [row.name for row in model.select().where(model.revoked == False)] == ["ci"]  # noqa: E712


def test_issue_token_refuses_bad_arguments(app, api, users):
    with app.app_context():
        with pytest.raises(ValueError, match="needs a name"):
            issue_token(users.coleifer, "  ")
        with pytest.raises(ValueError, match="at most 100"):
            issue_token(users.coleifer, "x" * 101)
        with pytest.raises(ValueError, match="in the future"):
            issue_token(users.coleifer, "old", datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
        with pytest.raises(TypeError, match="expires must be"):
            issue_token(users.coleifer, "when", "tomorrow")
        with pytest.raises(TypeError, match="integer id"):
            issue_token("coleifer", "who")
    with pytest.raises(RuntimeError, match="app context"):
        issue_token(users.coleifer, "outside")


def test_cli_issue_list_and_revoke(app, api, client, db, users):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fp", "token", "issue", "coleifer", "deploy script", "--days", "30"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("fpt_")
    assert client.post("/api/message/", json={"content": "x"}, headers=bearer(token)).status_code == 200
    listing = runner.invoke(args=["fp", "token", "list", "coleifer"])
    assert listing.exit_code == 0
    header, line = listing.output.strip().splitlines()
    assert header.split("\t") == ["id", "name", "created", "last_used", "expires", "state"]
    fields = line.split("\t")
    assert (fields[0], fields[1], fields[5]) == (token.split("_")[1], "deploy script", "live")
    assert "-" not in (fields[3], fields[4])  # used once, expires in 30 days
    assert token not in listing.output
    result = runner.invoke(args=["fp", "token", "revoke", fields[0]])
    assert (result.exit_code, result.output.strip()) == (0, "revoked 1 token")
    assert runner.invoke(args=["fp", "token", "list", "coleifer"]).output.strip().endswith("revoked")
    assert client.post("/api/message/", json={"content": "x"}, headers=bearer(token)).status_code == 401
    runner.invoke(args=["fp", "token", "issue", "coleifer", "ci"])
    result = runner.invoke(args=["fp", "token", "revoke", "--user", "coleifer", "--name", "ci"])
    assert (result.exit_code, result.output.strip()) == (0, "revoked 1 token")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["issue", "nobody", "x"], "No user named 'nobody'"),
        (["issue", "coleifer", " "], "a token needs a name"),
        (["list", "nobody"], "No user named 'nobody'"),
        (["revoke", "0123456789abcdef"], "No live token matches"),
        (["revoke", "garbage"], "neither an API token nor a token id"),
        (["revoke"], "Give either a TOKEN"),
        (["revoke", "--name", "x", "0123456789abcdef"], "--name goes with --user"),
    ],
)
def test_cli_errors_are_messages(app, api, users, args, message):
    result = app.test_cli_runner().invoke(args=["fp", "token", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_list_without_tokens(app, api, users):
    result = app.test_cli_runner().invoke(args=["fp", "token", "list", "admin"])
    assert (result.exit_code, result.output.strip()) == (0, "admin has no tokens")


def test_openapi_declares_the_bearer_scheme(app, api, client):
    document = client.get("/api/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["paths"]["/api/message/"]["post"]["security"] == [{"bearerAuth": []}]


def test_cli_needs_exactly_one_auth_and_says_which_it_found(app, api, db, users):
    Auth(app, db, prefix="/staff", name="staff", db_table="staff_user")
    result = app.test_cli_runner().invoke(args=["fp", "token", "list", "admin"])
    assert result.exit_code != 0
    assert "API tokens need exactly one flask_peewee.auth.Auth on the app" in result.output
    assert "'auth', 'staff'" in result.output
    assert "Traceback" not in result.output
