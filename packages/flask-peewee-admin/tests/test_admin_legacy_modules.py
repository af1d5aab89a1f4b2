"""``flask_peewee.filters`` and ``flask_peewee.forms``: the original's modules, as its docs and tests use them."""

from __future__ import annotations

import datetime
import re
from typing import Any

import peewee
import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

import flask_peewee.filters as filters_module
import flask_peewee.forms as forms_module
from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.filters import (
    ContainsQueryFilter,
    EqualQueryFilter,
    FieldTreeNode,
    FilterForm,
    FilterMapping,
    FilterModelConverter,
    QueryFilter,
    StartsWithQueryFilter,
    YearFilter,
    make_field_tree,
)
from flask_peewee.forms import (
    AjaxSelectWidget,
    BaseModelConverter,
    ChosenAjaxSelectWidget,
    LimitedModelSelectField,
    ScopedModelSelectField,
)
from tests.conftest import make_user

ORIGINAL_FILTER_NAMES = [
    "QueryFilter",
    "EqualQueryFilter",
    "NotEqualQueryFilter",
    "LessThanQueryFilter",
    "LessThanEqualToQueryFilter",
    "GreaterThanQueryFilter",
    "GreaterThanEqualToQueryFilter",
    "StartsWithQueryFilter",
    "ContainsQueryFilter",
    "YearFilter",
    "MonthFilter",
    "WithinDaysAgoFilter",
    "OlderThanDaysAgoFilter",
    "TimestampMixin",
    "TimestampEqualFilter",
    "TimestampNotEqualFilter",
    "TimestampLessThanFilter",
    "TimestampLessThanEqualToFilter",
    "TimestampGreaterThanFilter",
    "TimestampGreaterThanEqualToFilter",
    "BooleanEqualQueryFilter",
    "BooleanNotEqualQueryFilter",
    "FilterMapping",
    "FieldTreeNode",
    "make_field_tree",
    "SmallSelectWidget",
    "FilterForm",
    "DateTimeLocalField",
    "FilterModelConverter",
    "BaseModelConverter",
]
ORIGINAL_FORM_NAMES = [
    "BaseModelConverter",
    "AjaxSelectWidget",
    "ChosenAjaxSelectWidget",
    "LimitedModelSelectField",
    "ScopedModelSelectField",
]


def test_the_modules_import_with_every_original_name() -> None:
    for name in ORIGINAL_FILTER_NAMES:
        assert hasattr(filters_module, name), name
    for name in ORIGINAL_FORM_NAMES:
        assert hasattr(forms_module, name), name
    namespace: dict[str, Any] = {}
    exec("from flask_peewee.filters import *\nfrom flask_peewee.forms import *", namespace)  # noqa: S102
    assert set(ORIGINAL_FILTER_NAMES + ORIGINAL_FORM_NAMES) <= set(namespace)
    assert ChosenAjaxSelectWidget is AjaxSelectWidget
    # plain modules of the namespace, next to the admin package, never a flask_peewee/__init__.py
    assert filters_module.__file__.endswith("flask_peewee/filters.py")
    import flask_peewee

    assert getattr(flask_peewee, "__file__", None) is None


def test_filter_mapping_convert_and_query_filters(db: Any, models: Any) -> None:
    Message = models.Message
    mapping = FilterMapping()
    keys = [qf.key for qf in mapping.convert(Message.content)]
    assert keys == ["eq", "ne", "startswith", "contains"]
    date_keys = [qf.key for qf in mapping.convert(Message.pub_date)]
    assert date_keys[-4:] == ["within_days", "older_days", "year", "month"]
    assert [qf.key for qf in mapping.convert(Message.user)] == ["eq", "ne"]
    year = YearFilter(Message.pub_date, "pub date")
    assert year.clean("2024") == 2024
    assert year.operation() == "year equals"
    assert year.input_type == "number"
    with pytest.raises(ValueError, match="invalid literal"):
        year.clean("nope")
    equal = EqualQueryFilter(Message.content, "content", options=[("a", "A")])
    assert equal.get_options() == [("a", "A")]


def test_make_field_tree(db: Any, auth: Any, models: Any) -> None:
    tree = make_field_tree(models.Message, None, ["user__email"])
    assert isinstance(tree, FieldTreeNode)
    assert [f.name for f in tree.fields] == ["id", "user", "content", "pub_date"]
    user_names = [f.name for f in tree.children["user"].fields]
    assert "username" in user_names
    assert "email" not in user_names  # excluded
    assert "password" not in user_names  # sensitive, always
    only = make_field_tree(models.Message, ["content", "user__username"], None)
    assert [f.name for f in only.fields] == ["content"]
    assert [f.name for f in only.children["user"].fields] == ["username"]
    assert FieldTreeNode(models.Message, [], None).children == {}


class ShortQueryFilter(QueryFilter):
    """An app's own filter: text no longer than the value."""

    key = "shorter"

    def clean(self, value: Any) -> Any:
        return int(value)

    def query(self, value: Any) -> Any:
        return peewee.fn.LENGTH(self.field) < value

    def operation(self) -> str:
        return "shorter than"


