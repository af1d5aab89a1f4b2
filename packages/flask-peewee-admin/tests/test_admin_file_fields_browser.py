"""In headless Chromium: an admin uploads an image, sees its thumbnail, replaces it and clears it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest
from flask import Flask
from PIL import Image
from tests.test_admin_browser import _log_in

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.db.testing import serve
from flask_peewee.utils.uploads import ImageField, LocalStorage
from tests.conftest import make_user

pytestmark = pytest.mark.backends("sqlite")


def png(path: Path, color: str) -> str:
    Image.new("RGB", (300, 200), color).save(path, "PNG")
    return str(path)


@pytest.fixture
def upload_server(app: Flask, db: Any, auth: Any, tmp_path: Path) -> Iterator[tuple[str, Any, LocalStorage]]:
    storage = LocalStorage(tmp_path / "media")

    class Profile(db.Model):
        name = peewee.CharField()
        avatar = ImageField(storage=storage, null=True)

        def __str__(self) -> str:
            return self.name

    admin = Admin(app, auth)
    admin.register(Profile, ModelAdmin)
    admin.setup()
    db.create_tables()
    make_user(app, auth, "admin", admin=True)
    with app.app_context():
        Profile.create(name="ann")
    db.database.close()
    with serve(app) as base:
        yield base, Profile, storage


def test_upload_replace_and_clear_in_a_real_browser(fp_browser: Any, upload_server: Any, tmp_path: Path) -> None:
    base, profile, storage = upload_server
    page = fp_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base)

    page.goto(f"{base}/admin/profile/1/")
    page.set_input_files('input[name="avatar"]', png(tmp_path / "red.png", "red"))
    page.click('button[name="_continue"]')
    page.wait_for_load_state()
    first = profile.get_by_id(1).avatar
    assert first
    assert storage.exists(first)
    thumb = page.locator("img.fp-upload-thumb")
    assert thumb.count() == 1
    assert page.evaluate("img => img.complete && img.naturalWidth", thumb.element_handle()) == 160
    link = page.locator(".fp-upload-current a")
    served = page.request.get(base + link.get_attribute("href"))
    assert served.status == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    assert Image.open(io.BytesIO(served.body())).size == (300, 200)

    page.set_input_files('input[name="avatar"]', png(tmp_path / "blue.png", "blue"))
    page.click('button[name="_continue"]')
    page.wait_for_load_state()
    second = profile.get_by_id(1).avatar
    assert second != first
    assert storage.exists(second)
    assert not storage.exists(first)
    assert second.rsplit("/", 1)[-1] in page.locator(".fp-upload-current a").inner_text()

    page.check('input[name="avatar-clear"]')
    page.click('button[name="_continue"]')
    page.wait_for_load_state()
    assert profile.get_by_id(1).avatar is None
    assert not storage.exists(second)
    assert page.locator(".fp-upload-current").count() == 0
    assert errors == []
