"""Compatibility with apps of the original flask-peewee: ``Admin`` arguments, the original's names."""

from __future__ import annotations

from typing import Any

from flask import Flask

from flask_peewee.admin import Admin
from flask_peewee.auth.testing import log_in
from tests.conftest import make_user


def test_branding_shows_in_title_and_header(app: Flask, db: Any, auth: Any, models: Any) -> None:
    admin = Admin(app, auth, branding="Example <Site>", theme="crux")
    admin.register(models.Note)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, boss)
    for url in ("/admin/", "/admin/note/", "/admin/note/add/"):
        page = client.get(url).get_data(as_text=True)
        assert "&middot; Example &lt;Site&gt;</title>" in page, url
        assert '<a class="fp-brand" href="/admin/">Example &lt;Site&gt;</a>' in page, url
    assert admin.branding == "Example <Site>"
    assert admin.theme == "crux"
    assert "css/admin.css" in page
    assert "/admin/static/css/admin-crux.css" in page  # the theme's stylesheet, after the base one
    assert page.index("css/admin.css") < page.index("css/admin-crux.css")
    with client.get("/admin/static/css/admin-crux.css") as css:
        assert css.status_code == 200  # crisp and crux are shipped, as in the original


def test_theme_links_any_name_and_none_by_default(app: Flask, db: Any, auth: Any, models: Any) -> None:
    admin = Admin(app, auth)
    admin.register(models.Note)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, boss)
    page = client.get("/admin/").get_data(as_text=True)
    assert "css/admin.css" in page
    assert "css/admin-" not in page
    admin.theme = "plastic"  # the original links any theme name, shipped or not
    assert "css/admin-plastic.css" in client.get("/admin/").get_data(as_text=True)


def test_default_branding_and_original_positional_prefix(app: Flask, db: Any, auth: Any, models: Any) -> None:
    admin = Admin(app, auth, "/backend", "backend")  # the original's order: (app, auth, prefix, name)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, boss)
    page = client.get("/backend/").get_data(as_text=True)
    assert "&middot; flask-peewee</title>" in page
    assert admin.blueprint.name == "backend"


def test_template_helpers_title_case_like_the_original(admin: Admin, models: Any) -> None:
    assert admin.fix_underscores("some_model") == "Some Model"
    assert admin.fix_underscores("test") == "Test"
    assert admin.get_verbose_name(models.Message, "pub_date") == "Pub Date"
    assert admin.get_verbose_name(models.Message, "some_field") == "Some Field"  # not a field: still readable


def test_model_admins_and_panels_are_ordered_by_name(app: Flask, admin: Admin, models: Any, superuser: Any) -> None:
    # registered Note, Message, then the user model: listed by their URL names, as the original did
    assert [ma.get_admin_name() for ma in admin.get_model_admins()] == ["message", "note", "user"]
    client = app.test_client()
    log_in(client, superuser)
    page = client.get("/admin/").get_data(as_text=True)
    positions = [page.index(f'href="/admin/{name}/"') for name in ("message", "note", "user")]
    assert positions == sorted(positions)
