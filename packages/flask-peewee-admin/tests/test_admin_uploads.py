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


def _upload(client: Any, csrf: Any, size: int, **kwargs: Any) -> Any:
    data = {
        "csrf_token": csrf(client, "/admin/photo/add/"),
        "image": "",
        "image_file": (io.BytesIO(b"x" * size), f"{size}.png"),
    }
    return client.post("/admin/photo/add/", data=data, content_type="multipart/form-data", **kwargs)


@pytest.mark.parametrize(("app_limit", "own_limit"), [(2000, 5000), (5000, 2000), (None, 2000), (2000, None)])
def test_the_smaller_body_limit_wins(photo_app: Any, app: Flask, csrf: Any, app_limit: Any, own_limit: Any) -> None:
    client, photo_model, media = photo_app
    admin = app.extensions["flask_peewee.admin"]["admin"]
    if app_limit is not None:
        app.config["MAX_CONTENT_LENGTH"] = app_limit
    admin.max_body_size = own_limit  # None: only MAX_CONTENT_LENGTH limits the admin
    refused = _upload(client, csrf, 2500)
    assert refused.status_code == 413
    assert "larger than the admin accepts (2000 bytes)" in refused.get_data(as_text=True)
    assert _upload(client, csrf, 1000).status_code == 302
    assert sorted(p.name for p in media.glob("*.png")) == ["1000.png"]  # the refused upload wrote nothing
    with app.app_context():
        assert [p.image for p in photo_model.select()] == ["1000.png"]


def test_a_body_limit_change_takes_effect_at_once(photo_app: Any, app: Flask, csrf: Any) -> None:
    client, _photo_model, _media = photo_app
    admin = app.extensions["flask_peewee.admin"]["admin"]
    assert admin.max_body_size == 16 * 1024 * 1024  # the admin's own default
    assert _upload(client, csrf, 3000).status_code == 302
    app.config["MAX_CONTENT_LENGTH"] = 2000
    assert _upload(client, csrf, 3000).status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = None
    admin.max_body_size = 2000
    assert _upload(client, csrf, 3000).status_code == 413
    admin.max_body_size = None
    assert _upload(client, csrf, 3000).status_code == 302


def test_a_chunked_body_past_the_limit_is_refused_not_cut_short(photo_app: Any, app: Flask, csrf: Any) -> None:
    client, photo_model, _media = photo_app
    app.config["MAX_CONTENT_LENGTH"] = 2000
    body = "csrf_token=" + csrf(client, "/admin/photo/add/") + "&image=" + "x" * 3000
    response = client.post(
        "/admin/photo/add/",
        input_stream=io.BytesIO(body.encode()),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    with app.app_context():
        assert photo_model.select().count() == 0
