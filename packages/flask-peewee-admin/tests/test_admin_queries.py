"""Query counts: a page of the list costs the same number of queries whatever its size."""

from __future__ import annotations

import re
from typing import Any

import peewee
from flask import Flask, url_for
from markupsafe import escape

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in


def _add_messages(app: Flask, admin: Admin, models: Any, count: int, start: int) -> None:
    with app.app_context():
        for i in range(start, start + count):
            user = models.User.create(username=f"writer{i:03d}", email="", password="x", active=True, admin=False)
            models.Message.create(user=user, content=f"message {i:03d}")
    admin.auth.db.database.close()


def _list(count_queries: Any, client: Any, admin: Admin, url: str) -> tuple[str, list[str]]:
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), statements.statements


def test_list_costs_the_same_queries_for_2_or_20_rows(
    app: Flask, admin: Admin, admin_client: Any, models: Any, count_queries: Any
) -> None:
    _add_messages(app, admin, models, 2, 0)
    small_text, small = _list(count_queries, admin_client, admin, "/admin/message/")
    assert "writer000" in small_text
    assert "writer001" in small_text
    _add_messages(app, admin, models, 23, 2)
    full_text, full = _list(count_queries, admin_client, admin, "/admin/message/")
    assert all(f"writer{i:03d}" in full_text for i in range(20))  # each row shows its own user
    assert "writer020" not in full_text  # page 2
    assert len(full) == len(small), (small, full)
    user_selects = [s for s in full if "IN (" in s.upper() and "username" in s]
    assert len(user_selects) == 1  # every row's user in one query
    # the logged-in user with its live session (one join), the count, the page, the page's users
    assert len(full) <= 4, full


def test_list_links_match_url_for(app: Flask, db: Any, auth: Any, count_queries: Any) -> None:
    class Label(db.Model):
        code = peewee.CharField(primary_key=True)

    class Sticker(db.Model):
        number = peewee.IntegerField(primary_key=True)
        label = peewee.ForeignKeyField(Label, null=True)

    class StickerAdmin(ModelAdmin):
        columns = ("number", "label")

        def get_urls(self) -> Any:  # an app's own route with an int converter
            return tuple((url.replace("<pk>", "<int:pk>"), view) for url, view in super().get_urls())

    admin = Admin(app, auth)
    admin.register(Label)
    admin.register(Sticker, StickerAdmin)
    admin.setup()
    db.create_tables()
    codes = ["a b", "x/y", "50%", "q?r&s", "é"]
    with app.app_context():
        boss = auth.User.create(username="boss", email="", password="x", active=True, admin=True)
        for i, code in enumerate(codes):
            Sticker.create(number=i + 1, label=Label.create(code=code))
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    labels = client.get("/admin/label/").get_data(as_text=True)
    stickers = client.get("/admin/sticker/").get_data(as_text=True)
    with app.test_request_context():
        for i, code in enumerate(codes):
            label_url = url_for(admin.get_model_admin(Label).get_url_name("edit"), pk=code)
            assert f'href="{escape(label_url)}"' in labels
            assert f'href="{escape(label_url)}"' in stickers  # the related object's link
            sticker_url = url_for(admin.get_model_admin(Sticker).get_url_name("edit"), pk=i + 1)
            assert f'href="{sticker_url}"' in stickers


