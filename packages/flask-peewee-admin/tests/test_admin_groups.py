"""GroupsPanel: groups, members and grants managed from the admin; protected, audited, hostile input refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin, GroupsPanel
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, form_csrf_token, log_in
from flask_peewee.db import Database


@pytest.fixture
def site(app: Flask, db: Database, auth: Auth, models: Any) -> Any:
    admin = Admin(app, auth)
    admin.register(models.Note)
    auth.register_admin(admin)
    admin.register_panel("Groups", GroupsPanel)
    admin.setup()
    db.create_tables()
    db.database.close()
    boss = create_user(app, auth, "boss", "secret", admin=True)
    staff = create_user(app, auth, "staff", "secret")
    return boss, staff


def _post(client: Any, url: str, **data: Any) -> Any:
    data.setdefault("csrf_token", form_csrf_token(client, url))
    return client.post(url, data=data)


def test_create_a_group_add_a_member_and_grant_through_the_admin(app, auth, client, site, models):
    boss, staff = site
    log_in(client, boss)
    assert "Manage groups and permissions" in client.get("/admin/").get_data(as_text=True)
    response = _post(client, "/admin/groups/", name="editors", description="They edit notes")
    assert response.status_code == 302
    with app.app_context():
        group = auth.get_group("editors")
    url = f"/admin/groups/{group.id}/"
    assert response.headers["Location"].endswith(url)
    assert _post(client, url, do="add_member", username="staff").status_code == 302
    response = _post(client, url, do="grants", grant=["note:view", "note:change"])
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="note:view" aria-label="view Note" checked' in page
    assert ">staff</a>" in page
    with app.app_context():
        assert auth.get_permissions(staff) == {("note", "view"), ("note", "change")}
        entries = [(e.model, e.action, e.source) for e in auth.AuditEntry.select().order_by(auth.AuditEntry.id)]
    assert entries == [
        ("fp_group", "add", "admin"),
        ("fp_group_member", "add", "admin"),
        ("fp_group_grant", "add", "admin"),  # change, then view (sorted)
        ("fp_group_grant", "add", "admin"),
    ]
    # the member now sees the model in the admin, through the group
    other = app.test_client()
    log_in(other, staff)
    assert other.get("/admin/note/").status_code == 200
    assert other.get("/admin/groups/").status_code == 403  # panels stay for full admins
    # unticking takes the grant back
    assert _post(client, url, do="grants", grant=["note:change"]).status_code == 302
    assert other.get("/admin/note/").status_code == 403


def test_rename_remove_member_and_delete_a_group(app, auth, client, site):
    boss, staff = site
    log_in(client, boss)
    with app.app_context():
        group = auth.create_group("readers")
        auth.add_to_group(staff, group)
    url = f"/admin/groups/{group.id}/"
    assert _post(client, url, do="edit", name="viewers", description="Read only").status_code == 302
    assert _post(client, url, do="remove_member", username="staff").status_code == 302
    with app.app_context():
        assert auth.get_group(group.id).name == "viewers"
        assert auth.get_groups(staff) == []
    response = _post(client, url, do="delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/groups/")
    assert client.get(url).status_code == 404
    with app.app_context():
        actions = [(e.model, e.action) for e in auth.AuditEntry.select().order_by(auth.AuditEntry.id)]
    assert actions == [("fp_group", "change"), ("fp_group_member", "delete"), ("fp_group", "delete")]


def test_a_users_groups_and_own_grants(app, auth, client, site):
    boss, staff = site
    log_in(client, boss)
    with app.app_context():
        readers = auth.create_group("readers")
        auth.grant_permission(readers, "note", "view")
    response = client.get("/admin/groups/?username=staff")
    assert response.status_code == 302
    url = response.headers["Location"]
    assert url.endswith(f"/admin/groups/users/{staff.id}/")
    assert _post(client, url, do="groups", group=[str(readers.id)]).status_code == 302
    assert _post(client, url, do="grants", grant=["note:export"]).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<li>view note</li>" in page
    assert "<li>export note</li>" in page
    with app.app_context():
        assert auth.get_permissions(staff) == {("note", "view"), ("note", "export")}
    assert _post(client, url, do="groups").status_code == 302  # nothing ticked: out of every group
    with app.app_context():
        assert auth.get_permissions(staff) == {("note", "export")}
    assert "No user named &#39;nobody&#39;" in client.get("/admin/groups/?username=nobody").get_data(as_text=True)
    assert client.get("/admin/groups/users/999999/").status_code == 404


def test_hostile_input_is_refused_without_a_write(app, auth, client, site):
    boss, staff = site
    log_in(client, boss)
    with app.app_context():
        group = auth.create_group("staff")
    url = f"/admin/groups/{group.id}/"
    cases = [
        (url, {"do": "grants", "grant": ["note:view"], "csrf_token": "forged"}, "The form has expired"),
        (url, {"do": "grants", "grant": ["fp_audit_log:view"]}, "does not offer"),
        (url, {"do": "grants", "grant": ["note:destroy"]}, "does not offer"),
        (url, {"do": "add_member", "username": "ghost"}, "No user named"),
        (url, {"do": "explode"}, "Unknown change"),
        (url, {"do": "edit", "name": " "}, "must not be empty"),
        ("/admin/groups/", {"name": "x" * 151}, "at most 150"),
        ("/admin/groups/", {"name": "staff"}, "already exists"),
        (f"/admin/groups/users/{staff.id}/", {"do": "groups", "group": ["abc"]}, "does not exist"),
        (f"/admin/groups/users/{staff.id}/", {"do": "groups", "group": ["424242"]}, "does not exist"),
    ]
    for target, data, message in cases:
        response = _post(client, target, **data)
        assert response.status_code == 200, (data, response.status_code)
        assert message in response.get_data(as_text=True), data
    assert _post(client, url, do="edit", name="a\x00b").status_code == 400  # NUL: refused before the view
    with app.app_context():
        assert auth.GroupGrant.select().count() == 0
        assert auth.GroupMember.select().count() == 0
        assert auth.Group.select().count() == 1
        assert auth.AuditEntry.select().count() == 0


def test_the_screens_are_for_full_admins(app, auth, client, site):
    _boss, staff = site
    assert client.get("/admin/groups/").status_code == 302  # anonymous: to the login page
    log_in(client, staff)
    with app.app_context():
        auth.grant_permission(staff, "note", "view")  # may enter the admin, not manage permissions
    assert client.get("/admin/").status_code == 200
    for url in ("/admin/groups/", f"/admin/groups/users/{staff.id}/"):
        assert client.get(url).status_code == 403
        assert client.post(url, data={"do": "grants", "grant": ["note:delete"]}).status_code == 403
    with app.app_context():
        assert auth.get_permissions(staff) == {("note", "view")}
