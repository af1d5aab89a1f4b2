"""Apps written against the original flask-peewee: ``readonly_fields``, ``paginate_by = None``, the old names."""

from __future__ import annotations

from types import SimpleNamespace

import peewee
import pytest

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic

COLEIFER = basic("coleifer")
SPELLINGS = ("readonly_fields", "read_only_fields")


@pytest.fixture
def members(db, models, users):
    """``Member`` (name, admin, active) and ``Post`` (a foreign key to it): a plain model with an admin flag."""

    class Member(db.Model):
        name = peewee.CharField()
        admin = peewee.BooleanField(default=False)
        active = peewee.BooleanField(default=True)

    class Post(db.Model):
        member = peewee.ForeignKeyField(Member)
        content = peewee.TextField()

    db.create_tables()
    Member.create(name="mallory")
    db.database.close()
    return SimpleNamespace(Member=Member, Post=Post)


def _resource(spelling, fields=("admin", "active"), base=RestResource):
    return type("MemberResource", (base,), {spelling: fields})


# -- readonly_fields: the original's name is the same setting as read_only_fields -------------------------


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_users_cannot_make_themselves_admin_through_the_original_example(app, auth, client, models, users, spelling):
    """The original example's ``UserResource(readonly_fields=('admin', 'active'))``, edited by a normal user."""
    UserResource = type("UserResource", (RestResource,), {spelling: ("admin", "active")})
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource)
    for method in ("put", "patch"):
        body = {"admin": True, "active": False, "email": f"{method}@example.com"}
        response = getattr(client, method)("/api/user/2/", json=body, headers=COLEIFER)
        assert response.status_code == 200
        assert (response.get_json()["admin"], response.get_json()["email"]) == (False, f"{method}@example.com")
        user = models.User.get_by_id(2)
        assert (user.admin, user.active, user.email) == (False, True, f"{method}@example.com")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_read_only_fields_hold_for_post_put_patch_and_form_bodies(app, auth, client, members, spelling):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Member, _resource(spelling))
    response = client.post("/api/member/", json={"name": "eve", "admin": True, "active": False}, headers=COLEIFER)
    assert response.status_code == 200
    created = members.Member.get_by_id(response.get_json()["id"])
    assert (created.name, created.admin, created.active) == ("eve", False, True)
    for method in ("put", "patch"):
        response = getattr(client, method)("/api/member/1/", json={"admin": True, "name": method}, headers=COLEIFER)
        assert response.status_code == 200
        assert (members.Member.get_by_id(1).admin, members.Member.get_by_id(1).name) == (False, method)
    response = client.post("/api/member/", data={"name": "form", "admin": "true"}, headers=COLEIFER)
    assert response.status_code == 200
    assert members.Member.get(members.Member.name == "form").admin is False


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_nested_writes_cannot_set_read_only_fields(app, auth, client, members, spelling):
    MemberResource = _resource(spelling)

    class PostResource(RestResource):
        include_resources = {"member": MemberResource}

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Post, PostResource)
    body = {"content": "hi", "member": {"id": 1, "admin": True, "active": False}}
    response = client.post("/api/post/", json=body, headers=COLEIFER)
    assert response.status_code == 200
    assert response.get_json()["member"]["admin"] is False
    response = client.put("/api/post/1/", json=body, headers=COLEIFER)
    assert response.status_code == 200
    member = members.Member.get_by_id(1)
    assert (member.admin, member.active) == (False, True)


def test_both_spellings_are_one_setting():
    class Old(RestResource):
        readonly_fields = ("admin",)

    class New(RestResource):
        read_only_fields = ["admin"]

    class Child(Old):
        read_only_fields = ("active",)

    assert Old.read_only_fields == Old.readonly_fields == ("admin",)
    assert New.readonly_fields == New.read_only_fields == ["admin"]
    assert Child.readonly_fields == Child.read_only_fields == ("active",)

    class Same(RestResource):
        readonly_fields = ("admin", "active")
        read_only_fields = ["active", "admin"]

    assert set(Same.readonly_fields) == {"admin", "active"}


