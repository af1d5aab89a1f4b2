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


def test_german_group_errors(app: Flask, site: Any) -> None:
    """The refusals of auth's group methods (English there, for the CLI) read German on the admin's pages."""
    Babel(app, locale_selector=lambda: "de")
    client = site
    _post(client, "/admin/groups/", name="editors")
    empty = _post(client, "/admin/groups/", name="   ").get_data(as_text=True)
    assert "Der Gruppenname darf nicht leer sein." in empty
    taken = _post(client, "/admin/groups/", name="editors").get_data(as_text=True)
    assert "Eine Gruppe namens &#39;editors&#39; gibt es bereits." in taken
    long = _post(client, "/admin/groups/", name="x" * 151).get_data(as_text=True)
    assert "Der Gruppenname darf höchstens 150 Zeichen lang sein." in long
    _post(client, "/admin/groups/", name="writers")
    renamed = _post(client, "/admin/groups/2/", do="edit", name="editors", description="").get_data(as_text=True)
    assert "Eine Gruppe namens &#39;editors&#39; gibt es bereits." in renamed
    described = _post(client, "/admin/groups/2/", do="edit", name="writers", description="d" * 256)
    assert "Die Beschreibung darf höchstens 255 Zeichen lang sein" in described.get_data(as_text=True)
    assert "already exists" not in taken + renamed


def test_group_errors_stay_english_without_a_locale(site: Any) -> None:
    taken = _post(site, "/admin/groups/", name="editors")
    again = _post(site, "/admin/groups/", name="editors").get_data(as_text=True)
    assert taken.status_code == 200
    assert "A group named &#39;editors&#39; already exists." in again


def _upload(client: Any, content: bytes, name: str) -> str:
    url = "/admin/document/add/"
    data = {"csrf_token": form_csrf_token(client, url), "_save": "1", "scan": (io.BytesIO(content), name)}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200  # the form again, with the error; nothing stored
    return response.get_data(as_text=True)


def test_german_upload_refusals(app: Flask, site: Any) -> None:
    """utils' UploadError (English, for the REST API) is shown translated under the file field."""
    Babel(app, locale_selector=lambda: "de")
    client = site
    unknown = _upload(client, b"just some words, not an image", "a.png")
    assert "Der Dateityp wurde nicht erkannt; erlaubt sind: image/jpeg, image/png, image/gif, image/webp." in unknown
    assert "not recognised" not in unknown
    markup = _upload(client, b"GIF89a<script>alert(1)</script>", "a.gif")
    assert "Die Datei enthält HTML- oder Skript-Code: abgelehnt." in markup
    app.config["FLASK_PEEWEE_UPLOADS_MAX_SIZE"] = 1000
    image = io.BytesIO()
    Image.effect_noise((64, 64), 100).save(image, "PNG")
    too_large = _upload(client, image.getvalue(), "noise.png")
    assert "Die Datei ist zu groß (höchstens 1.000 Bytes)." in too_large  # the limit written the German way


def test_upload_error_keeps_its_template_and_params() -> None:
    from flask_peewee.admin._uploads import UPLOAD_MESSAGES as TRANSLATED
    from flask_peewee.utils.internal import UPLOAD_MESSAGES
    from flask_peewee.utils.uploads import UploadError

    error = UploadError("The file is too large (limit %(limit)s bytes).", 413, params={"limit": 5})
    assert str(error) == error.message == "The file is too large (limit 5 bytes)."
    assert (error.template, error.params, error.status) == (
        "The file is too large (limit %(limit)s bytes).",
        {"limit": 5},
        413,
    )
    assert set(UPLOAD_MESSAGES) <= TRANSLATED  # every refusal of utils has its entry in the admin's catalogue
