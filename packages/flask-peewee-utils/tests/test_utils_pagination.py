"""PaginatedQuery, object_list and get_object_or_404 against real databases."""

from __future__ import annotations

import peewee
import pytest
from flask import Flask, request
from jinja2 import DictLoader
from werkzeug.exceptions import NotFound

from flask_peewee.db import Database
from flask_peewee.utils import MAX_OFFSET, PaginatedQuery, clamp_page, get_object_or_404, object_list, parse_page

TEMPLATE = (
    "{% for blog in object_list %}[{{ blog.title }}]{% endfor %}"
    "|page={{ page }}|pages={{ pagination.get_pages() }}|extra={{ extra }}"
    "{% if page > 1 %}|prev{% endif %}{% if page < pagination.get_pages() %}|next{% endif %}"
)


@pytest.fixture
def blog(db: Database) -> type[peewee.Model]:
    class Blog(db.Model):
        title = peewee.CharField()
        active = peewee.BooleanField(default=True)

    db.create_tables()
    with db.database.atomic():
        Blog.insert_many([{"title": f"b{i:02d}", "active": i % 2 == 0} for i in range(45)]).execute()
    db.database.close()
    return Blog


@pytest.fixture
def blog_app(app: Flask, blog: type[peewee.Model]) -> Flask:
    app.jinja_loader = DictLoader({"blog/index.html": TEMPLATE, "named.html": "{{ blogs|length }}"})

    @app.route("/blog/")
    def blog_list():
        return object_list("blog/index.html", blog.select().order_by(blog.id), paginate_by=20, extra="x")

    @app.route("/active/")
    def active_list():
        active = blog.select().where(blog.active == True).order_by(blog.id)  # noqa: E712
        return object_list("blog/index.html", active)

    @app.route("/named/")
    def named():
        return object_list("named.html", blog, var_name="blogs", paginate_by=7)

    return app


def test_pages_of_a_query(app: Flask, blog: type[peewee.Model]) -> None:
    query = blog.select().order_by(blog.id)
    with app.test_request_context("/?page=3"):
        pq = PaginatedQuery(query)
        assert pq.get_page() == 3
        assert pq.get_count() == 45
        assert pq.get_pages() == 3
        assert [b.title for b in pq.get_list()] == [f"b{i}" for i in range(40, 45)]
        assert pq.has_previous() is True
        assert pq.has_next() is False
        assert pq.is_out_of_range() is False


def test_a_model_class_is_paginated_like_its_select(app: Flask, blog: type[peewee.Model]) -> None:
    with app.test_request_context("/?p=2"):
        pq = PaginatedQuery(blog, 10, page_var="p")
        assert pq.get_page() == 2
        assert pq.get_pages() == 5
        assert len(pq.get_list()) == 10


@pytest.mark.parametrize("raw", ["abc", "0", "-3", "", "1.5", "  "])
def test_bad_page_numbers_mean_page_one(app: Flask, blog: type[peewee.Model], raw: str) -> None:
    with app.test_request_context("/", query_string={"page": raw}):
        pq = PaginatedQuery(blog.select().order_by(blog.id))
        assert pq.get_page() == 1
        assert pq.get_list()[0].title == "b00"


def test_past_the_end_gives_an_empty_list_and_says_so(app: Flask, blog: type[peewee.Model]) -> None:
    with app.test_request_context("/?page=4"):
        pq = PaginatedQuery(blog.select().order_by(blog.id))
        assert pq.is_out_of_range() is True
        assert pq.get_list() == []


def test_explicit_page_works_without_a_request(blog: type[peewee.Model]) -> None:
    assert PaginatedQuery(blog.select().order_by(blog.id), 20).get_page() == 1
    pq = PaginatedQuery(blog.select().order_by(blog.id), 20, page="2")
    assert pq.get_page() == 2
    assert pq.get_list()[0].title == "b20"


def test_empty_query_has_one_empty_page(app: Flask, blog: type[peewee.Model]) -> None:
    blog.delete().execute()
    pq = PaginatedQuery(blog)
    assert pq.get_count() == 0
    assert pq.get_pages() == 1
    assert pq.is_out_of_range() is False
    assert pq.get_list() == []


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("bad", [0, -1, "20", None, True])
def test_paginate_by_must_be_a_positive_integer(blog: type[peewee.Model], bad: object) -> None:
    with pytest.raises(ValueError, match="paginate_by"):
        PaginatedQuery(blog, bad)  # type: ignore[arg-type]