class ShortFilterMapping(FilterMapping):
    string = (*FilterMapping.string, ShortQueryFilter)


@pytest.fixture
def mapped(app: Flask, db: Any, auth: Any, models: Any) -> Any:
    class MessageAdmin(ModelAdmin):
        columns = ("content",)
        filter_mapping = ShortFilterMapping

    admin = Admin(app, auth)
    admin.register(models.Message, MessageAdmin)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    with app.app_context():
        for content in ("hi", "hello there", "a much longer message", "Hello world"):
            models.Message.create(user=boss, content=content)
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client


def _rows(page: str) -> list[str]:
    return [c for c in ("hi", "hello there", "a much longer message", "Hello world") if f">{c}<" in page]


def test_custom_query_filter_of_a_custom_mapping_filters_the_list(mapped: Any) -> None:
    page = mapped.get("/admin/message/?content__shorter=6").get_data(as_text=True)
    assert _rows(page) == ["hi"]
    assert ">shorter than</option>" in page  # offered in the filter form
    # the filter form's rows (field, operator, value) lead to the same query string
    response = mapped.get("/admin/message/?_ff=content&_fo=shorter&_fv=12")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/message/?content__shorter=12")
    page = mapped.get("/admin/message/?content__shorter=nope").get_data(as_text=True)
    assert "Invalid value for content__shorter" in page
    assert _rows(page) == []


def test_original_stock_filters_work_in_the_admin(mapped: Any) -> None:
    page = mapped.get("/admin/message/?content__startswith=hel").get_data(as_text=True)
    assert _rows(page) == ["hello there", "Hello world"]
    page = mapped.get("/admin/message/?content__contains=LONG").get_data(as_text=True)
    assert _rows(page) == ["a much longer message"]
    year = datetime.date.today().year
    page = mapped.get(f"/admin/message/?pub_date__year={year}&content__startswith=h").get_data(as_text=True)
    assert _rows(page) == ["hi", "hello there", "Hello world"]
    response = mapped.get("/admin/message/?content__contains=%00")
    assert response.status_code == 200
    assert _rows(response.get_data(as_text=True)) == []


def test_original_filter_form_process_request(app: Flask, db: Any, auth: Any, models: Any) -> None:
    db.create_tables()
    with app.app_context():
        alice = auth.User.create(username="alice", email="a@x", admin=False, active=True, password="x")
        bob = auth.User.create(username="bob", email="b@x", admin=False, active=True, password="x")
        models.Message.create(user=alice, content="from alice")
        models.Message.create(user=bob, content="from bob")
        form = FilterForm(models.Message, FilterModelConverter(), FilterMapping())
        args = MultiDict([("fr_user-fo_username", "eq"), ("fr_user-fv_username", "bob")])
        with app.test_request_context("/", query_string=args):
            _form, query, cleaned = form.process_request(models.Message.select())
            assert [m.content for m in query] == ["from bob"]
            assert cleaned[0]["key"] == "eq"
            assert cleaned[0]["label"] == "user / username"
        args = MultiDict([("fo_content", "startswith"), ("fv_content", "FROM A")])
        with app.test_request_context("/", query_string=args):
            _form, query, _cleaned = form.process_request(models.Message.select())
            assert [m.content for m in query] == ["from alice"]
    db.database.close()


def test_original_form_helpers(app: Flask, db: Any, auth: Any, models: Any) -> None:
    db.create_tables()
    from wtfpeewee.orm import model_form

    with app.test_request_context():
        users = [
            auth.User.create(username=f"u{i:02}", email="", admin=False, active=True, password="x") for i in range(25)
        ]
        form_class = model_form(auth.User, only=("active",), converter=BaseModelConverter())
        assert "<select" in str(form_class().active)

        class PickForm(__import__("wtforms").Form):
            user = LimitedModelSelectField(model=auth.User)
            scoped = ScopedModelSelectField(query=auth.User.select().where(auth.User.username << ["u01", "u02"]))
            ajax = LimitedModelSelectField(model=auth.User, widget=AjaxSelectWidget("/admin/message/lookup/", "user"))

        form = PickForm(data={"user": users[24]})
        assert len(list(form.user.iter_choices())) == 21  # 20 shown, plus the current value
        assert str(form.scoped).count("<option") == 2
        rendered = str(form.ajax)
        assert 'data-role="ajax-select"' in rendered
        assert 'data-source="/admin/message/lookup/"' in rendered
        assert 'data-param="user"' in rendered
    db.database.close()


def test_contains_and_startswith_refuse_nul() -> None:
    field = peewee.CharField()
    for cls in (ContainsQueryFilter, StartsWithQueryFilter):
        with pytest.raises(ValueError, match="NUL"):
            cls(field, "name").clean("a\x00b")