def test_setting_both_spellings_differently_is_refused():
    with pytest.raises(TypeError, match=r"read_only_fields .* readonly_fields"):

        class Both(RestResource):
            readonly_fields = ("admin",)
            read_only_fields = ("active",)


def test_a_string_of_read_only_fields_is_refused():
    with pytest.raises(TypeError, match=r"collection of field names, like \('admin',\)"):

        class Single(RestResource):
            readonly_fields = "admin"


def test_get_readonly_fields_override_is_honoured(app, auth, client, members):
    class MemberResource(RestResource):
        def get_readonly_fields(self):
            return super().get_readonly_fields() | {"name"}

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Member, MemberResource)
    response = client.patch("/api/member/1/", json={"name": "renamed", "admin": True}, headers=COLEIFER)
    assert response.status_code == 200
    member = members.Member.get_by_id(1)
    assert (member.name, member.admin) == ("mallory", True)


def test_scrub_readonly_fields_override_is_called_before_the_write(app, auth, client, members):
    seen = []

    class MemberResource(RestResource):
        readonly_fields = ("admin",)

        def scrub_readonly_fields(self, data):
            seen.append(dict(data))
            cleaned = super().scrub_readonly_fields(data)
            cleaned["name"] = cleaned["name"].strip()
            return cleaned

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Member, MemberResource)
    response = client.patch("/api/member/1/", json={"name": "  spaced  ", "admin": True}, headers=COLEIFER)
    assert response.status_code == 200
    assert seen == [{"name": "  spaced  ", "admin": True}]
    member = members.Member.get_by_id(1)
    assert (member.name, member.admin) == ("spaced", False)


def test_a_scrub_override_cannot_write_read_only_fields(app, auth, client, members):
    class MemberResource(RestResource):
        readonly_fields = ("admin",)

        def scrub_readonly_fields(self, data):
            return dict(data)

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Member, MemberResource)
    response = client.patch("/api/member/1/", json={"admin": True}, headers=COLEIFER)
    assert response.status_code == 200
    assert members.Member.get_by_id(1).admin is False


def test_nested_writes_false_ignores_nested_objects(app, auth, client, members):
    members.Member.create(name="second")

    class PostResource(RestResource):
        include_resources = {"member": RestResource}
        nested_writes = False

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(members.Post, PostResource)
    members.Post.create(member=1, content="x")
    response = client.patch("/api/post/1/", json={"content": "y", "member": {"id": 2}}, headers=COLEIFER)
    assert response.status_code == 200
    assert (members.Post.get_by_id(1).member_id, members.Post.get_by_id(1).content) == (1, "y")
    response = client.patch("/api/post/1/", json={"member": 2}, headers=COLEIFER)
    assert members.Post.get_by_id(1).member_id == 2


# -- paginate_by = None: every row, as the original's example RelationshipResource ----------------------


def test_paginate_by_none_lists_every_row(app, auth, client, models, users):
    class RelationshipResource(RestResource):
        paginate_by = None

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Relationship, RelationshipResource)
    for n in range(45):
        models.Relationship.create(from_user=1 + n % 2, to_user=2 - n % 2)
    response = client.get("/api/relationship/")
    assert response.status_code == 200
    data = response.get_json()
    assert [obj["id"] for obj in data["objects"]] == list(range(1, 46))
    assert (data["meta"]["page"], data["meta"]["pages"], data["meta"]["next"]) == (1, 1, "")
    data = client.get("/api/relationship/?limit=10&page=2").get_json()
    assert [obj["id"] for obj in data["objects"]] == list(range(11, 21))
    assert client.get("/api/relationship/?page=2").get_json()["objects"] == []


def test_paginate_by_none_caps_limit_at_max_paginate_by(app, auth, client, models, users):
    class RelationshipResource(RestResource):
        paginate_by = None
        max_paginate_by = 5

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Relationship, RelationshipResource)
    for _ in range(8):
        models.Relationship.create(from_user=1, to_user=2)
    assert len(client.get("/api/relationship/").get_json()["objects"]) == 8
    data = client.get("/api/relationship/?limit=100").get_json()
    assert (len(data["objects"]), data["meta"]["limit"]) == (5, 5)


