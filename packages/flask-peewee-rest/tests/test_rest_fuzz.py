"""Property-based run of the live API against its own OpenAPI document (schemathesis, SQLite, bounded)."""

from __future__ import annotations

import datetime
import os
import uuid

import peewee
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic

# Bounded for CI; a release check raises it and adds PostgreSQL (docs/contributing.rst):
# FLASK_PEEWEE_TEST_FUZZ_EXAMPLES=1000 FLASK_PEEWEE_TEST_FUZZ_BACKENDS=sqlite,postgres
MAX_EXAMPLES = int(os.environ.get("FLASK_PEEWEE_TEST_FUZZ_EXAMPLES", "50"))  # per operation and mode
FUZZ_BACKENDS = tuple(os.environ.get("FLASK_PEEWEE_TEST_FUZZ_BACKENDS", "sqlite").split(","))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(app, auth, db, models, users):
    class Tag(db.Model):
        name = peewee.CharField(max_length=20, unique=True)

    class Post(db.Model):
        title = peewee.CharField(max_length=50)
        score = peewee.IntegerField(null=True)
        price = peewee.DecimalField(max_digits=6, decimal_places=2, null=True)
        published = peewee.BooleanField(default=False)
        tags = peewee.ManyToManyField(Tag, backref="posts")

    class Ticket(db.Model):
        id = peewee.UUIDField(primary_key=True, default=uuid.uuid4)
        title = peewee.CharField(max_length=30)
        due = peewee.DateField(null=True)
        at = peewee.TimeField(null=True)
        ratio = peewee.FloatField(null=True)
        owner = peewee.ForeignKeyField(models.User, null=True)

    db.create_tables([Tag, Post, Post.tags.get_through_model(), Ticket])
    for name in ("python", "flask"):
        Tag.create(name=name)
    post = Post.create(title="hello", score=3)
    post.tags.add([1])
    models.Message.create(user=users.admin, content="first", pub_date=datetime.datetime(2024, 1, 2, 3, 4, 5))
    models.Note.create(message="note")
    Ticket.create(title="ticket", owner=users.coleifer)
    db.database.close()

    class UserResource(RestResource):
        exclude = ("email",)

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}

    class PostResource(RestResource):
        pagination = "cursor"
        paginate_by = 5

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.User, UserResource, allowed_methods=["GET"])
    api.register(models.Message, MessageResource)
    api.register(models.Note)
    api.register(Tag)
    api.register(Post, PostResource)
    api.register(Ticket)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.backends(*FUZZ_BACKENDS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_api_answers_as_documented(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 37  # seven (POST edits a detail URL too) for each of five resources, two for users

    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=datetime.timedelta(seconds=2),
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            response = case.call_and_validate(headers=basic("admin"), checks=CHECKS)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        check()

    # the run reached the code behind the checks: writes were accepted, and refused when invalid
    if mode == GenerationMode.POSITIVE:
        assert 200 in statuses["POST /api/note/"]
        assert 200 in statuses["POST /api/ticket/"]
        assert 200 in statuses["GET /api/post/"]
    else:
        assert {400, 422} <= statuses["POST /api/note/"]
        assert 400 in statuses["GET /api/ticket/"]


# -- the query string: filters, ordering and pagination (hypothesis) ---------------------------

_PATHS = [
    "id",
    "title",
    "score",
    "price",
    "published",
    "tags",
    "tags__name",
    "posts",
    "user",
    "user__username",
    "owner",
    "owner__password",
    "due",
    "at",
    "ratio",
    "message",
    "content",
    "pub_date",
    "nope",
    "id__id",
    "",
]
_OPERATORS = [
    "",
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "in",
    "is",
    "like",
    "ilike",
    "startswith",
    "istartswith",
    "contains",
    "icontains",
    "regexp",
    "between",
    "nope",
]
_VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "-1",
            "0",
            "2.5",
            "null",
            "None",
            "true",
            "false",
            "1,2",
            "%",
            "_",
            "a%b",
            "2024-01-02",
            "2024-01-02T03:04:05",
            "12:00:00",
            "9" * 30,
            "1e400",
            "NaN",
            "\x00",
            "\u2603",
            "[",
            "'",
        ]
    ),
    st.text(max_size=12),
)
_KEYS = st.builds(
    lambda path, op: f"{path}__{op}" if op else path, st.sampled_from(_PATHS), st.sampled_from(_OPERATORS)
)
_ORDERING = st.builds(lambda sign, path: sign + path, st.sampled_from(["", "-", "--"]), st.sampled_from(_PATHS))
_SPECIAL = st.fixed_dictionaries(
    {},
    optional={
        "page": st.one_of(st.integers(-3, 10**20).map(str), st.text(max_size=5)),
        "limit": st.one_of(st.integers(-3, 10**20).map(str), st.text(max_size=5)),
        "ordering": _ORDERING,
        "cursor": st.one_of(st.text(max_size=20), st.just("eyJrIjpbMV19.abc")),
    },
)
_QUERY = st.tuples(st.lists(st.tuples(_KEYS, _VALUES), max_size=4), _SPECIAL)


