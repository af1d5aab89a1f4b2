"""Keyset (cursor) pagination: opaque signed cursors, any ordering, NULLs, no OFFSET, constant cost."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import peewee
import pytest

from flask_peewee.rest import RestAPI, RestResource

SCORES = [3, None, 1, 3, 2, None, 1, 3, 2, 2, None, 5, 1, 3, 4, 4, None, 2, 1, 5, 3, 2, None]


@pytest.fixture
def entries(app, db, models, users):
    class Entry(db.Model):
        title = peewee.CharField()
        score = peewee.IntegerField(null=True)
        author = peewee.ForeignKeyField(models.User)
        created = peewee.DateTimeField()

    db.create_tables()
    start = datetime.datetime(2024, 1, 1, 12, 0, 0)
    for index, score in enumerate(SCORES):
        author = users.admin if index % 3 else users.coleifer
        created = start + datetime.timedelta(minutes=7 * ((index * 5) % 11))
        Entry.create(title=f"entry {index % 4}", score=score, author=author, created=created)
    db.database.close()

    class UserResource(RestResource):
        exclude = ("email",)

    class EntryResource(RestResource):
        pagination = "cursor"
        paginate_by = 4
        include_resources = {"author": UserResource}

    api = RestAPI(app)
    api.register(Entry, EntryResource)
    api.register(models.User, UserResource)
    return Entry


def _expected(entry, ordering):
    rows = list(entry.select())
    keys = [part for part in ordering.split(",") if part] if ordering else []
    for key in reversed([*keys, "id"]):
        name = key.lstrip("-")
        present = [r for r in rows if getattr(r, name + "_id" if name == "author" else name) is not None]
        missing = [r for r in rows if r not in present]
        present.sort(key=lambda r, n=name: getattr(r, n + "_id" if n == "author" else n), reverse=key.startswith("-"))
        rows = present + missing  # NULLs last in both directions
    return [r.id for r in rows]


def _walk(client, url, link):
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        pages.append(([obj["id"] for obj in body["objects"]], body["meta"]))
        url = body["meta"][link]
    return pages


@pytest.mark.parametrize("ordering", ["", "score", "-score", "-score,title", "title,-created", "created", "author"])
def test_walking_forward_and_back_visits_every_row_once_in_order(client, entries, ordering):
    expected = _expected(entries, ordering)
    first = f"/api/entry/?ordering={ordering}" if ordering else "/api/entry/"
    forward = _walk(client, first, "next")
    assert [i for ids, _ in forward for i in ids] == expected
    assert [len(ids) for ids, _ in forward] == [4, 4, 4, 4, 4, 3]
    assert forward[0][1]["previous"] == ""
    assert forward[-1][1]["next"] == ""
    assert all(set(meta) == {"model", "limit", "previous", "next"} for _, meta in forward)
    backward = _walk(client, forward[-1][1]["previous"], "previous")
    assert [ids for ids, _ in backward] == [ids for ids, _ in reversed(forward[:-1])]
    assert all(meta["next"] for _, meta in backward)


def test_links_keep_the_other_parameters_and_are_opaque(client, entries):
    body = client.get("/api/entry/?score__gte=2&limit=3&ordering=-score&page=4").get_json()
    assert len(body["objects"]) == 3
    query = parse_qs(urlsplit(body["meta"]["next"]).query)
    assert query["score__gte"] == ["2"]
    assert query["limit"] == ["3"]
    assert query["ordering"] == ["-score"]
    assert "page" not in query
    assert "score" not in query["cursor"][0]
    assert all(obj["score"] >= 2 for obj in client.get(body["meta"]["next"]).get_json()["objects"])


def test_no_offset_and_one_query_per_page_at_any_depth(client, entries, count_queries):
    url = "/api/entry/?ordering=-score,title&limit=2"
    statements = []
    while url:
        with count_queries() as queries:
            body = client.get(url).get_json()
        statements.append(queries)
        url = body["meta"]["next"]
    assert len(statements) == 12
    assert {len(queries) for queries in statements} == {1}  # rows with the nested author; no COUNT
    assert not any("OFFSET" in sql.upper() for queries in statements for sql in queries)
    assert all("LIMIT" in queries[0].upper() for queries in statements)


def test_nested_resources_are_served_with_cursor_pages(client, entries):
    objects = client.get("/api/entry/").get_json()["objects"]
    assert objects[0]["author"]["username"] == "coleifer"
    assert "email" not in objects[0]["author"]


@pytest.mark.parametrize(
    ("cursor", "reason"),
    [
        ("garbage", "altered"),
        ("eyJkIjoibiJ9.AAAAAAAAAAAAAAAAAAAAAA", "altered"),
        ("\u00e9\u00e9.\u00e9", "altered"),
    ],
)
def test_altered_cursors_are_400(client, entries, cursor, reason):
    response = client.get("/api/entry/", query_string={"cursor": cursor})
    assert response.status_code == 400
    body = response.get_json()
    assert body["param"] == "cursor"
    assert reason in body["error"]


def test_a_cursor_only_works_with_its_ordering_and_resource(app, client, entries, models):
    class PeopleResource(RestResource):
        pagination = "cursor"
        paginate_by = 1

        def get_api_name(self):
            return "people"

    RestAPI(app, name="other", prefix="/other").register(models.User, PeopleResource)
    cursor = parse_qs(urlsplit(client.get("/api/entry/").get_json()["meta"]["next"]).query)["cursor"][0]
    response = client.get("/api/entry/", query_string={"cursor": cursor, "ordering": "-score"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "Invalid cursor: it was made for another ordering"
    assert client.get("/other/people/", query_string={"cursor": cursor}).status_code == 400
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get("/api/entry/", query_string={"cursor": tampered}).status_code == 400
    assert client.get("/other/people/?ordering=password").status_code == 400  # hidden fields never order
    people = client.get("/other/people/?ordering=-username").get_json()["objects"]
    assert [person["username"] for person in people] == ["coleifer"]


def test_offset_pagination_stays_the_default(client, entries):
    meta = client.get("/api/user/").get_json()["meta"]
    assert {"page", "page_count", "object_count"} <= set(meta)


def test_bad_pagination_settings_are_refused(app, models):
    class Wrong(RestResource):
        pagination = "pages"

    with pytest.raises(ValueError, match="pagination must be 'offset' or 'cursor'"):
        RestAPI(app).register(models.Note, Wrong)


def test_openapi_describes_cursor_lists(client, entries):
    from openapi_spec_validator import validate

    document = client.get("/api/openapi.json").get_json()
    validate(document)
    names = {p["name"] for p in document["paths"]["/api/entry/"]["get"]["parameters"]}
    assert "cursor" in names
    assert "page" not in names
    page = document["paths"]["/api/entry/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["meta"] == {"$ref": "#/components/schemas/CursorMeta"}
