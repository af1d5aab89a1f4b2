"""AdminPanel: the docs' NotePanel and its template as written, protection of panel views."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, redirect, request

from flask_peewee.admin import Admin, AdminPanel
from flask_peewee.auth.testing import log_in

NOTES_TEMPLATE = """{% extends "admin/panels/default.html" %}

{% block panel_content %}
  {% for note in note_list %}
    <p>{{ note.user.username }}: {{ note.message }}</p>
  {% endfor %}
  <form method="post" action="{{ url_for(panel.get_url_name('create')) }}">
    <input type="hidden" value="{{ request.url }}" />
    <p><textarea name="message"></textarea></p>
    <p><button type="submit" class="btn small">Save</button></p>
  </form>
{% endblock %}
"""


@pytest.fixture
def panel_app(app: Flask, db: Any, auth: Any, models: Any, tmp_path: Any) -> Any:
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([DictLoader({"admin/notes.html": NOTES_TEMPLATE}), app.jinja_loader])
    Note = models.Note

    class NotePanel(AdminPanel):
        template_name = "admin/notes.html"

        def get_urls(self) -> Any:
            return (("/create/", self.create),)

        def create(self) -> Any:
            if request.method == "POST" and request.form.get("message"):
                Note.create(user=auth.get_logged_in_user(), message=request.form["message"])
            next = request.form.get("next") or self.dashboard_url()
            return redirect(next)

        def get_context(self) -> dict[str, Any]:
            return {"note_list": Note.select().order_by(Note.created.desc()).limit(3)}

    admin = Admin(app, auth)
    admin.register(Note)
    panel = admin.register_panel("Notes", NotePanel)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client, panel, Note


def test_note_panel_as_in_the_docs(panel_app: Any, app: Flask) -> None:
    client, panel, _note_model = panel_app
    with app.test_request_context():
        assert panel.get_url_name("create") == "admin.panel_notes_create"
        assert panel.dashboard_url() == "/admin/"
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'action="/admin/notes/create/"' in dashboard
    assert ">Notes</h2>" in dashboard
    response = client.post("/admin/notes/create/", data={"message": "remember <the milk>"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "boss: remember &lt;the milk&gt;" in dashboard


def test_panel_views_refuse_cross_site_posts(panel_app: Any, app: Flask) -> None:
    client, _panel, note_model = panel_app
    response = client.post("/admin/notes/create/", data={"message": "forged"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response = client.post(
        "/admin/notes/create/", data={"message": "forged"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    same = client.post("/admin/notes/create/", data={"message": "ok"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 302
    with app.app_context():
        assert [n.message for n in note_model.select()] == ["ok"]


def test_panel_views_need_login_and_permission(panel_app: Any, app: Flask, auth: Any) -> None:
    anonymous = app.test_client()
    response = anonymous.post("/admin/notes/create/", data={"message": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    with app.app_context():
        plain = auth.User.create(username="plain", email="", admin=False, active=True, password="x")
    other = app.test_client()
    log_in(other, plain)
    assert other.post("/admin/notes/create/", data={"message": "x"}).status_code == 403


def test_panel_template_can_add_a_token(app: Flask, db: Any, auth: Any, models: Any) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    template = (
        '{% extends "admin/panels/default.html" %}'
        '{% block panel_content %}<form method="post">{{ csrf_field() }}</form>{% endblock %}'
    )
    app.jinja_loader = ChoiceLoader([DictLoader({"admin/hello.html": template}), app.jinja_loader])

    class HelloPanel(AdminPanel):
        template_name = "admin/hello.html"

    admin = Admin(app, auth)
    admin.register_panel("Hello world", HelloPanel)
    admin.setup()
    with app.app_context():
        auth.User.create_table(safe=True)
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    text = client.get("/admin/").get_data(as_text=True)
    assert text.count('name="csrf_token"') == 2  # the panel's form and the logout form
    assert ">Hello world</h2>" in text
