"""The list, add, edit and delete views through the test client, on every backend."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin


@pytest.fixture
def messages(app: Flask, admin: Admin, models: Any, superuser: Any, staff: Any) -> list[Any]:
    """Five messages: three by admin, two by staff, with increasing dates."""
    made = []
    with app.app_context():
        for index, (user, content) in enumerate(
            [(superuser, "alpha"), (staff, "bravo"), (superuser, "charlie"), (staff, "delta"), (superuser, "echo")]
        ):
            made.append(
                models.Message.create(user=user, content=content, pub_date=datetime.datetime(2024, 1, 1 + index, 12, 0))
            )
    admin.auth.db.database.close()
    return made


def _rows(text: str, words: list[str]) -> list[str]:
    """``words`` in the order they appear in ``text``."""
    found = [(text.find(f">{w}<"), w) for w in words if f">{w}<" in text]
    return [w for _pos, w in sorted(found)]


def test_list_shows_columns_and_links(admin_client: Any, messages: list[Any]) -> None:
    text = admin_client.get("/admin/message/").get_data(as_text=True)
    assert ">Content</a>" in text
    assert ">Pub Date</a>" in text
    assert f'href="/admin/message/{messages[0].id}/"' in text
    assert 'href="/admin/user/' in text  # the related user links to its admin page
    assert "5 messages" in text


def test_list_sorting(admin_client: Any, messages: list[Any]) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    text = admin_client.get("/admin/message/?ordering=-pub_date").get_data(as_text=True)
    assert _rows(text, words) == list(reversed(words))
    text = admin_client.get("/admin/message/?ordering=content").get_data(as_text=True)
    assert _rows(text, words) == words
    assert 'aria-sort="ascending"' in text


def test_list_filters_like_rest(admin_client: Any, messages: list[Any], staff: Any) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    text = admin_client.get("/admin/message/?user__username=staff").get_data(as_text=True)
    assert _rows(text, words) == ["bravo", "delta"]
    text = admin_client.get("/admin/message/?pub_date__gte=2024-01-03&content__in=alpha,charlie,echo").get_data(
        as_text=True
    )
    assert _rows(text, words) == ["charlie", "echo"]
    # the filter rows are rendered server-side with the current values
    assert 'value="pub_date" data-kind="date"' in text
    assert 'value="2024-01-03"' in text


def test_filter_rows_redirect_to_the_rest_query_string(admin_client: Any, messages: list[Any]) -> None:
    response = admin_client.get(
        "/admin/message/?_ff=user__username&_fo=eq&_fv=staff&_ff=content&_fo=ilike&_fv=b%25&_ff=&_fo=eq&_fv="
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/message/?user__username=staff&content__ilike=b%25"


def test_bad_filter_is_a_form_error_not_a_500(admin_client: Any, messages: list[Any]) -> None:
    for query in ("nosuchfield=1", "pub_date__gte=yesterday", "user__password=x", "ordering=user__password"):
        response = admin_client.get(f"/admin/message/?{query}")
        text = response.get_data(as_text=True)
        assert response.status_code == 200, query
        assert 'class="fp-errors" role="alert"' in text, query
        assert ">alpha<" not in text or "ordering" in query


def test_search_over_related_fields(admin_client: Any, messages: list[Any]) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    text = admin_client.get("/admin/message/?q=STAFF").get_data(as_text=True)
    assert _rows(text, words) == ["bravo", "delta"]
    text = admin_client.get("/admin/message/?q=arl").get_data(as_text=True)
    assert _rows(text, words) == ["charlie"]
    text = admin_client.get("/admin/message/?q=%25").get_data(as_text=True)
    assert _rows(text, words) == []


def test_pagination(app: Flask, admin_client: Any, models: Any, admin: Admin) -> None:
    with app.app_context():
        models.Note.insert_many([{"message": f"note {i:02d}"} for i in range(25)]).execute()
    admin.auth.db.database.close()
    first = admin_client.get("/admin/note/").get_data(as_text=True)
    second = admin_client.get("/admin/note/?page=2").get_data(as_text=True)
    assert "note 00" in first
    assert "note 20" not in first
    assert "note 20" in second
    assert "Page 2 of 2" in second
    assert admin_client.get("/admin/note/?page=3").status_code == 404
    assert "note 00" in admin_client.get("/admin/note/?page=abc").get_data(as_text=True)


def test_add_with_save_and_add_another(admin_client: Any, app: Flask, models: Any, csrf: Any) -> None:
    token = csrf(admin_client, "/admin/note/add/")
    response = admin_client.post(
        "/admin/note/add/",
        data={
            "csrf_token": token,
            "message": "first",
            "created-date": "2024-05-01",
            "created-time": "09:30",
            "_addanother": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/note/add/"
    page = admin_client.get("/admin/note/add/").get_data(as_text=True)
    assert "was added." in page
    with app.app_context():
        note = models.Note.get()
        assert note.message == "first"
        assert note.created == datetime.datetime(2024, 5, 1, 9, 30)


def test_add_with_bad_input_shows_field_errors(admin_client: Any, app: Flask, models: Any, csrf: Any) -> None:
    token = csrf(admin_client, "/admin/message/add/")
    response = admin_client.post(
        "/admin/message/add/",
        data={"csrf_token": token, "content": "", "user": "999", "pub_date-date": "not a date"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the errors below." in text
    assert "Not a valid choice." in text
    assert "This field is required." in text
    with app.app_context():
        assert models.Message.select().count() == 0


def test_edit_and_save_and_continue(admin_client: Any, app: Flask, messages: list[Any], version: Any) -> None:
    message = messages[0]
    url = f"/admin/message/{message.id}/"
    token, current = version(admin_client, url)
    response = admin_client.post(
        url,
        data={
            "csrf_token": token,
            "_fp_version": current,
            "user": str(message.user_id),
            "content": "alpha edited",
            "pub_date-date": "2024-01-01",
            "pub_date-time": "12:00",
            "_continue": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    page = admin_client.get(url).get_data(as_text=True)
    assert "was saved." in page
    assert "alpha edited" in page
    assert 'href="/admin/message/">Message</a>' in page  # breadcrumbs


def test_edit_refused_when_changed_meanwhile(
    admin_client: Any, app: Flask, models: Any, messages: list[Any], version: Any
) -> None:
    message = messages[0]
    url = f"/admin/message/{message.id}/"
    token, opened = version(admin_client, url)
    with app.app_context():
        models.Message.update(content="changed by someone else").where(models.Message.id == message.id).execute()
    response = admin_client.post(
        url,
        data={
            "csrf_token": token,
            "_fp_version": opened,
            "user": str(message.user_id),
            "content": "mine",
            "pub_date-date": "2024-01-01",
            "pub_date-time": "12:00",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this object" in text
    assert "changed by someone else" in text
    with app.app_context():
        assert models.Message.get_by_id(message.id).content == "changed by someone else"


def test_posts_without_csrf_token_are_refused(admin_client: Any, app: Flask, models: Any, messages: list[Any]) -> None:
    message = messages[0]
    response = admin_client.post(
        f"/admin/message/{message.id}/", data={"content": "forged", "user": str(message.user_id)}
    )
    assert response.status_code == 400
    assert admin_client.post("/admin/note/add/", data={"message": "forged"}).status_code == 400
    assert admin_client.post("/admin/message/delete/", data={"id": str(message.id)}).status_code == 400
    response = admin_client.post(
        "/admin/note/add/", data={"message": "forged"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert models.Message.get_by_id(message.id).content == "alpha"
        assert models.Note.select().count() == 0


def test_every_form_carries_a_csrf_token(admin_client: Any, messages: list[Any]) -> None:
    for url in (
        "/admin/message/",
        "/admin/message/add/",
        f"/admin/message/{messages[0].id}/",
        f"/admin/message/delete/?id={messages[0].id}",
        "/admin/",
    ):
        text = admin_client.get(url).get_data(as_text=True)
        assert text.count('method="post"') == text.count('name="csrf_token"'), url


def test_delete_shows_dependents_then_deletes_in_one_transaction(
    admin_client: Any, app: Flask, models: Any, messages: list[Any], staff: Any, csrf: Any
) -> None:
    url = f"/admin/user/delete/?id={staff.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Message (deleted)" in page
    assert "staff: bravo" in page
    assert "Note" not in page or "Note (" not in page
    token = csrf(admin_client, url)
    response = admin_client.post("/admin/user/delete/", data={"csrf_token": token, "id": str(staff.id)})
    assert response.status_code == 302
    with app.app_context():
        assert models.User.select().where(models.User.id == staff.id).count() == 0
        assert models.Message.select().count() == 3


def test_delete_without_selection_shows_an_empty_page(admin_client: Any, admin: Admin, csrf: Any) -> None:
    # the original answered a GET without ids with its (empty) confirmation page
    for url in ("/admin/note/delete/", "/admin/note/delete/?id=abc"):
        response = admin_client.get(url)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "No objects are selected" in text
        assert "Yes, delete" not in text
    token = csrf(admin_client, "/admin/note/add/")
    response = admin_client.post("/admin/note/delete/", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/note/"


def test_delete_context_is_the_original_shape(
    admin_client: Any, app: Flask, models: Any, messages: list[Any], superuser: Any, staff: Any
) -> None:
    from flask import template_rendered

    contexts: list[dict[str, Any]] = []

    def record(sender: Any, template: Any, context: dict[str, Any], **extra: Any) -> None:
        contexts.append(context)

    with app.app_context():
        note = models.Note.create(user=staff, message="note of staff")  # nullable key: unlinked, not deleted
    with template_rendered.connected_to(record, app):
        page = admin_client.get(f"/admin/user/delete/?id={staff.id}&id={superuser.id}").get_data(as_text=True)
    context = contexts[-1]
    assert [u.username for u in context["query"]] == ["admin", "staff"]
    staff_messages = [m for m in messages if m.user_id == staff.id]
    assert context["collected"][staff.id] == [(0, models.Message, staff_messages)]
    assert context["collected"][superuser.id] == [
        (0, models.Message, [m for m in messages if m.user_id == superuser.id])
    ]
    assert "Note (unlinked)" in page  # the nullable key is shown apart
    assert note.message in page


def test_save_without_a_button_name_goes_to_the_edit_page(
    admin_client: Any, app: Flask, models: Any, csrf: Any
) -> None:
    token = csrf(admin_client, "/admin/note/add/")
    data = {"csrf_token": token, "message": "plain", "created-date": "2024-05-01", "created-time": "09:30"}
    response = admin_client.post("/admin/note/add/", data=data)
    with app.app_context():
        note = models.Note.get(models.Note.message == "plain")
    assert response.headers["Location"] == f"/admin/note/{note.id}/"  # as the original's default
    response = admin_client.post("/admin/note/add/", data={**data, "_save": ""})
    assert response.headers["Location"] == "/admin/note/"
    response = admin_client.post("/admin/note/add/", data={**data, "save": ""})  # the original's button name
    assert response.headers["Location"] == "/admin/note/"


def test_escaping_and_markup(app: Flask, db: Any, auth: Any, models: Any, csrf: Any) -> None:
    from markupsafe import Markup

    from flask_peewee.admin import ModelAdmin
    from flask_peewee.auth.testing import log_in

    class NoteAdmin(ModelAdmin):
        columns = ("message", "shout", "badge")

    def shout(note: Any) -> str:
        return note.message.upper()

    models.Note.badge = lambda self: Markup("<strong>ok</strong>")
    NoteAdmin.columns = ("message", shout, "badge")
    admin = Admin(app, auth)
    admin.register(models.Note, NoteAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        models.Note.create(message="<script>alert(1)</script>")
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    text = client.get("/admin/note/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;" in text
    assert "<strong>ok</strong>" in text
    assert re.search(r'<th scope="col">\s*Shout\s*</th>', text)
    edit = client.get("/admin/note/1/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in edit


HUGE = "99999999999999999999"  # past 64 bits: no integer key column can hold it


def test_keys_a_column_cannot_hold_match_nothing(
    admin_client: Any, app: Flask, models: Any, superuser: Any, csrf: Any
) -> None:
    with app.app_context():
        note = models.Note.create(message="keep me", user=superuser)
        models.Message.create(user=superuser, content="keep me too")
    for pk in (HUGE, "abc", "-1", "1.5"):
        assert admin_client.get(f"/admin/note/{pk}/").status_code == 404
        assert admin_client.get(f"/admin/note/{pk}/history/").status_code == 404
    empty = admin_client.get(f"/admin/note/delete/?id={HUGE}")
    assert empty.status_code == 200
    assert "No objects are selected" in empty.get_data(as_text=True)
    token = csrf(admin_client, "/admin/note/")
    for url, data in (
        ("/admin/note/delete/", {"id": [HUGE, "abc"]}),
        ("/admin/note/action/", {"action": "delete", "id": [HUGE], "_confirm": "1"}),
    ):
        assert admin_client.post(url, data={"csrf_token": token, **data}).status_code == 302
    # a key among good ones is left out; the good ones still count
    page = admin_client.get(f"/admin/note/delete/?id={HUGE}&id={note.id}").get_data(as_text=True)
    assert "keep me" in page
    # a foreign key the column cannot hold is a field error, in a select and in the lookup dialog
    for url, data, bad in (
        (url, data, bad)
        for bad in (HUGE, "abc")
        for url, data in (
            ("/admin/note/add/", {"message": "x"}),
            ("/admin/message/add/", {"content": "x"}),
            (f"/admin/note/{note.id}/", {"message": "x"}),
        )
    ):
        response = admin_client.post(url, data={"csrf_token": csrf(admin_client, url), "user": bad, **data})
        assert response.status_code == 200
        assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert models.Note.select().count() == 1
        assert models.Note.get_by_id(note.id).message == "keep me"
        assert models.Message.select().count() == 1


def test_list_context_query_is_the_originals_paginated_query(
    admin_client: Any, app: Flask, messages: list[Any]
) -> None:
    from flask import template_rendered

    contexts: list[dict[str, Any]] = []
    with template_rendered.connected_to(lambda sender, template, context, **kw: contexts.append(context), app):
        admin_client.get("/admin/message/?ordering=content")
    context = contexts[-1]
    page = context["query"].get_list()
    assert page.count() == 5  # a query, as the original's get_list() gave
    assert [m.content for m in page] == ["alpha", "bravo", "charlie", "delta", "echo"]
    assert context["query"].get_page() == 1
    assert context["ordering"] == "content"
    assert context["active_filters"] == []


def test_a_blank_date_and_time_of_a_required_column_is_an_error_not_a_500(
    admin_client: Any, app: Flask, models: Any, superuser: Any, csrf: Any
) -> None:
    token = csrf(admin_client, "/admin/message/add/")
    data = {"csrf_token": token, "user": str(superuser.id), "content": "x", "pub_date-date": "", "pub_date-time": ""}
    response = admin_client.post("/admin/message/add/", data=data)
    assert response.status_code == 200
    assert "Pub Date: This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert models.Message.select().count() == 0
