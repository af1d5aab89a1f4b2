"""Inline child rows on the parent's page: add, change, delete in the parent's transaction, audited, checked."""

from __future__ import annotations

import re
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, InlineModelAdmin, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.db import ImproperlyConfigured

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _site(app: Flask, db: Any, auth: Any) -> Any:
    class Post(db.Model):
        title = peewee.CharField()

        def __str__(self) -> str:
            return self.title

    class Comment(db.Model):
        post = peewee.ForeignKeyField(Post, backref="comments")
        author = peewee.CharField(unique=True)
        body = peewee.TextField()

        def __str__(self) -> str:
            return f"comment by {self.author}"

    class CommentInline(InlineModelAdmin):
        model = Comment

    class PostAdmin(ModelAdmin):
        columns = ("title",)
        inlines = (CommentInline,)

    admin = Admin(app, auth)
    admin.register(Post, PostAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        staff = auth.User.create(username="staff", email="", admin=False, active=True, password="x")
        post = Post.create(title="hello")
        first = Comment.create(post=post, author="ann", body="first!")
        second = Comment.create(post=post, author="bob", body="second")
        Comment.create(post=Post.create(title="other"), author="cyd", body="elsewhere")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)

    class Site:
        pass

    site = Site()
    site.__dict__.update(
        Post=Post, Comment=Comment, post=post, first=first, second=second, client=client, staff=staff, admin=admin
    )
    return site


@pytest.fixture
def site(app: Flask, db: Any, auth: Any) -> Any:
    return _site(app, db, auth)


def _form(client: Any, url: str) -> tuple[str, dict[str, list[str]]]:
    """The page at ``url`` and the hidden inputs of its form, as the browser would post them."""
    text = client.get(url).get_data(as_text=True)
    template_start = text.find("<template")
    visible = text[:template_start] + text[text.find("</template>") :] if template_start >= 0 else text
    data: dict[str, list[str]] = {}
    for name, value in HIDDEN.findall(visible):
        data.setdefault(name, []).append(value)
    return text, data


