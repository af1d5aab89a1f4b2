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
    assert "admin-crux.css" not in page  # no such theme shipped: no broken stylesheet link


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
