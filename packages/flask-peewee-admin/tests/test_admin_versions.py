"""The edit form's version is utils' object_version, the ETag REST gives the same row; no key never stops the app."""

from __future__ import annotations

import re
from typing import Any

import peewee
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import log_in
from flask_peewee.db import Database
from flask_peewee.utils import object_version

VERSION = re.compile(r'name="_fp_version" value="([^"]+)"')


def _version(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    match = VERSION.search(response.get_data(as_text=True))
    assert match
    return match.group(1)


def test_the_edit_version_is_the_object_version(
    app: Flask, admin: Admin, admin_client: Any, models: Any, superuser: Any
) -> None:
    with app.app_context():
        message = models.Message.create(user=superuser, content="hello")
    url = f"/admin/message/{message.id}/"
    opened = _version(admin_client, url)
    with app.app_context():
        assert opened == object_version(models.Message.get_by_id(message.id))
        models.Message.update(content="changed").execute()
        changed = object_version(models.Message.get_by_id(message.id))
    assert changed != opened
    assert _version(admin_client, url) == changed


def test_the_edit_version_covers_many_to_many_links(app: Flask, db: Database, auth: Auth) -> None:
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    admin = Admin(app, auth)
    admin.register(Post, ModelAdmin)
    admin.register(Tag)
    admin.setup()
    db.create_tables()
    db.database.create_tables([Post.tags.get_through_model()])
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        red = Tag.create(name="red")
        post = Post.create(title="hello")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    url = f"/admin/post/{post.id}/"
    bare = _version(client, url)
    with app.app_context():
        post.tags.add([red])
        assert _version(client, url) == object_version(post) != bare


def test_an_admin_without_a_key_starts(database_url: str) -> None:
    app = Flask("flask_peewee_admin_keyless")
    app.config.update(DATABASE=database_url, TESTING=True)
    db = Database(app)
    auth = Auth(app, db)
    admin = Admin(app, auth)
    auth.register_admin(admin)
    admin.setup()
    db.create_tables()
    db.database.close()
    response = app.test_client().get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
