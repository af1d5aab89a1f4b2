"""Export: CSV and JSON of the filtered list, a choice of fields, streamed in keyset batches."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in


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
    size = admin[models.Note].export_batch_size
    assert len(batches) == 10_000 // size + 1  # the full batches and the empty last one
    assert not any("OFFSET" in s.upper() for s in batches)


def test_export_needs_permission(client: Any, staff: Any) -> None:
    from flask_peewee.auth.testing import log_in

    log_in(client, staff)
    assert client.get("/admin/note/export/?_format=csv").status_code == 403


def test_csv_cells_are_defused_against_formula_injection(
    app: Flask, admin: Admin, admin_client: Any, models: Any, superuser: Any
) -> None:
    contents = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "\tindented", "\rreturn", "-1.5", "+3", "plain"]
    with app.app_context():
        for content in contents:
            models.Message.create(user=superuser, content=content)
    admin.auth.db.database.close()
    response = admin_client.get("/admin/message/export/?_format=csv&_fields=content&ordering=id")
    cells = [row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True), newline=""))][1:]
    assert cells == [
        '\'=HYPERLINK("http://x")',
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tindented",
        "'\rreturn",
        "-1.5",  # a plain number is data, not a formula
        "+3",
        "plain",
    ]
    data = json.loads(admin_client.get("/admin/message/export/?_format=json&_fields=content").get_data(as_text=True))
    assert [row["content"] for row in data] == contents  # JSON is not for spreadsheets: values unchanged


@pytest.fixture
def scores(app: Flask, db: Any, auth: Any) -> Any:
    """Items with ties and NULLs in a single-precision float column, exported three rows per batch."""

    class Item(db.Model):
        name = peewee.CharField()
        score = peewee.FloatField(null=True)
        rank = peewee.IntegerField()

    class ItemAdmin(ModelAdmin):
        export_batch_size = 3

    admin = Admin(app, auth)
    admin.register(Item, ItemAdmin)
    admin.setup()
    db.create_tables()
    values = [0.1, None, 0.1, 2.5, None, 0.1, -1.0, 2.5, 0.3, None, 0.1]
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        for i, score in enumerate(values):
            Item.create(name=f"item{i:02d}", score=score, rank=i % 3)
        items = [(item.id, item.name, item.score, item.rank) for item in Item.select()]
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client, items


@pytest.mark.parametrize("ordering", ["score", "-score", "rank,-score", "-rank,name", "-id", "name,score"])
def test_export_follows_the_list_ordering_in_keyset_batches(
    app: Flask, db: Any, scores: Any, count_queries: Any, ordering: str
) -> None:
    client, items = scores

    def sort_key(item: tuple[Any, ...]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name in ordering.split(","):
            descending = name.startswith("-")
            value = item[("id", "name", "score", "rank").index(name.lstrip("-"))]
            if isinstance(value, str):
                value = tuple(-ord(c) for c in value) if descending else tuple(ord(c) for c in value)
            elif value is not None and descending:
                value = -value
            parts.append((value is None, 0 if value is None else value))
        return (*parts, item[0])

    expected = [item[1] for item in sorted(items, key=sort_key)]
    with count_queries() as statements:
        response = client.get(f"/admin/item/export/?_format=csv&_fields=name&ordering={ordering}")
        assert response.is_streamed
        names = response.get_data(as_text=True).split()[1:]
    assert names == expected
    batches = [s for s in statements if "LIMIT" in s.upper() and "item" in s.lower()]
    assert len(batches) == 4  # 3 + 3 + 3 + 2 rows
    assert not any("OFFSET" in s.upper() for s in batches)
    others = [s for s in statements if s not in batches]
    assert len(others) <= 1, others  # besides the batches, at most the logged-in user's lookup


def test_export_refuses_a_bad_ordering(admin_client: Any, rows: None) -> None:
    assert admin_client.get("/admin/message/export/?_format=csv&ordering=nope").status_code == 400
    assert admin_client.get("/admin/user/export/?_format=csv&ordering=password").status_code == 400


def test_export_post_of_the_original_form(admin_client: Any, rows: None, csrf: Any) -> None:
    token = csrf(admin_client, "/admin/message/export/")
    response = admin_client.post(
        "/admin/message/export/?fo_content=startswith&fv_content=from+s",  # the original's filters apply
        data={"csrf_token": token, "fields": ["content", "user", "user__username", "user__password"]},
    )
    assert response.status_code == 200
    assert 'filename="export-message.json"' in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data == [{"content": 'from staff, with "quotes"', "user": {"username": "staff"}}]
    users = json.loads(
        admin_client.post(
            "/admin/user/export/", data={"csrf_token": token, "fields": ["username", "password"]}
        ).get_data(as_text=True)
    )
    assert sorted(users, key=lambda u: u["username"]) == [{"username": "admin"}, {"username": "staff"}]  # no password


def test_export_post_needs_a_valid_token(admin_client: Any, rows: None) -> None:
    response = admin_client.post(
        "/admin/message/export/", data={"fields": ["content"]}, headers={"Sec-Fetch-Site": "none"}
    )
    assert response.status_code in (400, 403)
    assert b"from admin" not in response.data
