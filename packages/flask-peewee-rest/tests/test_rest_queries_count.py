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


def _counting_selects(monkeypatch):
    built = []
    original = peewee.ModelSelect.__sql__

    def counting(self, ctx):
        built.append(self.model)
        return original(self, ctx)

    monkeypatch.setattr(peewee.ModelSelect, "__sql__", counting)
    return built


def test_detail_sql_is_built_once_and_follows_the_resources_configuration(
    client, nested_api, count_queries, monkeypatch
):
    built = _counting_selects(monkeypatch)
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


def test_a_list_shape_is_built_once_and_run_with_each_requests_values(client, nested_api, count_queries, monkeypatch):
    built = _counting_selects(monkeypatch)
    admin, _ = _statements(count_queries, client, "/api/comment/?message__user__username=admin&ordering=-id&limit=5")
    assert len(built) == 2  # the count and the page
    other, statements = _statements(
        count_queries, client, "/api/comment/?message__user__username=coleifer&ordering=-id&limit=5"
    )
    page_two, _ = _statements(
        count_queries, client, "/api/comment/?message__user__username=coleifer&ordering=-id&limit=5&page=2"
    )
    assert len(built) == 2  # same shape: the SQL built for the first request
    assert len(statements) == 2
    assert admin["meta"]["object_count"] == other["meta"]["object_count"] == 15
    assert {o["message"]["user"]["username"] for o in admin["objects"]} == {"admin"}
    assert {o["message"]["user"]["username"] for o in other["objects"]} == {"coleifer"}
    assert [o["id"] for o in other["objects"]] == [29, 27, 25, 23, 21]
    assert [o["id"] for o in page_two["objects"]] == [19, 17, 15, 13, 11]
    assert page_two["meta"]["page"] == 2
    assert page_two["meta"]["next"]
    assert page_two["meta"]["previous"]
    far, statements = _statements(
        count_queries, client, "/api/comment/?message__user__username=admin&ordering=-id&limit=5&page=99"
    )
    assert far["objects"] == []
    assert len(statements) == 1  # past the end: the count only, never an OFFSET past it


def test_list_shapes_differ_by_filters_lists_nulls_ordering_and_size(client, nested_api, count_queries, monkeypatch):
    built = _counting_selects(monkeypatch)
    few, _ = _statements(count_queries, client, "/api/comment/?id__in=1,2&limit=50")
    many, _ = _statements(count_queries, client, "/api/comment/?id__in=3,4,5&limit=50")
    assert [o["id"] for o in few["objects"]] == [1, 2]
    assert [o["id"] for o in many["objects"]] == [3, 4, 5]
    orphans, _ = _statements(count_queries, client, "/api/comment/?author__is=null&limit=50")
    assert orphans["meta"]["object_count"] == 10
    assert all(o["author"] is None for o in orphans["objects"])
    by_author, _ = _statements(count_queries, client, "/api/comment/?author=1&limit=50&ordering=-body")
    assert by_author["meta"]["object_count"] == 20
    assert [o["body"] for o in by_author["objects"][:2]] == ["c8", "c7"]
    assert len(built) == 8  # four shapes, two statements each


def test_a_cached_list_shape_still_checks_every_requests_filters(client, nested_api, count_queries):
    resource = nested_api.resources["comment"]
    ok, _ = _statements(count_queries, client, "/api/comment/?body=c1")
    assert [o["body"] for o in ok["objects"]] == ["c1"]
    resource.filter_exclude = ("body",)
    refused = client.get("/api/comment/?body=c2")
    assert refused.status_code == 400
    assert refused.get_json()["param"] == "body"
    assert client.get("/api/comment/?message__user__password=x").status_code == 400  # sensitive, never filterable
    assert client.get("/api/comment/?id=notanumber").status_code == 400


def test_pattern_filters_and_alternatives_take_the_general_path(client, nested_api, count_queries):
    body, statements = _statements(count_queries, client, "/api/comment/?body__ilike=C2%25&limit=50")
    assert sorted(o["body"] for o in body["objects"]) == [
        "c2",
        "c20",
        "c21",
        "c22",
        "c23",
        "c24",
        "c25",
        "c26",
        "c27",
        "c28",
        "c29",
    ]
    assert len(statements) == 2
    either, _ = _statements(count_queries, client, "/api/comment/?body=c1&body=c3")
    assert sorted(o["body"] for o in either["objects"]) == ["c1", "c3"]
    others, _ = _statements(count_queries, client, "/api/comment/?-author__is=null&limit=50")
    assert others["meta"]["object_count"] == 20
