"""The docs' Photo example: a custom get_form with a FileField, save_model storing the file, a Markup column."""

from __future__ import annotations

import io
import os
from typing import Any

import peewee
import pytest
from flask import Flask, request
from markupsafe import Markup
from werkzeug.utils import secure_filename
from wtforms.fields import FileField, HiddenField
from wtforms.form import Form

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in


@pytest.fixture
def photo_app(app: Flask, db: Any, auth: Any, tmp_path: Any) -> Any:
    app.config["MEDIA_ROOT"] = str(tmp_path)
    app.config["MEDIA_URL"] = "/media/"

    class Photo(db.Model):
        image = peewee.CharField()

        def __str__(self) -> str:
            return self.image

        def save_image(self, file_obj: Any) -> None:
            self.image = secure_filename(file_obj.filename)
            full_path = os.path.join(app.config["MEDIA_ROOT"], self.image)
            file_obj.save(full_path)
            self.save()

        def url(self) -> str:
            return os.path.join(app.config["MEDIA_URL"], self.image)

        def thumb(self) -> Markup:
            return Markup('<img src="%s" style="height: 80px;" />' % self.url())  # noqa: S704, UP031 - the docs' example

    class PhotoAdmin(ModelAdmin):
        columns = ["image", "thumb"]

        def get_form(self, adding: bool = False) -> Any:
            class PhotoForm(Form):
                image = HiddenField()
                image_file = FileField("Image file")

            return PhotoForm

        def save_model(self, instance: Any, form: Any, adding: bool = False) -> Any:
            instance = super().save_model(instance, form, adding)
            if "image_file" in request.files:
                file = request.files["image_file"]
                instance.save_image(file)
            return instance

    admin = Admin(app, auth)
    admin.register(Photo, PhotoAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client, Photo, tmp_path


def test_photo_upload_as_in_the_docs(photo_app: Any, app: Flask, csrf: Any) -> None:
    client, photo_model, media = photo_app
    form = client.get("/admin/photo/add/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in form
    data = {
        "csrf_token": csrf(client, "/admin/photo/add/"),
        "image": "",
        "image_file": (io.BytesIO(b"PNGDATA"), "my cat.png"),
    }
    response = client.post("/admin/photo/add/", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert (media / "my_cat.png").read_bytes() == b"PNGDATA"
    with app.app_context():
        assert photo_model.get().image == "my_cat.png"
    listing = client.get("/admin/photo/").get_data(as_text=True)
    assert '<img src="/media/my_cat.png" style="height: 80px;" />' in listing
