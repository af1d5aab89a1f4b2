"""Property-based runs of the admin (hypothesis, bounded, derandomized, SQLite in CI): list parameters and forms.

No answer is a 5xx, and a form post writes no column that the form did not show. A release check raises the
example count and adds PostgreSQL (see docs/contributing.rst):
FLASK_PEEWEE_TEST_FUZZ_EXAMPLES=1000 FLASK_PEEWEE_TEST_FUZZ_BACKENDS=sqlite,postgres
"""

from __future__ import annotations

import datetime
import os
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_peewee.admin import Admin, ModelAdmin
from tests.conftest import make_user

MAX_EXAMPLES = int(os.environ.get("FLASK_PEEWEE_TEST_FUZZ_EXAMPLES", "50"))
FUZZ_BACKENDS = tuple(os.environ.get("FLASK_PEEWEE_TEST_FUZZ_BACKENDS", "sqlite").split(","))
pytestmark = pytest.mark.backends(*FUZZ_BACKENDS)

SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)

_PATHS = [
    "id",
    "content",
    "message",
    "created",
    "pub_date",
    "user",
    "user__username",
    "user__password",
    "user__id",
    "username",
    "email",
    "password",
    "active",
    "admin",
    "join_date",
    "notes",
    "messages__content",
    "nope",
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
            "true",
            "false",
            "on",
            "1,2",
            "%",
            "_",
            "2024-01-02",
            "2024-01-02 03:04:05",
            "9" * 30,
            "NaN",
            "\x00",
            "\u2603",
            "'",
            "<b>",
        ]
    ),
    st.text(max_size=12),
)
_KEYS = st.builds(
    lambda path, op: f"{path}__{op}" if op else path, st.sampled_from(_PATHS), st.sampled_from(_OPERATORS)
)
_SPECIAL = st.fixed_dictionaries(
    {},
    optional={
        "page": st.one_of(st.integers(-3, 10**20).map(str), st.text(max_size=5)),
        "ordering": st.builds(lambda s, p: s + p, st.sampled_from(["", "-"]), st.sampled_from(_PATHS)),
        "q": st.text(max_size=8),
        "field": st.sampled_from(["user", "content", "nope", ""]),
        "query": st.text(max_size=8),
    },
)


class NoteAdmin(ModelAdmin):
    columns = ("message", "created")
    fields = ("message",)  # created and user are not in the form: a post must never write them


class MessageAdmin(ModelAdmin):
    columns = ("content", "user")
    foreign_key_lookups = {"user": "username"}
    search_fields = ("content", "user__username")


@pytest.fixture
def site(app: Flask, db: Any, auth: Any, models: Any) -> Any:
    admin = Admin(app, auth)
    admin.register(models.Note, NoteAdmin)
    admin.register(models.Message, MessageAdmin)
    auth.register_admin(admin)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    with app.app_context():
        models.Message.create(user=boss, content="hello")
        models.Note.create(message="note", created=datetime.datetime(2020, 1, 1))
    db.database.close()
    client = app.test_client()
    from flask_peewee.auth.testing import log_in

    log_in(client, boss)
    return client


def test_list_parameters_never_fail_the_server(site: Any, app: Flask, models: Any) -> None:
    statuses: dict[str, set[int]] = {}
    with app.app_context():
        hashes = [u.password for u in models.User.select()]

    @given(
        url=st.sampled_from(["/admin/message/", "/admin/user/", "/admin/note/", "/admin/message/lookup/"]),
        pairs=st.lists(st.tuples(_KEYS, _VALUES), max_size=4),
        special=_SPECIAL,
    )
    @settings(SETTINGS, max_examples=MAX_EXAMPLES * 4)
    def check(url: str, pairs: list[tuple[str, str]], special: dict[str, str]) -> None:
        response = site.get(url, query_string=[*pairs, *special.items()])
        assert response.status_code < 500, (url, pairs, special, response.get_data(as_text=True)[:2000])
        text = response.get_data(as_text=True)
        assert not any(h in text for h in hashes), "a password hash was shown"
        statuses.setdefault(url, set()).add(response.status_code)

    check()
    assert all(200 in codes for codes in statuses.values()), statuses


