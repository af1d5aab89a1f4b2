"""The original 4.0.1 example app's admin.py and admin templates, as written, on this admin (crawled)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import peewee
import pytest
from flask import Flask, redirect, request
from jinja2 import ChoiceLoader, DictLoader

from flask_peewee.admin import Admin, AdminPanel, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.filters import QueryFilter
from tests.conftest import csrf_of, make_user

# example/templates/admin/notes.html and user_stats.html of the original, unchanged
TEMPLATES = {
    "admin/notes.html": """{% extends "admin/panels/default.html" %}

{% block panel_content %}
  {% for note in note_list %}
    <p>{{ note.user.username }}: {{ note.message }}</p>
  {% endfor %}
  <form method="post" action="{{ url_for(panel.get_url_name('create')) }}">
    <input type="hidden" value="{{ request.url }}" />
    <p><textarea name="message" class="form-control"></textarea></p>
    <button type="submit" class="btn btn-secondary btn-sm">Save</button>
  </form>
{% endblock %}
""",
    "admin/user_stats.html": """{% extends "admin/panels/default.html" %}

{% block panel_content %}
  <p>New users this week: {{ signups }}</p>
  <p>Messages this week: {{ messages }}</p>
{% endblock %}
""",
}


@pytest.fixture
def example(app: Flask, db: Any, auth: Any) -> Any:
    app.jinja_loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_loader])
    User = auth.User

    class Relationship(db.Model):
        from_user = peewee.ForeignKeyField(User, backref="relationships")
        to_user = peewee.ForeignKeyField(User, backref="related_to")

        def __str__(self) -> str:
            return f"Relationship from {self.from_user} to {self.to_user}"

    class Message(db.Model):
        user = peewee.ForeignKeyField(User)
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(default=datetime.datetime.now)

        def __str__(self) -> str:
            return f"{self.user}: {self.content}"

    class Note(db.Model):
        user = peewee.ForeignKeyField(User)
        message = peewee.TextField()
        status = peewee.IntegerField(choices=((1, "live"), (2, "deleted")), null=True)
        created_date = peewee.DateTimeField(default=datetime.datetime.now)

    # -- example/admin.py, as written (bar the imports of its own modules) --------------
    assert QueryFilter  # the example imports it

    class NotePanel(AdminPanel):
        template_name = "admin/notes.html"

        def get_urls(self) -> Any:
            return (("/create/", self.create),)

        def create(self) -> Any:
            if request.method == "POST":  # noqa: SIM102 - as the example wrote it
                if request.form.get("message"):
                    Note.create(user=auth.get_logged_in_user(), message=request.form["message"])
            next = request.form.get("next") or self.dashboard_url()
            return redirect(next)

        def get_context(self) -> dict[str, Any]:
            notes = Note.select().order_by(Note.created_date.desc()).paginate(1, 3)
            return {"note_list": notes}

    class UserStatsPanel(AdminPanel):
        template_name = "admin/user_stats.html"

        def get_context(self) -> dict[str, Any]:
            last_week = datetime.datetime.now() - datetime.timedelta(days=7)
            signups_this_week = User.select().where(User.join_date > last_week).count()
            messages_this_week = Message.select().where(Message.pub_date > last_week).count()
            return {"signups": signups_this_week, "messages": messages_this_week}

    admin = Admin(app, auth, branding="Example Site")  # , theme='crux')

    class MessageAdmin(ModelAdmin):
        columns = ("user", "content", "pub_date")
        foreign_key_lookups = {"user": "username"}
        filter_fields = ("user", "content", "pub_date", "user__username")
        search_fields = ("content", "user__username")

    class NoteAdmin(ModelAdmin):
        columns = ("user", "message", "created_date")
        exclude = ("created_date",)

    class UserAdmin(ModelAdmin):
        search_fields = ("username", "email")

    auth.register_admin(admin, UserAdmin)
    admin.register(Relationship)
    admin.register(Message, MessageAdmin)
    admin.register(Note, NoteAdmin)
    admin.register_panel("Notes", NotePanel)
    admin.register_panel("User stats", UserStatsPanel)
    # -- end of example/admin.py; the example's main.py calls admin.setup() ----------
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "admin", admin=True)
    alice = make_user(app, auth, "alice")
    with app.app_context():
        Relationship.create(from_user=alice, to_user=boss)
        Message.create(user=alice, content="hello from alice")
        Note.create(user=boss, message="first note", status=1)
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client, Message, Note


def test_the_original_example_admin_runs_unchanged(example: Any, app: Flask) -> None:
    client, _message, note_model = example
    dashboard = client.get("/admin/")
    page = dashboard.get_data(as_text=True)
    assert dashboard.status_code == 200
    assert "Example Site" in page
    assert "admin: first note" in page
    assert "New users this week: 2" in page
    assert "Messages this week: 1" in page
    for name in ("user", "relationship", "message", "note"):
        for suffix in ("", "add/", "1/", "export/", "export/?_format=json"):
            response = client.get(f"/admin/{name}/{suffix}")
            assert response.status_code == 200, (name, suffix, response.status_code)
            if suffix.endswith("json"):
                assert json.loads(response.get_data(as_text=True))
    listing = client.get("/admin/message/?q=alice&user__username=alice").get_data(as_text=True)
    assert "hello from alice" in listing
    assert "Relationship from alice to admin" in client.get("/admin/relationship/").get_data(as_text=True)
    note_form = client.get("/admin/note/add/").get_data(as_text=True)
    assert 'name="created_date"' not in note_form  # NoteAdmin.exclude
    assert re.search(r'<option[^>]*value="1"[^>]*>live</option>', note_form)
    created = client.post("/admin/notes/create/", data={"message": "from the panel"})
    assert created.status_code == 302
    assert created.headers["Location"] == "/admin/"
    assert "admin: from the panel" in client.get("/admin/").get_data(as_text=True)
    token = csrf_of(client, "/admin/note/add/")
    saved = client.post(
        "/admin/note/add/", data={"csrf_token": token, "user": "1", "message": "via form", "status": "2"}
    )
    assert saved.status_code == 302
    with app.app_context():
        assert note_model.select().where(note_model.message == "via form", note_model.status == 2).count() == 1
