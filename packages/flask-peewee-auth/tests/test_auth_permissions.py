"""The permission policy: defaults, stored grants, overriding, the grant table and the CLI."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.auth import ACTIONS, Auth, PermissionPolicy
from flask_peewee.auth.testing import log_in


@pytest.fixture
def note_model(auth, db):
    class Note(db.Model):
        title = peewee.CharField()

    db.create_tables([Note])
    db.database.close()
    return Note


@pytest.fixture
def note(app, auth, db, note_model):
    """The Note model, with a ``/perm/<action>/`` view answering whether the logged-in user may do it."""

    @app.route("/perm/<action>/")
    def perm(action):
        user = auth.get_logged_in_user()
        return "yes" if auth.has_permission(user, note_model, action, default=False) else "no"

    return note_model


def test_library_tables_are_created_at_init_app(app, db):
    Auth(app, db)
    tables = set(db.database.get_tables())
    assert {"fp_permission_grant", "fp_audit_log", "fp_remember_token", "fp_login_throttle"} <= tables
    assert "user" not in tables  # the app's own tables stay the app's business, as in the docs


def test_create_tables_command_creates_the_library_tables(app, db):
    auth = Auth(app, db)
    db.database.connect(reuse_if_open=True)
    db.database.drop_tables([auth.PermissionGrant, auth.AuditEntry, auth.RememberToken])
    db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert {"fp_permission_grant", "fp_audit_log", "fp_remember_token"} <= set(db.database.get_tables())


def test_default_decides_without_a_query(auth, app, user, note, count_queries):
    with app.app_context(), count_queries() as counter:
        for action in ACTIONS:
            assert auth.has_permission(user, note, action, default=True) is True
    assert counter.count() == 0


def test_no_grant_no_default_means_no(auth, app, user, note):
    with app.app_context():
        assert all(auth.has_permission(user, note, a, default=False) is False for a in ACTIONS)
        assert auth.has_permission(None, note, "view", default=False) is False
        assert auth.has_permission(None, note, "view", default=True) is True


def test_grant_and_revoke(auth, app, user, note):
    with app.app_context():
        grant = auth.grant_permission(user, note, "change")
        assert (grant.user_id, grant.model, grant.action) == (user.id, "note", "change")
        assert auth.grant_permission(user, note, "change").id == grant.id  # granting twice stores one row
        assert auth.PermissionGrant.select().count() == 1
        assert auth.has_permission(user, note, "change", default=False) is True
        assert auth.has_permission(user, note(), "change", default=False) is True  # an instance works too
        assert auth.has_permission(user, "note", "change", default=False) is True  # and the table name
        assert auth.has_permission(user, note, "delete", default=False) is False
        assert auth.has_permission(user.id, note, "change", default=False) is True
        assert auth.revoke_permission(user, note, "change") is True
        assert auth.revoke_permission(user, note, "change") is False
        assert auth.has_permission(user, note, "change", default=False) is False


def test_grants_belong_to_one_user(auth, app, user, new_user, note):
    bob = new_user("bob")
    with app.app_context():
        auth.grant_permission(bob, note, "view")
        assert auth.has_permission(bob, note, "view", default=False) is True
        assert auth.has_permission(user, note, "view", default=False) is False


def test_policy_never_reads_user_admin(auth, app, new_user, note):
    boss = new_user("boss", admin=True)
    with app.app_context():
        assert auth.has_permission(boss, note, "delete", default=False) is False


def test_unknown_action_is_refused(auth, app, user, note):
    with app.app_context():
        with pytest.raises(ValueError, match="unknown permission action 'destroy'"):
            auth.has_permission(user, note, "destroy", default=True)
        with pytest.raises(ValueError, match="unknown permission action"):
            auth.grant_permission(user, note, "destroy")


def test_unsaved_user_cannot_be_granted(auth, app, note):
    with app.app_context(), pytest.raises(ValueError, match="integer primary key"):
        auth.grant_permission(auth.User(username="ghost"), note, "view")


def test_a_bad_model_argument_is_refused(auth, app, user):
    with app.app_context(), pytest.raises(TypeError, match="expected a peewee model"):
        auth.has_permission(user, 42, "view", default=False)


def test_grants_in_a_request_are_read_once(auth, app, client, user, note, count_queries):
    with app.app_context():
        auth.grant_permission(user, note, "view")
    auth.db.database.close()

    @app.route("/all-perms/")
    def all_perms():
        current = auth.get_logged_in_user()
        return ",".join(a for a in ACTIONS if auth.has_permission(current, note, a, default=False))

    log_in(client, user)
    with count_queries() as counter:
        assert client.get("/all-perms/").get_data(as_text=True) == "view"
    grant_reads = [sql for sql in counter.statements if "fp_permission_grant" in sql]
    assert len(grant_reads) == 1


def test_grant_through_a_request(auth, app, client, user, note):
    log_in(client, user)
    assert client.get("/perm/view/").get_data(as_text=True) == "no"
    with app.app_context():
        auth.grant_permission(user, note, "view")
    auth.db.database.close()
    assert client.get("/perm/view/").get_data(as_text=True) == "yes"
    assert client.get("/perm/add/").get_data(as_text=True) == "no"


def test_deleting_the_user_keeps_the_grants(auth, app, user, note):
    with app.app_context():
        auth.grant_permission(user, note, "view")
        auth.User.delete().execute()
        assert auth.PermissionGrant.select().where(auth.PermissionGrant.user_id == user.id).count() == 1


class _ReadOnly(PermissionPolicy):
    def has_permission(self, auth, user, model, action, *, default):
        if action != "view":
            return False
        return super().has_permission(auth, user, model, action, default=default)


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("policy", [_ReadOnly, _ReadOnly()])
def test_a_custom_policy_can_deny_what_the_default_allows(app, db, policy):
    auth = Auth(app, db, permission_policy=policy)
    assert isinstance(auth.permission_policy, _ReadOnly)
    with app.app_context():
        assert auth.has_permission(None, auth.User, "view", default=True) is True
        assert auth.has_permission(None, auth.User, "delete", default=True) is False


@pytest.mark.backends("sqlite")
def test_a_subclass_of_auth_can_change_the_default_policy(app, db):
    class ReadOnlyAuth(Auth):
        def get_permission_policy(self):
            return _ReadOnly()

    auth = ReadOnlyAuth(app, db)
    with app.app_context():
        assert auth.has_permission(None, auth.User, "add", default=True) is False


@pytest.mark.backends("sqlite")
def test_a_policy_may_add_actions(app, db):
    class WithPublish(PermissionPolicy):
        actions = (*ACTIONS, "publish")

    auth = Auth(app, db, permission_policy=WithPublish)
    db.create_tables()
    with app.app_context():
        user = auth.User.create(username="ed", password="x")
        auth.grant_permission(user, auth.User, "publish")
        assert auth.has_permission(user, auth.User, "publish", default=False) is True


# -- CLI --------------------------------------------------------------------------------


def _grants(app, auth):
    with app.app_context():
        rows = auth.PermissionGrant.select().order_by(auth.PermissionGrant.action).tuples()
        found = {(r[1], r[2], r[3]) for r in rows}
    auth.db.database.close()
    return found


def test_cli_grant_and_revoke(auth, app, user, note):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fp", "grant", "alice", "Note", "view", "change"])
    assert result.exit_code == 0, result.output
    assert "Granted view on note to 'alice'." in result.output
    assert _grants(app, auth) == {(user.id, "note", "view"), (user.id, "note", "change")}
    result = runner.invoke(args=["fp", "revoke", "alice", "note", "change", "delete"])
    assert result.exit_code == 0, result.output
    assert "Revoked change on note from 'alice'." in result.output
    assert "'alice' had no delete grant on note." in result.output
    assert _grants(app, auth) == {(user.id, "note", "view")}


def test_cli_grant_refuses_bad_input(auth, app, user, note):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fp", "grant", "nobody", "note", "view"])
    assert result.exit_code == 1
    assert "No user named 'nobody'." in result.output
    result = runner.invoke(args=["fp", "grant", "alice", "ledger", "view"])
    assert result.exit_code == 1
    assert "No model named 'ledger'. Known models: note, user." in result.output
    result = runner.invoke(args=["fp", "grant", "alice", "note", "view", "explode"])
    assert result.exit_code == 1
    assert "Unknown action(s) explode" in result.output
    result = runner.invoke(args=["fp", "grant", "alice", "note"])
    assert result.exit_code == 2
    assert _grants(app, auth) == set()


def test_grants_are_for_users_only(auth, app, db, user, note):
    class APIKey(db.Model):
        key = peewee.CharField()

    db.create_tables([APIKey])
    with app.app_context():
        api_key = APIKey.create(key="k1")
        assert api_key.id == user.id  # same id as alice, yet not alice
        auth.grant_permission(user, note, "view")
        assert auth.has_permission(api_key, note, "view", default=False) is False
        with pytest.raises(ValueError, match="integer primary key"):
            auth.grant_permission(api_key, note, "view")