_FORM_VALUES = st.one_of(
    st.sampled_from(["", "x", "1", "0", "y", "on", "2024-01-02 03:04:05", "9" * 30, "\x00", "<script>", "boss"]),
    st.text(max_size=20),
)
_EXTRA = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "created",
            "user",
            "admin",
            "active",
            "password",
            "join_date",
            "username",
            "email",
            "message",
            "nope",
            "_fp_version",
            "csrf_token",
        ]
    ),
    _FORM_VALUES,
    max_size=5,
)


class _FormValues(HTMLParser):
    """What a browser would post for the page's form, untouched: inputs, checked boxes, selected options, text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.names: set[str] = set()  # every control the form shows, unchecked boxes included
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if name and tag in ("input", "select", "textarea"):
            self.names.add(name)
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.values):
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def _form_values(page: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(page)
    return parser.values


def _form_names(page: str) -> set[str]:
    parser = _FormValues()
    parser.feed(page)
    return parser.names


def _row(model: Any, pk: Any) -> dict[str, Any]:
    return model.select().where(model._meta.primary_key == pk).dicts().get()


@pytest.mark.parametrize("target", ["note", "user"])
def test_form_posts_never_fail_and_write_only_what_the_form_shows(
    site: Any, app: Flask, auth: Any, models: Any, target: str
) -> None:
    model = models.Note if target == "note" else models.User
    with app.app_context():
        if target == "user":
            pk = make_user(app, auth, "victim").id
        else:
            pk = models.Note.create(message="edit me", created=datetime.datetime(2020, 1, 1)).id
    url = f"/admin/{target}/{pk}/"
    page = site.get(url).get_data(as_text=True)
    # a datetime is shown as two inputs, join_date-date and join_date-time, both of join_date
    shown = {name.split("-")[0] for name in _form_names(page)} - {"csrf_token", "_fp_version", "next"}
    assert shown
    statuses: set[int] = set()
    written: set[str] = set()

    @given(data=_EXTRA, keep_token=st.booleans())
    @SETTINGS
    def check(data: dict[str, str], keep_token: bool) -> None:
        form = site.get(url).get_data(as_text=True)
        with app.app_context():
            before = _row(model, pk)
            count = model.select().count()
        body = _form_values(form) if keep_token else {}
        body.update(data)
        response = site.post(url, data=body)
        assert response.status_code < 500, (data, response.get_data(as_text=True)[:2000])
        statuses.add(response.status_code)
        with app.app_context():
            after = _row(model, pk)
            assert model.select().count() == count  # an edit never adds or removes rows
        changed = {name for name in after if after[name] != before[name]}
        assert changed <= shown, f"{changed - shown} written though the form does not show them ({data})"
        written.update(changed)

    check()
    # the run reached the writes: accepted posts changed what the form shows, bad ones were re-shown
    assert {200, 302} <= statuses, statuses
    assert written, "no post was accepted"


def test_an_untouched_datetime_keeps_its_fraction_of_a_second(site: Any, app: Flask, auth: Any, models: Any) -> None:
    """Found by the run above: the form shows datetimes to the second, and saving it cut the stored microseconds."""
    joined = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
    with app.app_context():
        pk = make_user(app, auth, "precise", join_date=joined).id
        joined = models.User.get_by_id(pk).join_date  # as the backend stores it (MariaDB keeps whole seconds)
    url = f"/admin/user/{pk}/"
    body = {**_form_values(site.get(url).get_data(as_text=True)), "email": "new@example.com"}
    assert site.post(url, data=body).status_code == 302
    with app.app_context():
        user = models.User.get_by_id(pk)
        assert (user.email, user.join_date) == ("new@example.com", joined)
    body = {**_form_values(site.get(url).get_data(as_text=True)), "join_date-time": "07:08:10"}
    assert site.post(url, data=body).status_code == 302
    with app.app_context():
        assert models.User.get_by_id(pk).join_date == datetime.datetime(2024, 5, 6, 7, 8, 10)  # a change is written
