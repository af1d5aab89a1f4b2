"""Groups of users: their grants join the user's own, read in one query per request; the CLI."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.auth import ACTIONS, Auth, GroupError
from flask_peewee.auth.testing import log_in


@pytest.fixture
def note(app, auth, db):
    class Note(db.Model):
        title = peewee.CharField()

    db.create_tables([Note])
    db.database.close()

    @app.route("/all-perms/")
    def all_perms():
        current = auth.get_logged_in_user()
        return ",".join(a for a in ACTIONS if auth.has_permission(current, Note, a, default=False))

    return Note


def test_group_tables_are_created_at_init_and_by_create_tables(app, db):
    auth = Auth(app, db)
    assert {"fp_group", "fp_group_member", "fp_group_grant"} <= set(db.database.get_tables())
    db.database.connect(reuse_if_open=True)
    db.database.drop_tables([auth.Group, auth.GroupMember, auth.GroupGrant])
    db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert {"fp_group", "fp_group_member", "fp_group_grant"} <= set(db.database.get_tables())


def test_permissions_are_the_union_of_own_and_group_grants(auth, app, user, new_user, note):
    with app.app_context():
        bob = new_user("bob")
        editors = auth.create_group("editors", "They edit notes")
        readers = auth.create_group("readers")
        auth.grant_permission(editors, note, "change")  # grant_permission takes a group too
        auth.grant_group_permission(readers, note, "view")
        auth.grant_permission(user, note, "export")
        assert auth.add_to_group(user, editors) is True
        assert auth.add_to_group(user, editors) is False  # once
        auth.add_to_group(user, readers)
        assert auth.get_permissions(user) == {("note", "change"), ("note", "view"), ("note", "export")}
        assert auth.has_permission(user, note, "view", default=False) is True
        assert auth.has_permission(user, note, "delete", default=False) is False
        assert auth.get_permissions(bob) == frozenset()  # grants belong to members only
        assert [g.name for g in auth.get_groups(user)] == ["editors", "readers"]
        assert [u.username for u in auth.get_group_members("editors")] == ["alice"]
        assert auth.get_group_permissions(editors) == {("note", "change")}


def test_group_permissions_in_a_request_are_one_query(auth, app, client, user, note, count_queries):
    with app.app_context():
        staff = auth.create_group("staff")
        auth.add_to_group(user, staff)
        auth.grant_permission(staff, note, "view")
        auth.grant_permission(staff, note, "add")
        auth.grant_permission(user, note, "delete")
    auth.db.database.close()
    log_in(client, user)
    with count_queries() as counter:
        assert client.get("/all-perms/").get_data(as_text=True) == "view,add,delete"
    reads = [sql for sql in counter.statements if "fp_group" in sql or "fp_permission_grant" in sql]
    assert len(reads) == 1
    assert "fp_group_grant" in reads[0]
    assert "fp_permission_grant" in reads[0]


def test_removing_a_member_or_a_grant_takes_effect_in_the_same_request(auth, app, user, note):
    with app.test_request_context():
        staff = auth.create_group("staff")
        auth.add_to_group(user, staff)
        auth.grant_permission(staff, note, "view")
        assert auth.has_permission(user, note, "view", default=False) is True
        assert auth.remove_from_group(user, staff) is True
        assert auth.has_permission(user, note, "view", default=False) is False
        assert auth.remove_from_group(user, staff) is False
        auth.add_to_group(user, staff)
        assert auth.revoke_permission(staff, note, "view") is True
        assert auth.has_permission(user, note, "view", default=False) is False


def test_deleting_a_group_deletes_its_members_and_grants(auth, app, user, note):
    with app.app_context():
        staff = auth.create_group("staff")
        auth.add_to_group(user, staff)
        auth.grant_permission(staff, note, "view")
        assert auth.delete_group("staff") is True
        assert auth.delete_group("staff") is False
        assert auth.GroupMember.select().count() == 0
        assert auth.GroupGrant.select().count() == 0
        assert auth.get_permissions(user) == frozenset()


def test_bad_group_input_is_refused(auth, app, user, note):
    with app.app_context():
        auth.create_group("staff")
        for bad in ("", "   ", "x" * 151, "a\x00b"):
            with pytest.raises(ValueError, match="the group name must"):
                auth.create_group(bad)
        with pytest.raises(ValueError, match="already exists"):
            auth.create_group(" staff ")
        with pytest.raises(ValueError, match="no group"):
            auth.add_to_group(user, "nobody")
        with pytest.raises(ValueError, match="saved users"):
            auth.add_to_group(auth.User(username="ghost"), "staff")
        with pytest.raises(ValueError, match="unknown permission action"):
            auth.grant_permission(auth.get_group("staff"), note, "destroy")
        assert auth.get_group("a\x00b") is None
        assert auth.Group.select().count() == 1


def test_group_writes_with_a_source_are_audited(auth, app, user, note):
    with app.app_context():
        staff = auth.create_group("staff", source="cli")
        auth.add_to_group(user, staff, source="cli")
        auth.grant_permission(staff, note, "view", source="cli")
        auth.grant_permission(user, note, "add", source="cli")
        auth.revoke_permission(user, note, "add", source="cli")
        auth.delete_group(staff, source="cli")
        entries = [(e.model, e.action, e.source) for e in auth.AuditEntry.select().order_by(auth.AuditEntry.id)]
    assert entries == [
        ("fp_group", "add", "cli"),
        ("fp_group_member", "add", "cli"),
        ("fp_group_grant", "add", "cli"),
        ("fp_permission_grant", "add", "cli"),
        ("fp_permission_grant", "delete", "cli"),
        ("fp_group_member", "delete", "cli"),
        ("fp_group_grant", "delete", "cli"),
        ("fp_group", "delete", "cli"),
    ]


def test_cli_group_commands(auth, app, user, new_user, note):
    with app.app_context():
        new_user("bob")
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=["fp", "group", *args])

    result = run("list")
    assert result.exit_code == 0
    assert "No groups" in result.output
    result = run("create", "editors", "--description", "Edit notes")
    assert result.exit_code == 0, result.output
    assert "Created group 'editors'." in result.output
    assert run("create", "editors").exit_code != 0  # taken
    result = run("add", "editors", "alice", "bob")
    assert result.exit_code == 0
    assert "Added 'bob' to 'editors'." in result.output
    result = run("grant", "editors", "Note", "view", "change")
    assert result.exit_code == 0
    assert "Granted change on note to group 'editors'." in result.output
    result = run("list")
    assert "editors: Edit notes" in result.output
    assert "members: alice, bob" in result.output
    assert "note: view change" in result.output
    with app.app_context():
        assert auth.get_permissions(user) == {("note", "view"), ("note", "change")}
    result = run("revoke", "editors", "note", "change")
    assert "Revoked change on note from group 'editors'." in result.output
    result = run("remove", "editors", "bob")
    assert result.exit_code == 0
    assert "Removed 'bob' from 'editors'." in result.output
    result = run("list", "editors")
    assert "members: alice" in result.output
    assert "note: view" in result.output
    with app.app_context():
        sources = {e.source for e in auth.AuditEntry.select()}
        assert sources == {"cli"}
    result = run("delete", "editors", "--yes")
    assert result.exit_code == 0
    assert "Deleted group 'editors'." in result.output
    with app.app_context():
        assert auth.Group.select().count() == 0


def test_cli_group_commands_refuse_bad_input(auth, app, user, note):
    runner = app.test_cli_runner()
    runner.invoke(args=["fp", "group", "create", "staff"])
    cases = [
        (["add", "nobody", "alice"], "No group named 'nobody'"),
        (["add", "staff", "ghost"], "No user named 'ghost'"),
        (["grant", "staff", "ledger", "view"], "No model named 'ledger'"),
        (["grant", "staff", "note", "explode"], "Unknown action(s) explode"),
        (["create", " "], "must not be empty"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["fp", "group", *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
    with app.app_context():
        assert auth.GroupMember.select().count() == 0
        assert auth.GroupGrant.select().count() == 0


def test_group_errors_keep_their_template_and_params_for_a_translated_interface(auth, app):
    with app.app_context():
        auth.create_group("staff")
        with pytest.raises(GroupError) as taken:
            auth.create_group("staff")
        with pytest.raises(GroupError) as too_long:
            auth.create_group("x" * 151)
    assert isinstance(taken.value, ValueError)
    assert str(taken.value) == "a group named 'staff' already exists"  # the English text, as before
    assert (taken.value.template, taken.value.params) == ("a group named %(name)s already exists", {"name": "'staff'"})
    assert str(too_long.value) == "the group name must be at most 150 characters"
    assert too_long.value.params == {"limit": 150}