@pytest.mark.backends(*FUZZ_BACKENDS)
def test_query_strings_never_fail_the_server(api_schema, client):
    """Filters, ordering and pagination in any mix: a 200 with the documented shape or a 4xx JSON error."""
    statuses: dict[str, set[int]] = {}

    @given(url=st.sampled_from(["/api/post/", "/api/ticket/", "/api/message/", "/api/user/", "/api/tag/"]), q=_QUERY)
    @settings(
        max_examples=MAX_EXAMPLES * 4,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(url, q):
        pairs, special = q
        response = client.get(url, query_string=[*pairs, *special.items()], headers=basic("admin"))
        assert response.status_code < 500, (url, pairs, special, response.get_data(as_text=True))
        body = response.get_json()
        if response.status_code == 200:
            assert isinstance(body["objects"], list)
            assert all("password" not in obj for obj in body["objects"])
        else:
            assert response.status_code in (400, 404), (url, pairs, special, response.status_code)
            assert isinstance(body["error"], str)
        statuses.setdefault(url, set()).add(response.status_code)

    check()
    assert all({200, 400} <= codes for codes in statuses.values()), statuses


# -- stateful: writes interleaved with reads, against a model of what the table holds ---------------


@pytest.mark.backends(*FUZZ_BACKENDS)
def test_writes_and_cursor_pages_stay_consistent(api_schema, client):
    """Creates, edits and deletes in any order: each answer matches what was written, and walking the
    cursor pages of the list yields every row exactly once, in key order."""
    from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

    headers = basic("admin")
    start = {obj["id"]: obj["title"] for obj in _walk(client, headers)}
    titles = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60)

    class Posts(RuleBasedStateMachine):
        posts = Bundle("posts")

        def __init__(self):
            super().__init__()
            self.expected = dict(start)

        def teardown(self):
            # leave the table as the run found it, so every run starts from the same rows
            for pk in set(self.expected) - set(start):
                assert client.delete(f"/api/post/{pk}/", headers=headers).status_code == 200

        @rule(target=posts, title=titles, score=st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)))
        def create(self, title, score):
            response = client.post("/api/post/", json={"title": title, "score": score}, headers=headers)
            if len(title) > 50:
                assert response.status_code == 422, response.get_json()
                return -1
            assert response.status_code == 200, response.get_json()
            body = response.get_json()
            assert (body["title"], body["score"]) == (title, score)
            self.expected[body["id"]] = title
            return body["id"]

        @rule(pk=posts, title=titles)
        def edit(self, pk, title):
            response = client.put(f"/api/post/{pk}/", json={"title": title}, headers=headers)
            if pk not in self.expected:
                assert response.status_code == 404
            elif len(title) > 50:
                assert response.status_code == 422
            else:
                assert response.status_code == 200, response.get_json()
                assert response.get_json()["title"] == title
                self.expected[pk] = title

        @rule(pk=posts)
        def delete(self, pk):
            response = client.delete(f"/api/post/{pk}/", headers=headers)
            assert response.status_code == (200 if pk in self.expected else 404)
            self.expected.pop(pk, None)
            assert client.get(f"/api/post/{pk}/", headers=headers).status_code == 404

        @invariant()
        def the_pages_hold_every_row_once(self):
            assert [(obj["id"], obj["title"]) for obj in _walk(client, headers)] == sorted(self.expected.items())

    run_state_machine_as_test(
        Posts,
        settings=settings(
            max_examples=max(MAX_EXAMPLES // 5, 5),
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        ),
    )


def _walk(client, headers):
    """Every object of /api/post/, following the cursor pages' ``next`` links."""
    objects, url, pages = [], "/api/post/", 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        objects += body["objects"]
        url, pages = body["meta"].get("next"), pages + 1
        assert pages < 100
    return objects
