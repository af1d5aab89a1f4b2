"""File fields in the API: multipart uploads on create and update, URLs in the output, serving, hostile uploads."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import peewee
import pytest
from PIL import Image

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication
from flask_peewee.utils.uploads import ImageField, LocalStorage

from .conftest import basic

ADMIN = basic("admin")
USER = basic("coleifer")


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "green").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def setup(app: Any, db: Any, auth: Any, users: Any, tmp_path: Path) -> Any:
    storage = LocalStorage(tmp_path / "media", max_size=40_000)

    class Card(db.Model):
        title = peewee.CharField(unique=True)
        picture = ImageField(storage=storage, null=True)

    class Hidden(db.Model):
        title = peewee.CharField()

    db.create_tables()
    db.database.close()

    class CardResource(RestResource):
        pass

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(Card, CardResource)
    api.register(Hidden)
    api.setup()
    return Card, storage


def stored(storage: LocalStorage) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), storage.root)
        for folder, _, names in os.walk(storage.root)
        for name in names
    )


def multipart(**fields: Any) -> dict[str, Any]:
    return {"data": fields, "content_type": "multipart/form-data"}


def test_create_update_serve_and_clear_with_multipart(client: Any, setup: Any, auth: Any) -> None:
    card, storage = setup
    response = client.post("/api/card/", headers=ADMIN, **multipart(title="a", picture=(io.BytesIO(png()), "p.png")))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    url = body["picture"]
    assert url == "http://localhost/api/card/1/file/picture/"
    first = card.get_by_id(1).picture
    assert stored(storage) == [first]
    served = client.get(url, headers=ADMIN)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.data == png()
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    thumb = client.get(url + "?thumb=1", headers=ADMIN)
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (40, 20)

    assert client.get("/api/card/1/", headers=ADMIN).get_json()["picture"] == url
    # JSON writes may send the URL back unchanged, or null; never a name of their own choosing
    assert client.put("/api/card/1/", json={"title": "b", "picture": url}, headers=ADMIN).status_code == 200
    refused = client.put("/api/card/1/", json={"picture": "../../etc/passwd"}, headers=ADMIN)
    assert refused.status_code == 422
    assert "multipart" in refused.get_json()["errors"]["picture"]

    response = client.put("/api/card/1/", headers=ADMIN, **multipart(picture=(io.BytesIO(png(30, 30)), "q.png")))
    assert response.status_code == 200
    second = card.get_by_id(1).picture
    entry = auth.audit.query(model=card, action="change").order_by(auth.audit.model.id.desc()).first()
    assert entry.get_changes()["picture"] == [first, second]  # the audit log records the change of file
    assert second != first
    assert stored(storage) == [second]

    response = client.patch("/api/card/1/", json={"picture": None}, headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["picture"] is None
    assert stored(storage) == []
    assert client.get(url, headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    ("content", "filename", "status", "message"),
    [
        (b"%PDF-1.4 x", "a.png", 422, "application/pdf"),
        (b"<svg><script>alert(1)</script></svg>", "a.svg", 422, "SVG"),
        (b"", "a.png", 422, "empty"),
        (png(), "../../a.png", 422, "without a path"),
        (png() + b"\x00" * 40_000, "a.png", 413, "too large"),
    ],
)
def test_hostile_uploads_are_refused(
    client: Any, setup: Any, content: bytes, filename: str, status: int, message: str
) -> None:
    card, storage = setup
    response = client.post("/api/card/", headers=ADMIN, **multipart(title="x", picture=(io.BytesIO(content), filename)))
    assert response.status_code == status
    assert message in response.get_json()["errors"]["picture"]
    assert card.select().count() == 0
    assert stored(storage) == []


def test_a_failed_write_leaves_no_orphan_file(client: Any, setup: Any) -> None:
    card, storage = setup
    card.create(title="taken")
    response = client.post(
        "/api/card/", headers=ADMIN, **multipart(title="taken", picture=(io.BytesIO(png()), "p.png"))
    )
    assert response.status_code == 409
    assert stored(storage) == []


def test_cross_site_multipart_posts_are_refused(client: Any, setup: Any) -> None:
    card, storage = setup
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post(
            "/api/card/", headers={**ADMIN, **headers}, **multipart(title="x", picture=(io.BytesIO(png()), "p.png"))
        )
        assert response.status_code == 403
    assert card.select().count() == 0
    assert stored(storage) == []


def test_deleting_the_object_deletes_its_file_and_files_need_authentication(client: Any, setup: Any, app: Any) -> None:
    _card, storage = setup
    client.post("/api/card/", headers=ADMIN, **multipart(title="a", picture=(io.BytesIO(png()), "p.png")))
    url = "/api/card/1/file/picture/"
    assert client.get(url).status_code == 200  # GET is not protected by default, as for the objects
    assert client.post(url, headers=ADMIN).status_code == 405
    assert client.get("/api/card/1/file/title/").status_code == 404
    assert client.get("/api/card/9/file/picture/").status_code == 404
    assert client.get("/api/hidden/1/file/title/").status_code == 404  # no file route without file fields
    assert client.delete("/api/card/1/", headers=ADMIN).get_json() == {"deleted": 1}
    assert stored(storage) == []


def test_the_file_view_follows_check_get(app: Any, db: Any, auth: Any, users: Any, client: Any, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    class Secret(db.Model):
        picture = ImageField(storage=storage, null=True)

    db.create_tables()
    db.database.close()

    class SecretResource(RestResource):
        def check_get(self, obj: Any = None) -> bool:
            return False

    api = RestAPI(app, default_auth=UserAuthentication(auth, protected_methods=["GET", "POST", "PUT", "DELETE"]))
    api.register(Secret, SecretResource)
    api.setup()
    response = client.post("/api/secret/", headers=ADMIN, **multipart(picture=(io.BytesIO(png()), "p.png")))
    assert response.status_code == 200
    assert client.get("/api/secret/1/file/picture/").status_code == 401
    assert client.get("/api/secret/1/file/picture/", headers=USER).status_code == 403


def test_the_openapi_document_shows_uploads_and_urls(client: Any, setup: Any) -> None:
    document = client.get("/api/openapi.json").get_json()
    card = document["components"]["schemas"]["card"]
    assert card["properties"]["picture"] == {"type": ["string", "null"], "format": "uri"}
    create = document["paths"]["/api/card/"]["post"]["requestBody"]["content"]
    assert create["multipart/form-data"]["schema"]["properties"]["picture"] == {"type": "string", "format": "binary"}
    assert "multipart/form-data" not in document["paths"]["/api/hidden/"]["post"]["requestBody"]["content"]