def test_the_original_admins_filter_links_still_work(app: Flask, db: Any, auth: Any, models: Any) -> None:
    """The original's ``fo_``/``fv_`` query strings (from its own tests) lead to the same rows."""

    class UserAdmin(ModelAdmin):
        columns = ("username",)

    class NoteAdmin(ModelAdmin):
        columns = ("message",)

    admin = Admin(app, auth)
    auth.register_admin(admin, UserAdmin)
    admin.register(models.Note, NoteAdmin)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "admin", admin=True)
    normal = make_user(app, auth, "normal")
    make_user(app, auth, "normal2")
    with app.app_context():
        for user, name in ((boss, "a"), (normal, "n")):
            for i in range(2):
                models.Note.create(user=user, message=f"note-{name}{i}")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)

    def names(url: str, pattern: str) -> list[str]:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        import re

        return re.findall(pattern, response.get_data(as_text=True))

    user_cell = r'/admin/user/\d+/">(\w+)</a>'
    note_cell = r'/admin/note/\d+/">(note-\w+)</a>'
    assert names("/admin/user/?fo_username=0&fv_username=admin", user_cell) == ["admin"]
    two = "/admin/user/?fo_username=0&fv_username=admin&fo_username=0&fv_username=normal&ordering=-username"
    assert names(two, user_cell) == ["normal", "admin"]
    assert names("/admin/user/?fo_username=2&fv_username=norm&ordering=-username", user_cell) == ["normal2", "normal"]
    assert names("/admin/user/?fo_username=startswith&fv_username=norm&ordering=username", user_cell) == [
        "normal",
        "normal2",
    ]
    assert names(f"/admin/note/?fo_user=0&fv_user={normal.id}", note_cell) == ["note-n0", "note-n1"]
    assert names("/admin/note/?fr_user-fo_username=eq&fr_user-fv_username=admin", note_cell) == ["note-a0", "note-a1"]
    assert len(names("/admin/user/?fo_username=bogus&fv_username=admin", user_cell)) == 3  # ignored, as before
    # served in place (the original's links and tests read the page itself); bad values are ignored
    assert client.get("/admin/user/?fo_username=eq&fv_username=admin&q=x").status_code == 200
    assert len(names("/admin/user/?fo_join_date=within_days&fv_join_date=xyz", user_cell)) == 3
    assert names("/admin/user/?fo_join_date=within_days&fv_join_date=1&ordering=username", user_cell) == [
        "admin",
        "normal",
        "normal2",
    ]
    ids = {n: u.id for n, u in (("admin", boss), ("normal", normal))}
    # two operations on one field are ANDed, repeated uses of one are ORed
    both = f"/admin/user/?fo_id=eq&fv_id={ids['admin']}&fo_id=eq&fv_id={ids['normal']}&fo_id=gt&fv_id={ids['admin']}"
    assert names(both, user_cell) == ["normal"]
    for hostile in (
        "fo_id=eq&fv_id=99999999999999999999",
        "fo_id=7&fv_id=1",
        "fo_username=eq&fv_username=%00",
        "fo_join_date=year&fv_join_date=-1e999",
        "fr_user-fo_password=eq&fr_user-fv_password=x",
        "fo_password=eq&fv_password=x",
        "fr_nothing-fo_x=eq&fr_nothing-fv_x=1",
    ):
        assert client.get(f"/admin/user/?{hostile}").status_code == 200, hostile
        assert client.get(f"/admin/note/?{hostile}").status_code == 200, hostile


def test_the_original_admins_context_for_its_filters(app: Flask, db: Any, auth: Any, models: Any) -> None:
    """``active_filters`` and ``field_tree`` as the original's templates and tests read them."""
    from flask import template_rendered

    class NoteAdmin(ModelAdmin):
        columns = ("message",)

    admin = Admin(app, auth)
    auth.register_admin(admin)
    admin.register(models.Note, NoteAdmin)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "admin", admin=True)
    other = make_user(app, auth, "other")
    with app.app_context():
        models.Note.create(user=boss, message="n1")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    contexts: list[Any] = []
    with template_rendered.connected_to(lambda sender, template, context, **kw: contexts.append(context), app):
        client.get("/admin/user/?fo_username=startswith&fv_username=ad&fo_username=contains&fv_username=mi")
        active = contexts[-1]["active_filters"]
        assert [(f["key"], f["value"], f["label"]) for f in active] == [
            ("startswith", "ad", "username"),
            ("contains", "mi", "username"),
        ]
        op_html = str(active[0]["op_field"]())
        assert re.findall(r"<option[^>]*selected[^>]*>", op_html) == ['<option selected value="startswith">']
        assert 'value="mi"' in str(active[1]["value_field"]())
        client.get(f"/admin/note/?fo_user=eq&fv_user={other.id}")
        value_html = str(contexts[-1]["active_filters"][0]["value_field"]())
        assert re.findall(r"<option[^>]*selected[^>]*>", value_html) == [f'<option selected value="{other.id}">']
        assert [m.message for m in contexts[-1]["query"].get_list()] == []
        client.get("/admin/note/")
        tree = contexts[-1]["field_tree"]
        assert tree.model is models.Note
        assert [f.name for f in tree.fields] == ["id", "user", "message", "created"]
        user_node = tree.children["user"]
        assert user_node.model is auth.User
        assert "password" not in [f.name for f in user_node.fields]  # sensitive fields stay out