@pytest.mark.backends("sqlite")
def test_something_else_than_a_query_is_refused(blog: type[peewee.Model]) -> None:
    with pytest.raises(TypeError, match="model class or select query"):
        PaginatedQuery([1, 2, 3])
    with pytest.raises(TypeError, match="model class or select query"):
        get_object_or_404("Blog")


def test_object_list_renders_the_page(blog_app: Flask) -> None:
    client = blog_app.test_client()
    first = client.get("/blog/")
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert body.startswith("[b00][b01]")
    assert "[b19]|page=1|pages=3|extra=x|next" in body
    second = client.get("/blog/?page=2").get_data(as_text=True)
    assert second.startswith("[b20]")
    assert second.endswith("|page=2|pages=3|extra=x|prev|next")
    last = client.get("/blog/?page=3").get_data(as_text=True)
    assert last == "[b40][b41][b42][b43][b44]|page=3|pages=3|extra=x|prev"


def test_object_list_paginates_the_given_query_by_twenty(blog_app: Flask) -> None:
    body = blog_app.test_client().get("/active/?page=2").get_data(as_text=True)
    # 23 active blogs (even numbers 0..44): page 2 holds the last three
    assert body == "[b40][b42][b44]|page=2|pages=2|extra=|prev"


@pytest.mark.parametrize("page", ["0", "-1", "nope"])
def test_object_list_bad_page_is_page_one(blog_app: Flask, page: str) -> None:
    response = blog_app.test_client().get(f"/blog/?page={page}")
    assert response.status_code == 200
    assert "|page=1|" in response.get_data(as_text=True)


def test_object_list_past_the_end_is_404(blog_app: Flask) -> None:
    assert blog_app.test_client().get("/blog/?page=4").status_code == 404


def test_object_list_var_name_and_model_class(blog_app: Flask) -> None:
    client = blog_app.test_client()
    assert client.get("/named/").get_data(as_text=True) == "7"
    assert client.get("/named/?page=7").get_data(as_text=True) == "3"