def test_list_select_related_follows_deeper_paths(
    app: Flask, db: Any, auth: Any, models: Any, count_queries: Any
) -> None:
    class Reply(db.Model):
        message = peewee.ForeignKeyField(models.Message, backref="replies")
        text = peewee.TextField()
        reviewer = peewee.ForeignKeyField(auth.User, null=True)

    def author(reply: Any) -> str:
        return reply.message.user.username

    class ReplyAdmin(ModelAdmin):
        columns = ("text", "message", "reviewer", author)
        list_select_related = ("message__user",)

    admin = Admin(app, auth)
    admin.register(Reply, ReplyAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", password="x", active=True, admin=True)
        for i in range(6):
            user = auth.User.create(username=f"poster{i}", email="", password="x", active=True, admin=False)
            message = models.Message.create(user=user, content=f"m{i}")
            Reply.create(message=message, text=f"reply {i}", reviewer=boss if i % 2 else None)
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    text, statements = _list(count_queries, client, admin, "/admin/reply/")
    assert all(f"poster{i}" in text for i in range(6))
    assert text.count("<td>boss</td>") == 3  # the reviewer column; the others show a dash
    in_queries = [s for s in statements if "IN (" in s.upper()]
    assert len(in_queries) == 3  # messages of the page, their users, the reviewers


# -- the list's statements, built once per shape of request -------------------------------

# Query strings of one shape each, then the same shapes with other values: a kept statement
# must run with each request's own values.
_SHAPES = [
    "",
    "?page=2",
    "?user__username=writer001",
    "?user__username=writer002",
    "?user__username__in=writer001&user__username__in=writer003",
    "?user__username__in=writer004&user__username__in=writer005&user__username__in=writer006",
    "?ordering=-content",
    "?ordering=-content&page=2",
    "?content__ne=message+000&ordering=content",
    "?content__ne=message+007&ordering=content",
    "?user__username=nobody",
    "?content__like=%25 01%25",  # a pattern: the general path
    "?q=message+01",  # the search box: the general path
    "?ordering=nonsense",  # refused ordering: reported, the general path
    "?page=9",  # past the end
]


def _pages(client: Any, urls: list[str]) -> list[tuple[int, str]]:
    pages = []
    for url in urls:
        response = client.get(url)
        body = response.get_data(as_text=True)
        # the CSRF fields are the session's token, masked anew per page
        pages.append((response.status_code, re.sub(r'name="[^"]*csrf[^"]*" value="[^"]*"', "", body)))
    return pages


def test_list_pages_on_kept_statements_match_the_general_path(
    app: Flask, admin: Admin, admin_client: Any, models: Any, monkeypatch: Any
) -> None:
    _add_messages(app, admin, models, 25, 0)
    with app.app_context():  # two users with several messages
        for i in range(1, 4):
            models.Message.create(user=models.User.get(username=f"writer00{i}"), content=f"message {i:03d} again")
    admin.auth.db.database.close()
    urls = [f"/admin/message/{query}" for query in _SHAPES]
    kept = _pages(admin_client, urls) + _pages(admin_client, urls)  # the second time on kept statements

    import flask_peewee.admin._prepared as prepared
    import flask_peewee.admin._views as views

    message_admin = admin.get_model_admin(models.Message)
    [shapes] = [
        plans for owners in prepared._plans._plans.values() for owner, plans in owners.items() if owner is message_admin
    ]
    # a statement pair per shape: none, "eq", "in" of 2 and of 3 values, an ordering, "ne" with an ordering
    assert sum(plan is not None for plan in shapes.values()) == 6, list(shapes)

    monkeypatch.setattr(views, "prepared_pagination", lambda *args: None)
    general = _pages(admin_client, urls)
    for url, (status, body), (general_status, general_body), (again_status, again_body) in zip(
        urls, kept[: len(urls)], general, kept[len(urls) :], strict=True
    ):
        assert status == general_status == again_status, url
        assert body == general_body == again_body, url
    statuses = dict(zip(_SHAPES, (status for status, _ in general), strict=True))
    assert statuses["?page=9"] == 404
    assert all(status == 200 for query, status in statuses.items() if query != "?page=9")
    bodies = dict(zip(_SHAPES, (body for _, body in general), strict=True))
    assert "message 001 again" in bodies["?user__username=writer001"]
    assert "writer002" not in bodies["?user__username=writer001"].split("<tbody>")[1]
    assert "message 002 again" in bodies["?user__username=writer002"]
    assert "message 001 again" not in bodies["?user__username=writer002"]


def test_list_counts_plainly_and_keeps_the_query_hooks(
    app: Flask, db: Any, auth: Any, models: Any, count_queries: Any
) -> None:
    class OwnMessages(ModelAdmin):
        columns = ("content",)

        def get_query(self) -> Any:  # an app's restriction: only some rows
            return super().get_query().where(models.Message.content.startswith("kept"))

    admin = Admin(app, auth)
    admin.register(models.Message, OwnMessages)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", password="x", active=True, admin=True)
        for i in range(3):
            models.Message.create(user=boss, content=f"kept {i}")
            models.Message.create(user=boss, content=f"withheld {i}")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    for _ in range(2):
        with count_queries() as statements:
            page = client.get("/admin/message/?content__ne=kept+1").get_data(as_text=True)
        body = page.split("<tbody>")[1].split("</tbody>")[0]  # the rows (the filter form shows the value too)
        assert "kept 0" in body
        assert "kept 2" in body
        assert "kept 1" not in body
        assert "withheld" not in body
        counts = [s for s in statements.statements if "COUNT(" in s.upper()]
        assert len(counts) == 1, statements.statements
