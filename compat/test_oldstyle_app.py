"""A small app written only with the original's API (oldstyle/app.py) runs, and migrate-check reads it right."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from flask_peewee.auth.testing import log_in
from flask_peewee.db.migrate_check import main as migrate_check

HERE = Path(__file__).resolve().parent
PASSWORD = "an old password"


@pytest.fixture(scope="module")
def oldstyle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("oldstyle") / "oldstyle"
    shutil.copytree(HERE / "oldstyle", folder)
    old_cwd = os.getcwd()
    os.chdir(folder)  # DATABASE names oldstyle.db relative to the working directory
    try:
        spec = importlib.util.spec_from_file_location("oldstyle_app", folder / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.app.config.update(TESTING=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["pbkdf2_sha256"])
        result = module.app.test_cli_runner().invoke(args=["fp", "create-tables"])
        assert result.exit_code == 0, result.output
        with module.app.app_context():
            for name, is_admin in (("boss", True), ("writer", False)):
                user = module.User(username=name, email=f"{name}@example.com", admin=is_admin)
                user.set_password(PASSWORD)
                user.save()
            writer = module.User.get(module.User.username == "writer")
            module.Post.create(author=writer, title="draft", body="secret draft body")
            module.Post.create(author=writer, title="out now", body="public body", published=True)
        module.db.database.close()
        yield module
    finally:
        os.chdir(old_cwd)


def test_migrate_check_reports_what_the_old_app_needs() -> None:
    result = CliRunner().invoke(migrate_check, [str(HERE / "oldstyle"), "--format", "json"])
    report = json.loads(result.output)
    found = {(f["path"], f["line"], f["severity"], f["code"]) for f in report["findings"]}
    assert found == {
        ("app.py", 22, "look", "config"),  # threadlocals
        ("app.py", 36, "look", "python3"),  # __unicode__
        ("app.py", 41, "look", "peewee"),  # related_name=
        ("templates/base.html", 3, "look", "logout"),
        ("templates/auth/login.html", 3, "change", "csrf"),
    }
    assert result.exit_code == 1


def test_our_example_app_passes_migrate_check() -> None:
    result = CliRunner().invoke(migrate_check, [str(HERE.parent / "examples" / "twitter"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["change"] == 0


def test_admin_branding_and_export_exclude(oldstyle: ModuleType) -> None:
    client = oldstyle.app.test_client()
    with oldstyle.app.app_context():
        log_in(client, oldstyle.User.get(oldstyle.User.username == "boss"))
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Old Style" in dashboard.text
    page = client.get("/admin/post/export/")
    assert page.status_code == 200
    assert 'value="body"' not in page.text  # PostAdmin.export_exclude: not even offered
    export = client.get("/admin/post/export/", query_string={"_format": "json", "_fields": ["title", "body"]})
    assert export.status_code == 200
    assert "draft" in export.text
    assert "secret draft body" not in export.text  # nor exported when asked for


def test_admin_required_admits_admins_only(oldstyle: ModuleType) -> None:
    anonymous = oldstyle.app.test_client().get("/staff/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.headers["Location"]
    writer = oldstyle.app.test_client()
    boss = oldstyle.app.test_client()
    with oldstyle.app.app_context():
        log_in(writer, oldstyle.User.get(oldstyle.User.username == "writer"))
        log_in(boss, oldstyle.User.get(oldstyle.User.username == "boss"))
    assert writer.get("/staff/").status_code in (302, 403)
    assert boss.get("/staff/").status_code == 200


def test_serializer_and_dictionary_keep_the_original_shape_without_secrets(oldstyle: ModuleType) -> None:
    client = oldstyle.app.test_client()
    post = client.get("/post/1.json").get_json()
    assert post["title"] == "draft"
    assert post["author"] == 2  # a foreign key as the related id
    author = client.get("/author/2.json").get_json()
    assert author["username"] == "writer"
    assert "password" not in author


def test_custom_get_urls_and_readonly_fields(oldstyle: ModuleType) -> None:
    client = oldstyle.app.test_client()
    assert client.get("/api/post/published/").get_json() == {"titles": ["out now"]}
    import base64

    headers = {"Authorization": "Basic " + base64.b64encode(f"writer:{PASSWORD}".encode()).decode()}
    response = client.put("/api/user/2/", data=json.dumps({"admin": True}), headers=headers)
    assert response.status_code == 200, response.text
    with oldstyle.app.app_context():
        assert oldstyle.User.get_by_id(2).admin is False


def test_old_login_template_without_a_token_is_refused_with_a_clear_message(oldstyle: ModuleType) -> None:
    client = oldstyle.app.test_client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "csrf_token" not in page.text  # the app's own template, written before tokens
    response = client.post("/accounts/login/", data={"username": "writer", "password": PASSWORD})
    assert response.status_code in (200, 400)
    # The original flashed its login errors; this template's base.html shows flashed messages.
    assert "The form has expired or did not come from this site" in response.text
    assert "log out" not in client.get("/").text
