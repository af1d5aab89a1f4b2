"""An app with one read replica: admin list pages and API reads come from the replica, the rest from the primary.

Runs on the PostgreSQL primary and streaming replica that flask-peewee-db's pytest plugin starts
(``replica_cluster``). Each statement is recorded with the server that ran it (peewee's query
hooks on each database), and replay is paused to show the pages really are the replica's.
"""

import base64

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, form_csrf_token, log_in
from flask_peewee.db import Database, use_primary
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication


@pytest.fixture
def site(replica_cluster, tmp_path):
    app = Flask("replica_site", root_path=str(tmp_path))
    app.config.update(
        DATABASE=replica_cluster.primary_url,
        FLASK_PEEWEE_DATABASE_REPLICAS=[replica_cluster.replica_url],
        SECRET_KEY="replica-test-secret",
        TESTING=True,
        FLASK_PEEWEE_PASSWORD_SCHEMES=["pbkdf2_sha256"],
    )
    db = Database(app)
    auth = Auth(app, db)

    class Memo(db.Model):
        text = peewee.TextField()

        def __str__(self):
            return self.text

    admin = Admin(app, auth)
    admin.register(Memo)
    admin.setup()
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Memo, RestResource)
    api.setup()
    with app.app_context(), use_primary():
        db.create_tables()
        Memo.create(text="replicated")
    boss = create_user(app, auth, "boss", "secret", admin=True)
    db.database.close()
    replica_cluster.sync()

    ran = []  # (server, sql) of every statement
    db.database.query_hooks.append(lambda event: ran.append(("primary", event.sql)))
    db.replicas[0].query_hooks.append(lambda event: ran.append(("replica", event.sql)))
    client = app.test_client()
    log_in(client, boss)
    ran.clear()
    yield app, db, Memo, client, ran
    db.database.close()


def _memo_statements(ran, server):
    return [sql for where, sql in ran if where == server and '"memo"' in sql]


def _basic():
    return {"Authorization": "Basic " + base64.b64encode(b"boss:secret").decode()}


def test_list_pages_and_api_reads_come_from_the_replica(site, replica_cluster):
    app, db, Memo, client, ran = site
    for url, headers in [("/admin/memo/", {}), ("/api/memo/", _basic()), ("/api/memo/1/", _basic())]:
        ran.clear()
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:300])
        assert "replicated" in response.text
        assert _memo_statements(ran, "replica"), url  # the model's rows were read there
        assert not _memo_statements(ran, "primary"), url
        # what the primary ran for the page: the session and credential checks (auth's own tables)
        assert all(sql.lstrip().upper().startswith("SELECT") for where, sql in ran if where == "primary")

    with replica_cluster.replay_paused():
        with app.app_context():
            Memo.create(text="not replayed yet")
        db.database.close()
        assert "not replayed yet" not in client.get("/admin/memo/").text
        assert [m["text"] for m in client.get("/api/memo/", headers=_basic()).json["objects"]] == ["replicated"]
    assert "not replayed yet" in client.get("/admin/memo/").text  # once the replica caught up


def test_writes_and_everything_in_their_requests_go_to_the_primary(site, replica_cluster):
    _app, db, Memo, client, ran = site
    token = form_csrf_token(client, "/admin/memo/add/")
    ran.clear()
    response = client.post("/admin/memo/add/", data={"text": "from the admin", "csrf_token": token})
    assert response.status_code == 302
    response = client.post("/api/memo/", json={"text": "from the api"}, headers=_basic())
    assert response.status_code == 200, response.text
    response = client.delete("/api/memo/1/", headers=_basic())
    assert response.status_code == 200, response.text
    assert not [sql for where, sql in ran if where == "replica"]  # nothing of these requests read a replica
    assert len(_memo_statements(ran, "primary")) >= 3
    with use_primary():
        assert sorted(m.text for m in Memo.select()) == ["from the admin", "from the api"]
    db.database.close()
