"""flask_peewee.utils.uploads: checks by content, safe names, storage, the batch that leaves no orphan, serving."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import peewee
import pytest
from flask import Flask
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from flask_peewee.utils.uploads import (
    IMAGE_TYPES,
    FileField,
    ImageField,
    LocalStorage,
    UploadError,
    check_upload,
    delete_object_files,
    discard_file,
    file_fields,
    make_thumbnail,
    safe_relative_name,
    save_upload,
    send_stored_file,
    upload_batch,
)


def png(width: int = 30, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, "PNG")
    return out.getvalue()


def upload(content: bytes, name: str = "f.png") -> FileStorage:
    return FileStorage(io.BytesIO(content), name)


def check(content: bytes, name: str = "f.png", **options: Any) -> Any:
    options = {"allowed_types": IMAGE_TYPES, "max_size": 100_000, **options}
    return check_upload(upload(content, name), **options)


def test_the_type_comes_from_the_content_and_the_extension_from_the_type() -> None:
    checked = check(png(), "holiday.exe")
    assert (checked.mime, checked.extension) == ("image/png", "png")
    assert check(b"%PDF-1.4\n%%EOF", "x.png", allowed_types=("application/pdf",)).extension == "pdf"


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"", "a.png", 422, "The file is empty."),
        (png(), "../a.png", 422, "without a path"),
        (png(), "C:\\temp\\a.png", 422, "without a path"),
        (png(), "a\x00.png", 422, "without a path"),
        (b"%PDF-1.4\n%%EOF", "a.png", 422, "Files of type application/pdf are not accepted"),
        (b"just some text", "a.png", 422, "not recognised"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", 422, "SVG files are not accepted"),
        (b"<?xml version='1.0'?><svg><script>x</script></svg>", "a.svg", 422, "SVG files are not accepted"),
        (png() + b"<script>alert(1)</script>", "a.png", 422, "HTML or script markup"),
        (b"GIF89a<html><body>hi</body></html>", "a.gif", 422, "HTML or script markup"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "a.png", 422, "damaged"),
        (png(200, 200), "a.png", 422, "too large (200x200 pixels"),
        (png() + b"\x00" * 100_000, "a.png", 413, "too large (limit 100000 bytes)"),
    ],
)
def test_hostile_uploads_are_refused(content: bytes, name: str, status: int, message: str) -> None:
    with pytest.raises(UploadError) as refused:
        check(content, name, max_pixels=10_000)
    assert refused.value.status == status
    assert message in refused.value.message


def test_svg_only_when_allowed_and_never_with_a_script() -> None:
    allowed = (*IMAGE_TYPES, "image/svg+xml")
    assert check(b"<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>", allowed_types=allowed).extension == "svg"
    for hostile in (b"<svg><script>x</script></svg>", b"<svg onload='x()'/>", b"<svg><a href='javascript:x'/></svg>"):
        with pytest.raises(UploadError, match="holds a script"):
            check(hostile, allowed_types=allowed)


def test_decompression_bombs_are_refused() -> None:
    with pytest.raises(UploadError, match="too large"):
        check(png(3000, 3000), max_size=10_000_000, max_pixels=25_000_000 // 10)


def test_stored_names_never_leave_the_root(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for hostile in ("../x", "/etc/passwd", "a/../../x", "a\\b", ".hidden", "a//b", "c:x", ""):
        with pytest.raises(ValueError, match="not a stored file name"):
            safe_relative_name(hostile)
        with pytest.raises(ValueError, match="not a stored file name"):
            storage.path(hostile)
        assert not storage.exists(hostile)
    storage.save("a/b.png", b"x")
    with pytest.raises(FileExistsError):
        storage.save("a/b.png", b"y")  # a name is never reused
    with storage.open("a/b.png") as handle:
        assert handle.read() == b"x"
    assert storage.url("a/b.png") is None
    assert LocalStorage(tmp_path, public_url="/media/").url("a/b.png") == "/media/a/b.png"
    storage.delete("a/b.png")
    storage.delete("a/b.png")  # already gone: nothing
    assert not storage.exists("a/b.png")


@pytest.fixture
def photo(plain_app: Flask, tmp_path: Path) -> Any:
    storage = LocalStorage(tmp_path / "media")

    class Photo(peewee.Model):
        title = peewee.CharField()
        image = ImageField(storage=storage, null=True, thumbnail_size=(10, 10))
        scan = FileField(storage=storage, null=True, upload_to="scans", delete_with_object=False)

    return Photo, storage


def files(storage: LocalStorage) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), storage.root)
        for folder, _, names in os.walk(storage.root)
        for name in names
    )


def test_fields_and_names(photo: Any, plain_app: Flask) -> None:
    model, storage = photo
    assert list(file_fields(model)) == ["image", "scan"]
    assert isinstance(model.image, ImageField)
    assert model.image.get_allowed_types() == IMAGE_TYPES
    assert model.image.field_type == "VARCHAR"
    assert model.image.max_length == 255
    with plain_app.test_request_context():
        name = save_upload(model.image, upload(png(), "evil.png"))
        assert re.fullmatch(r"photo/image/[0-9a-f]{32}\.png", name)
        assert re.fullmatch(r"scans/[0-9a-f]{32}\.png", save_upload(model.scan, upload(png())))
    assert len(files(storage)) == 2


def test_a_failed_write_deletes_its_new_files_and_a_committed_one_the_replaced(photo: Any, plain_app: Flask) -> None:
    model, storage = photo
    with plain_app.test_request_context():

        def failed_write() -> None:
            with upload_batch():
                save_upload(model.image, upload(png()))
                raise RuntimeError("the row write failed")

        with pytest.raises(RuntimeError, match="row write failed"):
            failed_write()
        assert files(storage) == []
        with upload_batch():
            old = save_upload(model.image, upload(png()))
        with upload_batch():
            new = save_upload(model.image, upload(png()))
            discard_file(model.image, old)
            assert files(storage) == sorted([old, new])  # the old one stays until the write is done
        assert files(storage) == [new]

        def refused_write() -> None:
            with upload_batch():
                discard_file(model.image, new)
                save_upload(model.image, upload(b""))

        with pytest.raises(UploadError, match="empty"):
            refused_write()
        assert files(storage) == [new]  # a refused write keeps the file it would have replaced


def test_deleting_objects_deletes_their_files_unless_told_not_to(photo: Any, plain_app: Flask) -> None:
    model, storage = photo
    with plain_app.test_request_context():
        obj = model(
            title="x", image=save_upload(model.image, upload(png())), scan=save_upload(model.scan, upload(png()))
        )
        assert make_thumbnail(model.image, obj.image) is not None
        assert len(files(storage)) == 3
        delete_object_files([obj])
        assert files(storage) == [obj.scan]  # the image and its thumbnail are gone; scan keeps its file
        plain_app.config["FLASK_PEEWEE_UPLOADS_DELETE_WITH_OBJECT"] = False
        other = model(title="y", image=save_upload(model.image, upload(png())))
        delete_object_files([other])
        assert other.image in files(storage)


def test_serving_headers(photo: Any, plain_app: Flask) -> None:
    model, _ = photo
    with plain_app.test_request_context():
        name = save_upload(model.image, upload(png(40, 20)))
        scan = save_upload(model.scan, upload(b"%PDF-1.4\n%%EOF", "doc.pdf"))
        response = send_stored_file(model.image, name)
        assert response.mimetype == "image/png"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        thumb = send_stored_file(model.image, name, thumbnail=True)
        thumb.direct_passthrough = False
        assert Image.open(io.BytesIO(thumb.get_data())).size == (10, 5)
        pdf = send_stored_file(model.scan, scan)
        assert pdf.mimetype == "application/pdf"
        assert pdf.headers["Content-Disposition"].startswith("attachment")
        model.scan.get_storage().save("scans/page.html", b"<html>")
        html = send_stored_file(model.scan, "scans/page.html")
        assert html.mimetype == "application/octet-stream"
        assert html.headers["Content-Disposition"].startswith("attachment")
        for missing in ("scans/nothing.png", "../x.png"):
            with pytest.raises(NotFound):
                send_stored_file(model.scan, missing)


def test_the_default_storage_is_configured(plain_app: Flask, tmp_path: Path) -> None:
    class Doc(peewee.Model):
        scan = FileField()

    plain_app.config["FLASK_PEEWEE_UPLOADS_ROOT"] = str(tmp_path / "up")
    plain_app.config["FLASK_PEEWEE_UPLOADS_PUBLIC_URL"] = "https://cdn.example/media"
    plain_app.config["FLASK_PEEWEE_UPLOADS_MAX_SIZE"] = 10
    with plain_app.test_request_context():
        storage = Doc.scan.get_storage()
        assert isinstance(storage, LocalStorage)
        assert storage.root == str(tmp_path / "up")
        assert storage.url("doc/scan/a.png") == "https://cdn.example/media/doc/scan/a.png"
        with pytest.raises(UploadError) as refused:
            save_upload(Doc.scan, upload(png()))
        assert refused.value.status == 413
    with pytest.raises(RuntimeError, match="app context"):
        Doc.scan.get_storage()


def test_importing_works_without_the_extras_and_uploading_says_what_is_missing() -> None:
    code = (
        "import sys; sys.modules['filetype'] = None; sys.modules['PIL'] = None\n"
        "import io, flask, peewee\n"
        "from werkzeug.datastructures import FileStorage\n"
        "import flask_peewee.utils, flask_peewee.utils.uploads as u\n"
        "assert u.pillow() is None\n"
        "try:\n"
        "    u.check_upload(FileStorage(io.BytesIO(b'x'), 'a'), allowed_types=['image/png'], max_size=10)\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'flask-peewee-utils[uploads]'" in result.stdout


def test_every_refusal_keeps_its_template_and_params() -> None:
    """An interface translates ``template`` (the admin has each of UPLOAD_MESSAGES); ``message`` stays English."""
    from flask_peewee.utils import _uploads
    from flask_peewee.utils.internal import UPLOAD_MESSAGES

    source = Path(_uploads.__file__).read_text()
    raised = set(re.findall(r'UploadError\(\s*"([^"]+)"', source))
    assert raised == set(UPLOAD_MESSAGES)
    with pytest.raises(UploadError) as refused:
        check_upload(io.BytesIO(b"plain words"), allowed_types=IMAGE_TYPES, max_size=5)
    assert refused.value.status == 413
    assert refused.value.message == str(refused.value) == "The file is too large (limit 5 bytes)."
    assert refused.value.template == "The file is too large (limit %(limit)s bytes)."
    assert refused.value.params == {"limit": 5}
    with pytest.raises(UploadError) as unknown:
        check_upload(io.BytesIO(b"plain words"), allowed_types=("image/png", "image/gif"), max_size=100)
    assert unknown.value.message == "The file's type is not recognised; accepted: image/png, image/gif."
    assert unknown.value.params == {"accepted": "image/png, image/gif"}
