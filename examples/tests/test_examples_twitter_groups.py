"""The example's admin manages groups: a member of a group with a view grant sees that model in the admin."""

import re


def test_a_group_opens_a_model_to_its_members(example, admin_client, client, login, person, token):
    main, _ = example
    member, password = person("grouped")
    dashboard = admin_client.get("/admin/")
    assert "Manage groups and permissions" in dashboard.text
    page = admin_client.get("/admin/groups/")
    created = admin_client.post(
        "/admin/groups/", data={"name": f"moderators-{member.username}", "csrf_token": token(page)}
    )
    assert created.status_code == 302
    group_url = re.sub(r"^https?://[^/]+", "", created.headers["Location"])
    page = admin_client.get(group_url)
    assert f">{main.Message._meta.table_name}:" not in page.text  # the matrix names tables in values only
    added = admin_client.post(
        group_url, data={"do": "add_member", "username": member.username, "csrf_token": token(page)}
    )
    assert added.status_code == 302
    page = admin_client.get(group_url)
    granted = admin_client.post(group_url, data={"do": "grants", "grant": ["message:view"], "csrf_token": token(page)})
    assert granted.status_code == 302
    other = main.app.test_client()
    assert login(other, member.username, password).status_code == 302
    assert other.get("/admin/message/").status_code == 200
    assert other.get("/admin/note/").status_code == 403
    assert other.get("/admin/groups/").status_code == 403
    with main.app.app_context():
        entries = main.auth.AuditEntry.select().where(main.auth.AuditEntry.model.startswith("fp_group"))
        assert {e.source for e in entries} == {"admin"}
        group = main.auth.get_group(f"moderators-{member.username}")
        main.auth.delete_group(group)
    main.db.database.close()