def test_object_list_of_an_empty_table_is_200(blog_app: Flask, blog: type[peewee.Model]) -> None:
    blog.delete().execute()
    blog._meta.database.close()
    response = blog_app.test_client().get("/blog/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "|page=1|pages=1|extra=x"


def test_get_object_or_404(app: Flask, blog: type[peewee.Model]) -> None:
    active = blog.select().where(blog.active == True)  # noqa: E712
    assert get_object_or_404(active, blog.title == "b04").title == "b04"
    assert get_object_or_404(blog, blog.title == "b05").title == "b05"
    assert get_object_or_404(blog, blog.title == "b05", blog.active == False).active is False  # noqa: E712
    with pytest.raises(NotFound):
        get_object_or_404(active, blog.title == "b05")
    with pytest.raises(NotFound):
        get_object_or_404(blog, blog.title == "missing")


def test_get_object_or_404_in_a_view(app: Flask, blog: type[peewee.Model]) -> None:
    @app.route("/blog/<title>/")
    def detail(title):
        return get_object_or_404(blog.select().where(blog.active == True), blog.title == title).title  # noqa: E712

    @app.route("/blog/by-id/<raw>/")
    def by_id(raw):
        return get_object_or_404(blog, blog.id == raw).title

    client = app.test_client()
    assert client.get("/blog/b02/").get_data(as_text=True) == "b02"
    assert client.get("/blog/b03/").status_code == 404
    # values a hostile URL holds that the database cannot compare are a 404 as well
    assert client.get("/blog/nope%00/").status_code == 404
    for raw in ("abc", "99999999999999999999"):
        assert client.get(f"/blog/by-id/{raw}/").status_code == 404
    first = blog.select(blog.id).order_by(blog.id).first().id
    assert client.get(f"/blog/by-id/{first}/").status_code == 200


HUGE_PAGES = ["99999999999999999999", "9223372036854775807", "9223372036854775808", "4611686018427387904", "9" * 5000]


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_object_list_huge_page_is_404_not_500(blog_app: Flask, page: str) -> None:
    # bigint out of range on PostgreSQL, OverflowError on SQLite, before the page was clamped
    client = blog_app.test_client()
    for url in ("/blog/", "/active/", "/named/"):
        assert client.get(url, query_string={"page": page}).status_code == 404


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_huge_page_gives_an_empty_list(app: Flask, blog: type[peewee.Model], page: str) -> None:
    for paginate_by in (1, 20, 10**6):
        with app.test_request_context("/", query_string={"page": page}):
            pq = PaginatedQuery(blog.select().order_by(blog.id), paginate_by)
            assert pq.get_page() >= 2**62
            assert pq.is_out_of_range() is True
            assert pq.get_list() == []


def test_clamp_page_and_parse_page() -> None:
    assert parse_page("3") == 3
    assert parse_page("+3") == 3
    assert parse_page(" 0003 ") == 3
    assert parse_page("0" * 30 + "7") == 7
    assert parse_page("9" * 5000) == MAX_OFFSET
    assert parse_page(str(2**70)) == MAX_OFFSET
    assert parse_page(None) == 1
    assert clamp_page(5, 20) == 5
    assert clamp_page(MAX_OFFSET, 20) == MAX_OFFSET // 20
    assert (clamp_page(MAX_OFFSET, 20) - 1) * 20 + 20 <= MAX_OFFSET
    assert clamp_page(MAX_OFFSET, 1) == MAX_OFFSET
    assert clamp_page(0, 20) == 1


def test_page_just_past_the_end_is_unchanged(app: Flask, blog: type[peewee.Model]) -> None:
    with app.test_request_context("/?page=4"):
        pq = PaginatedQuery(blog.select().order_by(blog.id))
        assert pq.get_page() == 4  # not clamped to the last page: a 404 for HTML views
        assert pq.get_list() == []


# -- the original's surface -----------------------------------------------------------------


def test_original_surface(app: Flask, blog: type[peewee.Model]) -> None:
    with app.test_request_context("/?page=2"):
        pq = PaginatedQuery(blog, 20)
        assert pq.page_var == "page"
        assert pq.model is blog
        assert pq.paginate_by == 20
        assert pq.get_page() == 2
        assert pq.get_count() == 45
        assert pq.get_pages() == 3
        assert len(pq.get_list()) == 20
        assert pq.get_page_range() == [1, 2, 3]


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    ("page", "window", "expected"),
    [
        ("1", 3, [1, 2, 3, 4, None, 20]),
        ("10", 3, [1, None, 7, 8, 9, 10, 11, 12, 13, None, 20]),
        ("10", 1, [1, None, 9, 10, 11, None, 20]),
        ("20", 2, [1, None, 18, 19, 20]),
        ("99", 2, [1, None, 18, 19, 20]),
        ("5", 3, [1, 2, 3, 4, 5, 6, 7, 8, None, 20]),
    ],
)
def test_get_page_range(app: Flask, blog: type[peewee.Model], page: str, window: int, expected: list) -> None:
    blog.insert_many([{"title": f"c{i}"} for i in range(355)]).execute()  # 400 rows: 20 pages of 20
    with app.test_request_context("/", query_string={"page": page}):
        assert PaginatedQuery(blog, 20).get_page_range(window) == expected


def test_subclass_overrides_are_used_by_object_list(blog_app: Flask, blog: type[peewee.Model]) -> None:
    class FromPath(PaginatedQuery):
        page_var = "p"

        def get_page(self) -> int:
            return int(request.view_args["n"])

        def get_pages(self) -> int:
            return 2  # this app shows at most two pages

    @blog_app.route("/paged/<int:n>/")
    def paged(n):
        return object_list("blog/index.html", FromPath(blog.select().order_by(blog.id), 20))

    client = blog_app.test_client()
    second = client.get("/paged/2/").get_data(as_text=True)
    assert second.startswith("[b20]")
    assert "|page=2|pages=2|" in second
    assert client.get("/paged/3/").status_code == 404  # past the overridden last page