def test_paginate_by_none_is_empty_on_an_empty_table(app, auth, client, models, users):
    api = RestAPI(app)
    api.register(models.Relationship, type("R", (RestResource,), {"paginate_by": None}))
    data = client.get("/api/relationship/").get_json()
    assert (data["objects"], data["meta"]["count"], data["meta"]["pages"]) == ([], 0, 1)


@pytest.mark.parametrize("value", [0, -1, "20", 2.5, True])
def test_a_bad_paginate_by_is_refused_at_registration(app, models, value):
    api = RestAPI(app)
    with pytest.raises(ValueError, match="paginate_by must be a positive integer or None"):
        api.register(models.Note, type("NoteResource", (RestResource,), {"paginate_by": value}))


# -- hostile page numbers (issue 15, item 5) -------------------------------------------------------------


@pytest.mark.parametrize("page", ["99999999999999999999", str(2**63), str(2**31), "1" + "0" * 4000, "4"])
def test_a_page_past_the_end_is_empty_never_a_500(app, client, models, users, page):
    api = RestAPI(app)
    api.register(models.Note)
    for n in range(45):
        models.Note.create(message=f"note {n}")
    response = client.get(f"/api/note/?page={page}&limit=20")
    assert response.status_code == 200
    data = response.get_json()
    assert data["objects"] == []
    assert (data["meta"]["page"], data["meta"]["next"], data["meta"]["count"]) == (int(page), "", 45)


# -- cross-site writes (issue 15, item 7) ----------------------------------------------------------------


@pytest.fixture
def message_api(app, auth, models, users):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    models.Message.create(user=users.admin, content="hello")
    return api


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.localhost"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    ],
)
def test_cross_site_writes_are_refused(client, message_api, models, headers):
    admin = basic("admin")
    for method, url, body in (
        ("post", "/api/message/", {"user": 1, "content": "forged"}),
        ("put", "/api/message/1/", {"content": "forged"}),
        ("patch", "/api/message/1/", {"content": "forged"}),
        ("delete", "/api/message/1/", None),
        ("post", "/api/message/1/delete/", None),
    ):
        response = getattr(client, method)(url, json=body, headers={**admin, **headers})
        assert (response.status_code, response.get_json()) == (403, {"error": "Cross-site request refused"})
    assert [m.content for m in models.Message.select()] == ["hello"]
    assert client.get("/api/message/1/", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": "https://app.example.com", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_same_site_and_trusted_writes_are_served(app, client, message_api, models, headers):
    app.config["FLASK_PEEWEE_REST_TRUSTED_ORIGINS"] = ["https://app.example.com/"]
    response = client.patch("/api/message/1/", json={"content": "ok"}, headers={**basic("admin"), **headers})
    assert response.status_code == 200
    assert models.Message.get_by_id(1).content == "ok"


def test_form_posts_without_browser_headers_are_served(client, message_api, models):
    response = client.post("/api/message/", data={"user": "1", "content": "curl"}, headers=basic("admin"))
    assert response.status_code == 200
    assert models.Message.select().count() == 2


# -- outages (issue 15, item 11) -------------------------------------------------------------------------


def _break(db):
    database = db.database
    database.close()
    if isinstance(database, peewee.SqliteDatabase):
        database.init("/nonexistent-directory/for/sure/test.db")
    else:
        database.init(database.database, host="127.0.0.1", port=1, user="nobody")


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/message/"), ("get", "/api/message/1/"), ("patch", "/api/message/1/"), ("post", "/api/message/")],
)
def test_a_database_outage_is_a_json_503(app, client, db, message_api, method, url):
    _break(db)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = getattr(client, method)(url, json={"content": "x", "user": 1}, headers=basic("admin"))
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "Service temporarily unavailable"}
    assert int(response.headers["Retry-After"]) >= 1


def test_asking_for_the_originals_nested_writes_is_refused():
    with pytest.raises(TypeError, match=r"never written; override save_related_objects\(instance, data\)"):

        class Writer(RestResource):
            nested_writes = True