def _post_data(site: Any, hidden: dict[str, list[str]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(hidden)
    data.update(
        {
            "title": site.post.title,
            "comment-0-author": "ann",
            "comment-0-body": "first!",
            "comment-1-author": "bob",
            "comment-1-body": "second",
        }
    )
    data.update(fields)
    return data


def test_edit_page_shows_the_child_rows(site: Any) -> None:
    text, hidden = _form(site.client, f"/admin/post/{site.post.id}/")
    assert '<h2 id="fp-inline-comment-title">Comments</h2>' in text
    assert "<legend>comment by ann</legend>" in text
    assert hidden["comment-_row"] == ["0", "1"]
    assert hidden["comment-0-_pk"] == [str(site.first.id)]
    assert 'name="comment-0-body"' in text
    assert 'name="comment-0-post"' not in text  # the key to the parent is implied
    assert "elsewhere" not in text  # another post's comment
    assert '<button type="submit" name="_inline_add" value="comment"' in text
    assert 'name="comment-__n__-author"' in text  # the template row for JavaScript


def test_add_change_delete_children_in_one_save(app: Flask, auth: Any, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    hidden["comment-_row"].append("j1")
    data = _post_data(
        site,
        hidden,
        **{
            "title": "hello, edited",
            "comment-0-body": "first! (edited)",
            "comment-1-_delete": "1",
            "comment-j1-author": "dee",
            "comment-j1-body": "a new one",
        },
    )
    response = site.client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert site.Post.get_by_id(site.post.id).title == "hello, edited"
        rows = [(c.author, c.body) for c in site.Comment.select().where(site.Comment.post == site.post.id)]
        assert sorted(rows) == [("ann", "first! (edited)"), ("dee", "a new one")]
        entries = sorted((e.model, e.action, e.source) for e in auth.audit.query())
        assert entries == [
            ("comment", "add", "admin"),
            ("comment", "change", "admin"),
            ("comment", "delete", "admin"),
            ("post", "change", "admin"),
        ]
        change = next(e for e in auth.audit.query(model=site.Comment, action="change"))
        assert change.get_changes() == {"body": ["first!", "first! (edited)"]}


def test_an_invalid_row_saves_nothing_and_shows_its_error(app: Flask, auth: Any, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    hidden["comment-_row"].append("j1")
    data = _post_data(site, hidden, **{"title": "renamed", "comment-j1-author": "eve", "comment-j1-body": ""})
    response = site.client.post(url, data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "This field is required." in text
    assert 'value="eve"' in text  # the user's input is kept
    with app.app_context():
        assert site.Post.get_by_id(site.post.id).title == "hello"
        assert site.Comment.select().count() == 3
        assert auth.audit.query().count() == 0


def test_a_database_error_in_a_row_rolls_back_the_parent(app: Flask, auth: Any, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    hidden["comment-_row"].append("j1")
    data = _post_data(site, hidden, **{"title": "renamed", "comment-j1-author": "cyd", "comment-j1-body": "dup"})
    response = site.client.post(url, data=data)
    assert response.status_code == 200
    assert "Could not save" in response.get_data(as_text=True)
    with app.app_context():
        assert site.Post.get_by_id(site.post.id).title == "hello"
        assert site.Comment.select().count() == 3
        assert auth.audit.query().count() == 0


def test_rows_changed_or_deleted_meanwhile_are_refused(app: Flask, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    with app.app_context():
        site.Comment.update(body="changed elsewhere").where(site.Comment.id == site.first.id).execute()
        site.Comment.delete().where(site.Comment.id == site.second.id).execute()
    response = site.client.post(url, data=_post_data(site, hidden, **{"comment-0-body": "mine"}))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Someone else changed this row" in text
    assert "changed elsewhere</textarea>" in text
    assert "was deleted by someone else" in text
    with app.app_context():
        assert site.Comment.get_by_id(site.first.id).body == "changed elsewhere"


def test_add_button_without_javascript_adds_a_blank_row_and_saves_nothing(app: Flask, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    response = site.client.post(url, data=_post_data(site, hidden, title="typed", _inline_add="comment"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'value="typed"' in text
    assert 'name="comment-n2-author"' in text
    assert "<legend>New comment</legend>" in text
    with app.app_context():
        assert site.Post.get_by_id(site.post.id).title == "hello"


def test_add_view_saves_the_object_with_its_children(app: Flask, auth: Any, site: Any) -> None:
    page = site.client.get("/admin/post/add/").get_data(as_text=True)
    assert "None yet." in page
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    data = {
        "csrf_token": token,
        "title": "brand new",
        "comment-_row": ["j1", "j2", "j3"],
        "comment-j1-author": "fay",
        "comment-j1-body": "one",
        "comment-j2-author": "gus",
        "comment-j2-body": "two",
        "comment-j3-_delete": "1",  # added, then discarded
    }
    assert site.client.post("/admin/post/add/", data=data).status_code == 302
    with app.app_context():
        post = site.Post.get(site.Post.title == "brand new")
        assert sorted(c.author for c in post.comments) == ["fay", "gus"]
        assert auth.audit.query(model=site.Comment, action="add").count() == 2


def test_inline_without_token_is_refused(app: Flask, site: Any) -> None:
    url = f"/admin/post/{site.post.id}/"
    _text, hidden = _form(site.client, url)
    hidden.pop("csrf_token")
    response = site.client.post(url, data=_post_data(site, hidden, **{"comment-0-body": "forged"}))
    assert response.status_code == 400
    with app.app_context():
        assert site.Comment.get_by_id(site.first.id).body == "first!"


def test_child_permissions_shape_the_rows(app: Flask, auth: Any, site: Any) -> None:
    with app.app_context():
        for action in ("view", "change"):
            auth.grant_permission(site.staff, site.Post, action)
        auth.grant_permission(site.staff, site.Comment, "view")
    auth.db.database.close()
    client = app.test_client()
    log_in(client, site.staff)
    url = f"/admin/post/{site.post.id}/"
    text, hidden = _form(client, url)
    assert text.count('<fieldset class="fp-inline-row" disabled>') == 2
    assert "_inline_add" not in text
    assert "comment-0-_delete" not in text
    response = client.post(url, data=_post_data(site, hidden, **{"comment-0-body": "not allowed"}))
    assert response.status_code == 403
    with app.app_context():
        assert site.Comment.get_by_id(site.first.id).body == "first!"


def test_child_lookups_go_through_the_parent(app: Flask, db: Any, auth: Any, site: Any) -> None:
    response = site.client.get("/admin/post/lookup/?field=comment.post")
    assert response.status_code == 200
    assert {o["label"] for o in response.get_json()["objects"]} == {"hello", "other"}
    assert site.client.get("/admin/post/lookup/?field=nope.post").status_code == 400


def test_misconfigured_inlines_are_reported(app: Flask, db: Any, auth: Any, models: Any) -> None:
    class Lonely(db.Model):
        name = peewee.CharField()

    class BadAdmin(ModelAdmin):
        inlines = (Lonely,)

    admin = Admin(app, auth)
    with pytest.raises(ImproperlyConfigured, match="no foreign key"):
        admin.register(models.Note, BadAdmin)

    class WorseAdmin(ModelAdmin):
        inlines = ("comments",)

    with pytest.raises(ImproperlyConfigured, match="neither an InlineModelAdmin"):
        admin.register(models.Note, WorseAdmin)
