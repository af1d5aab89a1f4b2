"""Query counts: a page of the list costs the same number of queries whatever its size."""

from __future__ import annotations

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
