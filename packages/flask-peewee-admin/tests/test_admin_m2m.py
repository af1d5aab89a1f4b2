"""Many-to-many fields in the add/edit form: select or lookup dialog, saved with the object in one transaction."""

from __future__ import annotations

import re
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="_fp_version" value="([^"]+)"')


class PostAdmin(ModelAdmin):
    columns = ("title",)


class FailingPostAdmin(PostAdmin):
    def save_related(self, instance: Any, form: Any, adding: bool = False) -> None:
        super().save_related(instance, form, adding)
        raise peewee.IntegrityError("the links broke a constraint")


def _blog(app: Flask, db: Any, auth: Any, tag_count: int, admin_class: type[ModelAdmin] = PostAdmin) -> Any:
    class Tag(db.Model):
        name = peewee.CharField(unique=True)

        def __str__(self) -> str:
            return self.name

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

        def __str__(self) -> str:
            return self.title

    admin = Admin(app, auth)
    admin.register(Post, admin_class)
    admin.register(Tag)
    admin.setup()
    db.create_tables()
    through = Post.tags.through_model
    db.database.create_tables([through])
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        Tag.insert_many([{"name": f"tag{i:02d}"} for i in range(tag_count)]).execute()
        tags = {t.name: t for t in Tag.select()}
    db.database.close()
    client = app.test_client()
    log_in(client, boss)

    class Blog:
        pass

    blog = Blog()
    blog.__dict__.update(Post=Post, Tag=Tag, through=through, client=client, tags=tags, db=db)
    return blog


@pytest.fixture
def blog(app: Flask, db: Any, auth: Any) -> Any:
    return _blog(app, db, auth, 3)


def _token(client: Any, url: str) -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def _links(app: Flask, blog: Any, post_id: int) -> list[str]:
    with app.app_context():
        post = blog.Post.get_by_id(post_id)
        return sorted(t.name for t in post.tags)


def test_add_and_edit_with_a_multiple_select(app: Flask, auth: Any, blog: Any) -> None:
    client, tags = blog.client, blog.tags
    page = client.get("/admin/post/add/").get_data(as_text=True)
    assert '<select class="fp-input" id="tags" multiple name="tags">' in page
    assert '<label for="tags">Tags</label>' in page
    assert page.count("<option value=") == 3
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "title": "first", "tags": ["", str(tags["tag00"].id), str(tags["tag02"].id)]}
    response = client.post("/admin/post/add/", data=data)
    assert response.status_code == 302
    with app.app_context():
        post = blog.Post.get(blog.Post.title == "first")
    assert _links(app, blog, post.id) == ["tag00", "tag02"]

    url = f"/admin/post/{post.id}/"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{tags["tag00"].id}" selected>tag00</option>' in page
    assert f'<option value="{tags["tag01"].id}">tag01</option>' in page
    version = VERSION.search(page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "_fp_version": version, "title": "first", "tags": ["", str(tags["tag01"].id)]}
    data["tags"].append(str(tags["tag02"].id))
    assert client.post(url, data=data).status_code == 302
    assert _links(app, blog, post.id) == ["tag01", "tag02"]

    with app.app_context():
        through = blog.through._meta.table_name
        log = list(auth.audit.query())[::-1]
    assert [(e.model, e.action) for e in log] == [
        (through, "add"),
        (through, "add"),
        ("post", "add"),  # written after its links, so it holds them
        (through, "delete"),  # tag00 unlinked
        (through, "add"),  # tag01 linked
        ("post", "change"),  # the title did not change, the links did: on the post's own history
    ]
    ids = {name: tag.id for name, tag in tags.items()}
    assert log[2].get_changes() == {
        "id": [None, post.id],
        "title": [None, "first"],
        "tags": [None, sorted([ids["tag00"], ids["tag02"]])],
    }
    assert log[5].get_changes() == {
        "tags": [sorted([ids["tag00"], ids["tag02"]]), sorted([ids["tag01"], ids["tag02"]])]
    }


