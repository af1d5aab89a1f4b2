"""Property-based run of the live API against its own OpenAPI document (schemathesis, SQLite, bounded)."""

from __future__ import annotations

import datetime
import uuid

import peewee
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic

MAX_EXAMPLES = 50  # per operation and mode: bounded for CI
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


@pytest.mark.backends("sqlite")
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
