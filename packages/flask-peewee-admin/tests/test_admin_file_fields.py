"""FileField and ImageField in the admin: upload, replace, clear, serving with permissions, hostile uploads."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import peewee
import pytest
from flask import Flask
from PIL import Image

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.utils.uploads import FileField, ImageField, LocalStorage
from tests.conftest import make_user


def png(width: int = 20, height: int = 10, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def uploads(app: Flask, db: Any, auth: Any, tmp_path: Path) -> Any:
    storage = LocalStorage(tmp_path / "media", max_size=50_000)

    class Profile(db.Model):
        name = peewee.CharField()
        avatar = ImageField(storage=storage, null=True)
        resume = FileField(storage=storage, null=True, allowed_types=("application/pdf",))

        def __str__(self) -> str:
            return self.name

    class Unique(db.Model):
        code = peewee.CharField(unique=True)
        scan = FileField(storage=storage, null=True)

    admin = Admin(app, auth)
    admin.register(Profile, ModelAdmin)
    admin.register(Unique, ModelAdmin)
    auth.register_admin(admin)
    admin.setup()
    db.create_tables()
    db.database.close()
    boss = make_user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, boss)
    return client, Profile, Unique, storage


def stored_files(storage: LocalStorage) -> list[str]:
    found = []
    for folder, _, names in os.walk(storage.root):
        found += [os.path.relpath(os.path.join(folder, n), storage.root) for n in names]
    return sorted(found)


def post(client: Any, url: str, csrf: Any, **fields: Any) -> Any:
    data = {"csrf_token": csrf(client, url), "_save": "1", **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_upload_replace_and_clear_through_the_admin(uploads: Any, csrf: Any, app: Flask) -> None:
    client, profile, _, storage = uploads
    form = client.get("/admin/profile/add/").get_data(as_text=True)
    assert 'type="file"' in form
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in form
    response = post(client, "/admin/profile/add/", csrf, name="ann", avatar=(io.BytesIO(png()), "../me.png"))
    assert response.status_code == 200  # a name with a path is refused, nothing stored
    assert "without a path" in response.get_data(as_text=True)
    assert stored_files(storage) == []
    response = post(client, "/admin/profile/add/", csrf, name="ann", avatar=(io.BytesIO(png(400, 200)), "me.png"))
    assert response.status_code == 302
    first = profile.get(profile.name == "ann").avatar
    assert re.fullmatch(r"profile/avatar/[0-9a-f]{32}\.png", first)  # a new random name, not the client's
    assert stored_files(storage) == [first]

    edit = client.get("/admin/profile/1/").get_data(as_text=True)
    link = f"/admin/profile/_file/avatar/{first}"
    assert f'href="{link}"' in edit
    assert f'src="{link}?thumb=1"' in edit
    assert 'name="avatar-clear"' in edit
    served = client.get(link)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline")
    thumb = client.get(link + "?thumb=1")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (160, 80)
    assert len(stored_files(storage)) == 2  # the thumbnail, made once and kept

    response = post(client, "/admin/profile/1/", csrf, name="ann", avatar=(io.BytesIO(png(color="blue")), "new.png"))
    assert response.status_code == 302
    second = profile.get_by_id(1).avatar
    assert second != first
    assert stored_files(storage) == [second]
    assert client.get(link).status_code == 404  # no row holds the old name any more

    response = post(client, "/admin/profile/1/", csrf, name="ann", **{"avatar-clear": "1"})
    assert response.status_code == 302
    assert profile.get_by_id(1).avatar is None
    assert stored_files(storage) == []

    with app.app_context():
        history = client.get("/admin/profile/1/history/").get_data(as_text=True)
    assert second in history  # the audit log records the change of file


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.png", "The file is empty."),
        (PDF, "cv.png", "Files of type application/pdf are not accepted"),  # wrong type by content
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "SVG files"),
        (b"GIF89a/*<script>alert(1)</script>*/", "poly.gif", "HTML or script markup"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png", "damaged or not an image"),
        (png(400, 400) + b"\x00" * 60_000, "big.png", "too large"),
    ],
)
def test_hostile_uploads_are_refused_with_a_clear_error(
    uploads: Any, csrf: Any, content: bytes, filename: str, message: str
) -> None:
    client, profile, _, storage = uploads
    response = post(client, "/admin/profile/add/", csrf, name="eve", avatar=(io.BytesIO(content), filename))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert profile.select().count() == 0
    assert stored_files(storage) == []


def test_a_file_field_accepts_its_own_types_and_downloads_them(uploads: Any, csrf: Any) -> None:
    client, profile, _, _storage = uploads
    response = post(client, "/admin/profile/add/", csrf, name="cv", resume=(io.BytesIO(PDF), "cv.pdf"))
    assert response.status_code == 302
    name = profile.get().resume
    served = client.get(f"/admin/profile/_file/resume/{name}")
    assert served.status_code == 200
    assert served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/admin/profile/_file/resume/{name}?thumb=1").status_code == 404


def test_a_failed_save_leaves_no_orphan_file(uploads: Any, csrf: Any) -> None:
    client, _, unique, storage = uploads
    assert post(client, "/admin/unique/add/", csrf, code="A").status_code == 302
    response = post(client, "/admin/unique/add/", csrf, code="A", scan=(io.BytesIO(png()), "a.png"))
    assert response.status_code == 200  # the unique violation is shown on the form
    assert unique.select().count() == 1
    assert stored_files(storage) == []


def test_deleting_the_object_deletes_its_files(uploads: Any, csrf: Any, app: Flask) -> None:
    client, profile, _, storage = uploads
    post(client, "/admin/profile/add/", csrf, name="a", avatar=(io.BytesIO(png()), "a.png"))
    post(client, "/admin/profile/add/", csrf, name="b", avatar=(io.BytesIO(png()), "b.png"))
    assert len(stored_files(storage)) == 2
    token = csrf(client, "/admin/profile/delete/?id=1")
    assert client.post("/admin/profile/delete/?id=1", data={"csrf_token": token}).status_code == 302
    assert stored_files(storage) == [profile.get().avatar]
    app.config["FLASK_PEEWEE_UPLOADS_DELETE_WITH_OBJECT"] = False
    token = csrf(client, "/admin/profile/delete/?id=2")
    assert client.post("/admin/profile/delete/?id=2", data={"csrf_token": token}).status_code == 302
    assert len(stored_files(storage)) == 1  # kept, as configured


def test_files_are_served_only_to_users_who_may_view_the_model(uploads: Any, csrf: Any, app: Flask, auth: Any) -> None:
    client, profile, _, _ = uploads
    post(client, "/admin/profile/add/", csrf, name="a", avatar=(io.BytesIO(png()), "a.png"))
    url = f"/admin/profile/_file/avatar/{profile.get().avatar}"
    assert client.get(url).status_code == 200
    assert client.get("/admin/profile/_file/avatar/profile/avatar/../../x.png").status_code == 404
    assert client.get("/admin/profile/_file/name/a").status_code == 404  # not a file field
    anonymous = app.test_client()
    assert anonymous.get(url).status_code in (302, 401, 403)
    staff = make_user(app, auth, "staff")
    other = app.test_client()
    log_in(other, staff)
    assert other.get(url).status_code == 403
    auth.grant_permission(staff, profile, "view")
    assert other.get(url).status_code == 200


def test_models_without_file_fields_have_no_file_route(uploads: Any, app: Flask) -> None:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/admin/profile/_file/<field>/<path:name>" in rules
    assert not any("/_file/" in rule and "/user/" in rule for rule in rules)