def test_links_kept_when_the_form_has_no_such_field_and_cleared_when_empty(app: Flask, blog: Any) -> None:
    client, tags = blog.client, blog.tags
    with app.app_context():
        post = blog.Post.create(title="kept")
        post.tags.add([tags["tag00"], tags["tag01"]])
    url = f"/admin/post/{post.id}/"
    token = _token(client, url)
    assert client.post(url, data={"csrf_token": token, "title": "kept, renamed"}).status_code == 302
    assert _links(app, blog, post.id) == ["tag00", "tag01"]
    assert client.post(url, data={"csrf_token": token, "title": "cleared", "tags": ""}).status_code == 302
    assert _links(app, blog, post.id) == []


def test_unknown_keys_are_a_field_error_and_nothing_is_saved(app: Flask, blog: Any) -> None:
    client = blog.client
    token = _token(client, "/admin/post/add/")
    for bad in ("999999", "abc", "99999999999999999999"):
        response = client.post(
            "/admin/post/add/", data={"csrf_token": token, "title": "bad", "tags": [str(blog.tags["tag00"].id), bad]}
        )
        assert response.status_code == 200
        assert f"Not a valid choice: {bad}" in response.get_data(as_text=True)
    with app.app_context():
        assert blog.Post.select().count() == 0
        assert blog.through.select().count() == 0


def test_links_changed_meanwhile_are_an_edit_conflict(app: Flask, blog: Any) -> None:
    client, tags = blog.client, blog.tags
    with app.app_context():
        post = blog.Post.create(title="contested")
    url = f"/admin/post/{post.id}/"
    page = client.get(url).get_data(as_text=True)
    token, version = TOKEN.search(page).group(1), VERSION.search(page).group(1)  # type: ignore[union-attr]
    with app.app_context():
        post.tags.add([tags["tag01"]])
    data = {"csrf_token": token, "_fp_version": version, "title": "contested", "tags": [str(tags["tag00"].id)]}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Someone else changed this object" in response.get_data(as_text=True)
    assert _links(app, blog, post.id) == ["tag01"]


def test_a_failed_save_of_the_links_rolls_back_the_object(app: Flask, db: Any, auth: Any) -> None:
    blog = _blog(app, db, auth, 3, FailingPostAdmin)
    token = _token(blog.client, "/admin/post/add/")
    response = blog.client.post(
        "/admin/post/add/", data={"csrf_token": token, "title": "doomed", "tags": [str(blog.tags["tag00"].id)]}
    )
    assert response.status_code == 200
    assert "Could not save: the links broke a constraint" in response.get_data(as_text=True)
    with app.app_context():
        assert blog.Post.select().count() == 0
        assert blog.through.select().count() == 0
        assert auth.audit.query().count() == 0


def test_above_the_threshold_the_lookup_dialog_picks_the_rows(app: Flask, db: Any, auth: Any) -> None:
    blog = _blog(app, db, auth, 60)
    client, tags = blog.client, blog.tags
    with app.app_context():
        post = blog.Post.create(title="many")
        post.tags.add([tags["tag07"]])
    url = f"/admin/post/{post.id}/"
    page = client.get(url).get_data(as_text=True)
    assert 'multiple name="tags"' not in page
    assert 'data-lookup-field="tags"' in page
    assert 'data-lookup-list="tags-list"' in page
    assert f'<input type="hidden" name="tags" value="{tags["tag07"].id}"><span>tag07</span>' in page
    assert 'aria-label="Remove tag07"' in page
    found = client.get("/admin/post/lookup/?field=tags&query=tag5").get_json()
    assert [o["label"] for o in found["objects"]] == [f"tag5{i}" for i in range(10)]
    assert found["objects"][0]["id"] == tags["tag50"].id
    assert client.get("/admin/post/lookup/?field=posts").status_code == 400  # a backref is not offered
    token, version = TOKEN.search(page).group(1), VERSION.search(page).group(1)  # type: ignore[union-attr]
    chosen = ["", str(tags["tag07"].id), str(tags["tag50"].id), str(tags["tag51"].id)]
    data = {"csrf_token": token, "_fp_version": version, "title": "many", "tags": chosen}
    assert client.post(url, data=data).status_code == 302
    assert _links(app, blog, post.id) == ["tag07", "tag50", "tag51"]


