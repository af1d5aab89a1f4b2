"""No N+1: a page with nested resources (any depth) costs the same number of queries whatever its size."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.rest import RestAPI, RestResource


@pytest.fixture
def nested_api(app, db, models, users):
    class Comment(db.Model):
        message = peewee.ForeignKeyField(models.Message)
        author = peewee.ForeignKeyField(models.User, null=True)
        body = peewee.TextField()

    db.create_tables()

    class UserResource(RestResource):
        exclude = ("password", "email")

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}

    class CommentResource(RestResource):
        paginate_by = 50
        include_resources = {"message": MessageResource, "author": UserResource}

    for i in range(30):
        message = models.Message.create(user=users.admin if i % 2 else users.coleifer, content=f"m{i}")
        Comment.create(message=message, author=users.admin if i % 3 else None, body=f"c{i}")
    db.database.close()
    api = RestAPI(app)
    api.register(Comment, CommentResource)
    api.register(models.Message, MessageResource)
    return api


def _statements(count_queries, client, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return response.get_json(), [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_list_queries_do_not_grow_with_the_page(client, nested_api, count_queries):
    small, small_sql = _statements(count_queries, client, "/api/comment/?limit=5")
    large, large_sql = _statements(count_queries, client, "/api/comment/?limit=30")
    assert len(small["objects"]) == 5
    assert len(large["objects"]) == 30
    assert len(small_sql) == len(large_sql) == 2  # the rows with their joins, and the count
    first = large["objects"][0]
    assert first["message"]["content"] == "m0"
    assert first["message"]["user"]["username"] == "coleifer"
    assert "password" not in first["message"]["user"]
    assert [o["author"] is None for o in large["objects"][:4]] == [True, False, False, True]
    assert large["objects"][1]["author"]["username"] == "admin"
    assert "email" not in large["objects"][1]["author"]


def test_detail_is_one_query(client, nested_api, count_queries):
    body, statements = _statements(count_queries, client, "/api/comment/2/")
    assert len(statements) == 1
    assert body["message"]["user"]["username"] == "admin"


def test_filters_on_nested_paths_still_one_page_query(client, nested_api, count_queries):
    body, statements = _statements(count_queries, client, "/api/comment/?message__user__username=admin&limit=50")
    assert len(body["objects"]) == 15
    assert {o["message"]["user"]["username"] for o in body["objects"]} == {"admin"}
    assert len(statements) == 2


def test_many_to_many_costs_one_query_per_field(app, client, db, count_queries):
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    db.create_tables([Tag, Post, Post.tags.get_through_model()])
    tags = [Tag.create(name=str(i)) for i in range(3)]
    for i in range(20):
        Post.create(title=str(i)).tags.add(tags[: i % 4])
    db.database.close()
    api = RestAPI(app)
    api.register(Post)
    small, small_sql = _statements(count_queries, client, "/api/post/?limit=3")
    assert len(small["objects"]) == 3
    large, large_sql = _statements(count_queries, client, "/api/post/?limit=20")
    assert len(small_sql) == len(large_sql) == 3
    assert [o["tags"] for o in large["objects"][:4]] == [[], [1], [1, 2], [1, 2, 3]]


def test_a_filtered_key_that_is_also_nested_is_joined_once_with_only_written_columns(
    app, client, db, models, users, count_queries
):
    class UserResource(RestResource):
        exclude = ("password", "email")

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}

    models.Message.create(user=users.admin, content="mine")
    models.Message.create(user=users.coleifer, content="theirs")
    db.database.close()
    api = RestAPI(app)
    api.register(models.Message, MessageResource)
    body, statements = _statements(count_queries, client, "/api/message/?user__username=admin&ordering=-id")
    assert [o["content"] for o in body["objects"]] == ["mine"]
    assert body["objects"][0]["user"]["username"] == "admin"
    assert {"id", "username"} <= set(body["objects"][0]["user"])
    assert not {"password", "email"} & set(body["objects"][0]["user"])
    page = statements[-1]
    assert page.upper().count(" JOIN ") == 1, page
    assert "password" not in page, page
    assert "email" not in page, page


def test_a_nested_resource_with_a_serialization_hook_gets_every_column(app, client, db, models, users, count_queries):
    class UserResource(RestResource):
        exclude = ("password", "email")

        def prepare_data(self, obj, data):
            data["domain"] = obj.email.rpartition("@")[2]
            return data

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}

    models.Message.create(user=users.admin, content="mine")
    db.database.close()
    api = RestAPI(app)
    api.register(models.Message, MessageResource)
    body, statements = _statements(count_queries, client, "/api/message/?user__username=admin")
    nested = body["objects"][0]["user"]
    assert nested["domain"] == users.admin.email.rpartition("@")[2]
    assert "email" not in nested
    assert "password" not in nested
    assert "email" in statements[-1]


def test_a_parent_with_a_serialization_hook_reads_its_nested_objects_whole(app, client, db, models, users):
    class UserResource(RestResource):
        exclude = ("password", "email")

    class MessageResource(RestResource):
        include_resources = {"user": UserResource}

        def prepare_data(self, obj, data):  # the original's way to add a value from a nested object
            data["author_email"] = obj.user.email
            return data

    models.Message.create(user=users.admin, content="mine")
    db.database.close()
    api = RestAPI(app)
    api.register(models.Message, MessageResource)
    obj = client.get("/api/message/?user__username=admin").get_json()["objects"][0]
    assert obj["author_email"] == users.admin.email
    assert "email" not in obj["user"]


def test_detail_sql_is_built_once_and_follows_the_resources_configuration(
    client, nested_api, count_queries, monkeypatch
):
    built = []
    original = peewee.ModelSelect.__sql__

    def counting(self, ctx):
        built.append(self.model)
        return original(self, ctx)

    monkeypatch.setattr(peewee.ModelSelect, "__sql__", counting)
    first, _ = _statements(count_queries, client, "/api/comment/2/")
    again, statements = _statements(count_queries, client, "/api/comment/3/")
    assert len(built) == 1  # the second detail ran the SQL built for the first
    assert len(statements) == 1
    assert again["id"] == 3
    assert again["message"]["id"] == 3
    assert not {"password", "email"} & set(first["message"]["user"])
    nested = nested_api.resources["comment"].nested_resources["message"].nested_resources["user"]
    nested.exclude = ("password",)  # the nested user resource now writes its email
    changed, statements = _statements(count_queries, client, "/api/comment/2/")
    assert "email" in changed["message"]["user"]
    assert "password" not in changed["message"]["user"]
    assert len(built) == 2
    assert len(statements) == 1


def test_detail_honours_an_overridden_get_query_on_every_request(app, client, db, models, users, count_queries):
    asked = []

    class MessageResource(RestResource):
        def get_query(self):
            asked.append(1)
            return self.model.select().where(self.model.user == users.admin)

    mine = models.Message.create(user=users.admin, content="mine")
    theirs = models.Message.create(user=users.coleifer, content="theirs")
    db.database.close()
    api = RestAPI(app)
    api.register(models.Message, MessageResource)
    assert client.get(f"/api/message/{mine.id}/").status_code == 200
    assert client.get(f"/api/message/{theirs.id}/").status_code == 404
    assert len(asked) == 2
