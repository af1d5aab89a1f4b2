"""Export: CSV and JSON of the filtered list, a choice of fields, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin


@pytest.fixture
def rows(app: Flask, admin: Admin, models: Any, superuser: Any, staff: Any) -> None:
    with app.app_context():
        models.Message.create(user=superuser, content="from admin")
        models.Message.create(user=staff, content='from staff, with "quotes"')
    admin.auth.db.database.close()


def test_export_form_offers_fields(admin_client: Any, rows: None) -> None:
    text = admin_client.get("/admin/message/export/?user__username=staff").get_data(as_text=True)
    assert 'value="content"' in text
    assert 'value="user__username"' in text
    assert 'value="user__password"' not in text
    assert 'name="user__username" value="staff"' in text  # the filters travel with the export


def test_export_csv_with_related_fields_and_filters(admin_client: Any, rows: None) -> None:
    response = admin_client.get(
        "/admin/message/export/?_format=csv&_fields=content&_fields=user__username&user__username=staff"
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert 'filename="message.csv"' in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table == [["content", "user__username"], ['from staff, with "quotes"', "staff"]]


def test_export_json_default_fields(admin_client: Any, rows: None, staff: Any) -> None:
    response = admin_client.get("/admin/message/export/?_format=json&q=staff")
    data = json.loads(response.get_data(as_text=True))
    assert len(data) == 1
    assert data[0]["user"] == staff.id
    assert set(data[0]) == {"id", "user", "content", "pub_date"}
    assert "T" in data[0]["pub_date"]


def test_export_refuses_unknown_format_and_bad_filters(admin_client: Any, rows: None) -> None:
    assert admin_client.get("/admin/message/export/?_format=xml").status_code == 400
    assert admin_client.get("/admin/message/export/?_format=csv&user__password=x").status_code == 400
    text = admin_client.get("/admin/user/export/?_format=csv&_fields=password").get_data(as_text=True)
    assert "password" not in text.splitlines()[0]


def test_export_streams_ten_thousand_rows_in_batches(app: Flask, admin: Admin, admin_client: Any, models: Any) -> None:
    with app.app_context():
        models.Note.insert_many([{"message": f"n{i}"} for i in range(10_000)]).execute()
    admin.auth.db.database.close()
    statements: list[str] = []
    database = admin.auth.db.database
    original = database.execute_sql

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = spy  # type: ignore[method-assign]
    try:
        response = admin_client.get("/admin/note/export/?_format=csv&_fields=message")
        assert response.is_streamed
        lines = response.get_data(as_text=True).splitlines()
    finally:
        del database.execute_sql
    assert len(lines) == 10_001
    assert lines[1] == "n0"
    assert lines[-1] == "n9999"
    batches = [s for s in statements if "note" in s.lower() and "LIMIT" in s.upper()]
    assert len(batches) == 11  # 10 full batches of 1000 and the empty last one
    assert not any("OFFSET" in s.upper() for s in batches)


def test_export_needs_permission(client: Any, staff: Any) -> None:
    from flask_peewee.auth.testing import log_in

    log_in(client, staff)
    assert client.get("/admin/note/export/?_format=csv").status_code == 403
