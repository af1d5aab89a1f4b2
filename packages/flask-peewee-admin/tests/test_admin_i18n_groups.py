"""The groups panel and the upload control in the user's language (the admin's own catalogue)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import Image

from flask_peewee.admin import Admin, GroupsPanel, ModelAdmin
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import create_user, form_csrf_token, log_in
from flask_peewee.db import Database
from flask_peewee.utils.uploads import ImageField, LocalStorage

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def site(app: Flask, db: Database, auth: Auth, models: Any, tmp_path: Path) -> Any:
    class Document(db.Model):
        scan = ImageField(storage=LocalStorage(tmp_path / "media"), null=True)

    admin = Admin(app, auth)
    admin.register(models.Note)
    admin.register(Document, ModelAdmin)
    auth.register_admin(admin)
    admin.register_panel("Groups", GroupsPanel)
    admin.setup()
    db.create_tables()
    db.database.close()
    client = app.test_client()
    log_in(client, create_user(app, auth, "boss", "secret", admin=True))
    create_user(app, auth, "staff", "secret")
    return client


def _post(client: Any, url: str, **data: Any) -> Any:
    data.setdefault("csrf_token", form_csrf_token(client, url))
    return client.post(url, data=data, follow_redirects=True)


def test_german_groups_pages_and_messages(app: Flask, site: Any) -> None:
    Babel(app, locale_selector=lambda: "de")
    client = site
    assert "Gruppen und Berechtigungen verwalten" in client.get("/admin/").get_data(as_text=True)
    created = _post(client, "/admin/groups/", name="editors").get_data(as_text=True)
    assert "Die Gruppe editors wurde angelegt." in created
    assert ">Mitglied hinzufügen</label>" in created
    added = _post(client, "/admin/groups/1/", do="add_member", username="staff").get_data(as_text=True)
    assert "staff wurde zu editors hinzugefügt." in added
    missing = _post(client, "/admin/groups/1/", do="add_member", username="nobody").get_data(as_text=True)
    assert "Kein Benutzer namens &#39;nobody&#39;." in missing
    assert "1 Mitglied" in client.get("/admin/").get_data(as_text=True)


def test_spanish_upload_control(app: Flask, site: Any) -> None:
    Babel(app, locale_selector=lambda: "es")
    client = site
    url = "/admin/document/add/"
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    image.seek(0)
    data = {"csrf_token": form_csrf_token(client, url), "_save": "1", "scan": (image, "a.png")}
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    page = client.get("/admin/document/1/").get_data(as_text=True)
    assert "Archivo actual:" in page
    assert ">Quitar</label>" in page
    assert "Elija un archivo para sustituir el actual." in page