def test_deleting_a_post_records_its_links_as_rest_does(app: Flask, auth: Any, blog: Any) -> None:
    client, tags = blog.client, blog.tags
    with app.app_context():
        post = blog.Post.create(title="gone")
        post.tags.add([tags["tag02"], tags["tag01"]])
    token = _token(client, f"/admin/post/delete/?id={post.id}")
    assert client.post("/admin/post/delete/", data={"csrf_token": token, "id": [str(post.id)]}).status_code == 302
    with app.app_context():
        assert blog.through.select().count() == 0
        assert auth.audit.query(model=blog.through, action="delete").count() == 2  # each link row
        entry = auth.audit.query(model=blog.Post, pk=post.id).get()
    assert entry.action == "delete"
    assert entry.get_changes() == {
        "id": [post.id, None],
        "title": ["gone", None],
        "tags": [sorted([tags["tag01"].id, tags["tag02"].id]), None],
    }


def test_a_self_referencing_field_in_the_form(app: Flask, db: Any, auth: Any) -> None:
    class Person(db.Model):
        name = peewee.CharField()

        def __str__(self) -> str:
            return self.name

    class Follow(db.Model):  # the field reads from the first key (follower) to the second (followed)
        follower = peewee.ForeignKeyField(Person, backref="+")
        followed = peewee.ForeignKeyField(Person, backref="+")

    Person._meta.add_field("following", peewee.ManyToManyField(Person, through_model=Follow, backref="followers"))
    # peewee's generated through model of a self-reference has one key only: such a field is left out
    Person._meta.add_field("links", peewee.ManyToManyField(Person, backref="linked_from"))
    admin = Admin(app, auth)
    admin.register(Person)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        ann, bob, cid = (Person.create(name=name) for name in ("ann", "bob", "cid"))
        Follow.create(follower=cid, followed=ann)  # cid follows ann: not whom ann follows
    db.database.close()
    client = app.test_client()
    log_in(client, boss)

    url = f"/admin/person/{ann.id}/"
    page = client.get(url).get_data(as_text=True)
    assert 'multiple name="following"' in page
    assert 'name="links"' not in page
    assert 'name="followers"' not in page
    assert " selected>" not in page  # ann follows nobody yet
    token, version = TOKEN.search(page).group(1), VERSION.search(page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "_fp_version": version, "name": "ann", "following": ["", str(bob.id), str(cid.id)]}
    assert client.post(url, data=data).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{bob.id}" selected>bob</option>' in page
    assert f'<option value="{cid.id}" selected>cid</option>' in page
    assert f'<option value="{ann.id}">ann</option>' in page
    version = VERSION.search(page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "_fp_version": version, "name": "ann", "following": ["", str(cid.id)]}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        rows = sorted(Follow.select(Follow.follower, Follow.followed).tuples())
        entries = list(auth.audit.query(model=Follow).order_by(auth.AuditEntry.id))
        own = auth.audit.query(model=Person, pk=ann.id).order_by(auth.AuditEntry.id.desc()).first()
    assert rows == [(ann.id, cid.id), (cid.id, ann.id)]
    assert [(e.action, e.source, e.username) for e in entries] == [
        ("add", "admin", "boss"),
        ("add", "admin", "boss"),
        ("delete", "admin", "boss"),
    ]
    assert entries[2].get_changes()["followed"] == [bob.id, None]
    assert own.get_changes() == {"following": [sorted([bob.id, cid.id]), [cid.id]]}


def test_unchanged_links_are_not_rewritten(app: Flask, auth: Any, blog: Any) -> None:
    client, tags = blog.client, blog.tags
    with app.app_context():
        post = blog.Post.create(title="stable")
        post.tags.add([tags["tag00"], tags["tag01"]])
        links = sorted(row.id for row in blog.through.select())
    url = f"/admin/post/{post.id}/"
    page = client.get(url).get_data(as_text=True)
    token, version = TOKEN.search(page).group(1), VERSION.search(page).group(1)  # type: ignore[union-attr]
    chosen = ["", str(tags["tag01"].id), str(tags["tag00"].id)]
    assert client.post(url, data={"csrf_token": token, "_fp_version": version, "title": "renamed", "tags": chosen})
    with app.app_context():
        assert sorted(row.id for row in blog.through.select()) == links  # the same rows, not re-added
        assert auth.audit.query(model=blog.through).count() == 0
        assert blog.Post.get_by_id(post.id).title == "renamed"
