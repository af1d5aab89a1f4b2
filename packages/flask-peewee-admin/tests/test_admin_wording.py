"""The admin's wording: counts in proper singular and plural, edit headings, one label rule for a field."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import ModelAdmin
from flask_peewee.admin._helpers import english_plural


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Message", "Messages"),
        ("Category", "Categories"),
        ("Day", "Days"),
        ("Box", "Boxes"),
        ("Blog entry", "Blog entries"),
    ],
)
def test_english_plural(name: str, plural: str) -> None:
    assert english_plural(name) == plural


def test_counts_and_headings_read_as_english(
    app: Flask, admin: Any, models: Any, admin_client: Any, superuser: Any, csrf: Any
) -> None:
    with app.app_context():
        messages = [models.Message.create(user=superuser, content=f"m{i}") for i in range(7)]
    admin.auth.db.database.close()
    assert '<p class="fp-count">7 messages</p>' in admin_client.get("/admin/message/").get_data(as_text=True)
    one = admin_client.get("/admin/message/?content=m3").get_data(as_text=True)
    assert '<p class="fp-count">1 message</p>' in one
    confirm = admin_client.get(f"/admin/message/delete/?id={messages[0].id}").get_data(as_text=True)
    assert "Delete 1 message?" in confirm
    edit = admin_client.get(f"/admin/message/{messages[1].id}/").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", edit, re.S).group(1)  # type: ignore[union-attr]
    assert html.unescape(re.sub(r"<[^>]+>", "", heading)).split() == ["Change", "message", "\u2013", "admin:", "m1"]
    assert "message:" not in heading
    token = csrf(admin_client, "/admin/message/")
    done = admin_client.post(
        "/admin/message/delete/", data={"csrf_token": token, "id": [str(m.id) for m in messages[:2]], "confirm": "1"}
    )
    assert done.status_code == 302
    assert "Deleted 2 messages." in admin_client.get("/admin/message/").get_data(as_text=True)


def test_verbose_name_plural_is_used_in_counts(app: Flask, admin: Any, models: Any) -> None:
    class PersonAdmin(ModelAdmin):
        verbose_name_plural = "People"

    with app.test_request_context():
        people = PersonAdmin(admin, models.User)
        assert people.count_label(1) == "1 user"
        assert people.count_label(0) == "0 people"
        assert people.count_label(3) == "3 people"


def test_a_field_has_one_label_in_the_form_list_filters_export_and_history(
    app: Flask, admin: Any, models: Any, admin_client: Any, superuser: Any
) -> None:
    with app.app_context():
        message = models.Message.create(user=superuser, content="x")
    admin.auth.db.database.close()
    listing = admin_client.get("/admin/message/").get_data(as_text=True)
    form = admin_client.get(f"/admin/message/{message.id}/").get_data(as_text=True)
    export = admin_client.get("/admin/message/export/").get_data(as_text=True)
    assert '<a href="?ordering=pub_date">Pub Date</a>' in listing
    assert re.search(r'<option value="pub_date"[^>]*>Pub Date</option>', listing)
    assert '<span class="fp-label" id="pub_date-label">Pub Date</span>' in form
    assert '<label for="fp-export-pub_date">Pub Date</label>' in export
    assert "Pub date" not in listing + form + export


def test_the_filter_rows_select_button_is_rendered_hidden_except_for_foreign_keys(
    app: Flask, admin: Any, models: Any, admin_client: Any
) -> None:
    page = admin_client.get("/admin/message/").get_data(as_text=True)
    buttons = re.findall(r"<button [^>]*fp-filter-lookup[^>]*>", page)
    assert buttons  # the empty row and the template's row
    assert all(" hidden" in b for b in buttons)
    filtered = admin_client.get("/admin/message/?user=1&content__ilike=x").get_data(as_text=True)
    rows = re.findall(r'data-lookup-field="([^"]*)"[^>]*?( hidden)?>Select', filtered)
    assert ("user", "") in rows
    assert ("content", " hidden") in rows
