"""Apps written against the original flask-peewee: ``readonly_fields``, ``paginate_by = None``, the old names."""

from __future__ import annotations

from types import SimpleNamespace

import peewee
import pytest

from flask_peewee.rest import Authentication, RestAPI, RestResource, UserAuthentication
from flask_peewee.utils import parse_page

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
    assert (data["meta"]["page"], data["meta"]["page_count"], data["meta"]["next"]) == (1, 1, "")
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
    assert (len(data["objects"]), data["meta"]["page_count"]) == (5, 2)


def test_paginate_by_none_is_empty_on_an_empty_table(app, auth, client, models, users):
    api = RestAPI(app)
    api.register(models.Relationship, type("R", (RestResource,), {"paginate_by": None}))
    data = client.get("/api/relationship/").get_json()
    assert (data["objects"], data["meta"]["object_count"], data["meta"]["page_count"]) == ([], 0, 0)


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
    assert (data["meta"]["page"], data["meta"]["next"], data["meta"]["object_count"]) == (parse_page(page), "", 45)


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


def test_nested_writes_true_is_the_originals_setting_and_accepted(app, auth, client, members):
    class MemberResource(RestResource):
        readonly_fields = ("admin",)

    class PostResource(RestResource):
        include_resources = {"member": MemberResource}
        nested_writes = True

    RestAPI(app, default_auth=UserAuthentication(auth)).register(members.Post, PostResource)
    body = {"content": "hi", "member": {"name": "new", "admin": True}}
    response = client.post("/api/post/", json=body, headers=COLEIFER)
    assert response.status_code == 200
    assert (response.get_json()["member"]["name"], response.get_json()["member"]["admin"]) == ("new", False)
    assert members.Member.select().count() == 2


# -- round 2: the original 4.0.1's list meta, POST edits and filter forms ------------------------------


def test_list_meta_is_the_originals_shape(app, client, models, users):
    RestAPI(app).register(models.Note)
    meta = client.get("/api/note/").get_json()["meta"]
    assert meta == {"model": "note", "page": 1, "page_count": 0, "object_count": 0, "previous": "", "next": ""}
    models.Note.insert_many([{"message": str(i)} for i in range(45)]).execute()
    meta = client.get("/api/note/?page=2").get_json()["meta"]
    assert meta == {
        "model": "note",
        "page": 2,
        "page_count": 3,
        "object_count": 45,
        "previous": "/api/note/?page=1",
        "next": "/api/note/?page=3",
    }


def test_a_post_to_a_detail_url_edits_like_a_put(app, auth, client, models, users):
    class MessageResource(RestResource):
        def check_put(self, obj):
            return obj.content != "locked"

    RestAPI(app, default_auth=UserAuthentication(auth)).register(models.Message, MessageResource)
    models.Message.create(user=users.admin, content="hello")
    models.Message.create(user=users.admin, content="locked")
    assert client.post("/api/message/1/", json={"content": "x"}).status_code == 401
    response = client.post("/api/message/1/", json={"content": "edited"}, headers=COLEIFER)
    assert (response.status_code, response.get_json()["content"]) == (200, "edited")
    assert models.Message.get_by_id(1).content == "edited"
    assert client.post("/api/message/2/", json={"content": "x"}, headers=COLEIFER).status_code == 403
    assert models.Message.select().count() == 2


def test_a_post_edit_needs_what_a_put_needs(app, client, models, users):
    class ReadOnly(RestResource):
        pass

    api = RestAPI(app, default_auth=Authentication(protected_methods=("PUT", "DELETE")))
    api.register(models.Note, ReadOnly)
    api.register(models.Message, allowed_methods=("GET", "POST"))
    models.Note.create(message="n")
    models.Message.create(user=users.admin, content="m")
    assert client.post("/api/note/", json={"message": "anyone may create"}).status_code == 200
    assert client.post("/api/note/1/", json={"message": "but not edit"}).status_code == 401
    response = client.post("/api/message/1/", json={"content": "no edits here"}, headers=COLEIFER)
    assert response.status_code == 405
    assert "POST" not in response.headers["Allow"]
    assert (models.Note.get_by_id(1).message, models.Message.get_by_id(1).content) == ("n", "m")


def test_repeated_filter_values_are_alternatives_and_a_minus_negates(app, client, models, users, make_user):
    make_user("inactive", active=False)
    RestAPI(app).register(models.Message)
    for user in (1, 2, 3):
        models.Message.create(user=user, content=f"by {user}")

    def users_of(query):
        response = client.get(f"/api/message/?{query}")
        assert response.status_code == 200, response.get_json()
        return [message["user"] for message in response.get_json()["objects"]]

    assert users_of("user__username=admin&user__username=inactive") == [1, 3]
    assert users_of("user=1&user=2") == [1, 2]
    assert users_of("-user__username=admin") == [2, 3]
    assert users_of("-user__in=1,3") == [2]
    assert users_of("user__in=1,3&-user=3") == [1]
    assert client.get("/api/message/?-user__password=x").status_code == 400  # hidden fields stay hidden


def test_null_and_empty_boolean_filters_read_as_the_original(app, client, models, users):
    RestAPI(app).register(models.User, type("U", (RestResource,), {"exclude": ("email",)}))
    names = lambda query: [u["username"] for u in client.get(f"/api/user/?{query}").get_json()["objects"]]  # noqa: E731
    assert names("admin=") == names("admin=false") == ["coleifer"]
    assert names("admin=true") == ["admin"]
    assert names("-admin=") == ["admin"]
