"""History and the audit log show related objects by their name and id, and say when one is gone."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import make_user


def _edit(client: Any, version: Any, message_id: int, user_id: int, content: str) -> None:
    url = f"/admin/message/{message_id}/"
    token, stamp = version(client, url)
    data = {"csrf_token": token, "_fp_version": stamp, "user": str(user_id), "content": content}
    data.update({"pub_date-date": "2024-03-01", "pub_date-time": "09:00:00"})
    assert client.post(url, data=data).status_code == 302


def test_foreign_keys_read_as_names_with_ids(
    app: Flask,
    admin: Any,
    auth: Any,
    models: Any,
    admin_client: Any,
    superuser: Any,
    staff: Any,
    csrf: Any,
    version: Any,
) -> None:
    gone = make_user(app, auth, "gone <soon>")
    token = csrf(admin_client, "/admin/message/add/")
    data = {"csrf_token": token, "user": str(gone.id), "content": "hello"}
    data.update({"pub_date-date": "2024-03-01", "pub_date-time": "09:00:00"})
    assert admin_client.post("/admin/message/add/", data=data).status_code == 302
    with app.app_context():
        message = models.Message.get(models.Message.content == "hello")
    _edit(admin_client, version, message.id, staff.id, "hello")
    with app.app_context():
        auth.User.delete().where(auth.User.id == gone.id).execute()
    admin.auth.db.database.close()

    history = admin_client.get(f"/admin/message/{message.id}/history/").get_data(as_text=True)
    assert f"#{gone.id} (deleted) &rarr; staff (#{staff.id})" in history
    assert f"&mdash; &rarr; #{gone.id} (deleted)" in history.replace("\u2014", "&mdash;")
    log = admin_client.get("/admin/audit-log/?model=message").get_data(as_text=True)
    assert f"#{gone.id} (deleted) &rarr; staff (#{staff.id})" in log
    assert "gone &lt;soon&gt;" not in log  # gone, and would have been escaped


def test_names_cost_one_query_per_related_model(
    app: Flask, admin: Any, models: Any, admin_client: Any, superuser: Any, staff: Any, version: Any, count_queries: Any
) -> None:
    with app.app_context():
        message = models.Message.create(user=staff, content="x")
    admin.auth.db.database.close()
    url = f"/admin/message/{message.id}/history/"
    _edit(admin_client, version, message.id, superuser.id, "x")
    with count_queries() as few:
        page = admin_client.get(url).get_data(as_text=True)
    assert f"staff (#{staff.id}) &rarr; admin (#{superuser.id})" in page
    for step in range(6):
        _edit(admin_client, version, message.id, staff.id if step % 2 == 0 else superuser.id, "x")
    with count_queries() as many:
        page = admin_client.get(url).get_data(as_text=True)
    assert page.count(") &rarr; ") == 7
    assert len(many) == len(few)
