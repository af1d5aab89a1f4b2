"""Django-style filters on SQLite, PostgreSQL and MariaDB: operators, joins, the whitelist and secrets."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from flask_peewee.utils import (
    DEFAULT_IGNORED_PARAMS,
    OPERATORS,
    QueryError,
    apply_filters,
    apply_ordering,
    parse_filters,
)


def usernames(query) -> set[str]:
    return {u.username for u in query}


def users_where(models: SimpleNamespace, query_string: str, **options) -> set[str]:
    from urllib.parse import parse_qsl

    args = MultiDict(parse_qsl(query_string, keep_blank_values=True))
    return usernames(apply_filters(models.User.select(), args, **options))


def test_documented_operators() -> None:
    assert OPERATORS == ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is", "like", "ilike")


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("username=admin", {"admin"}),
        ("username__eq=admin", {"admin"}),
        ("age__ne=30", {"Alice", "Élodie", "x_y%z", "xAy"}),
        ("age__lt=25", {"x_y%z", "xAy"}),
        ("age__lte=25", {"Alice", "x_y%z", "xAy"}),
        ("age__gt=30", {"Élodie"}),
        ("age__gte=30", {"admin", "Élodie"}),
        ("age__gt=19&age__lt=30", {"Alice", "xAy"}),
        ("active=false", {"bob"}),
        ("active=1", {"admin", "Alice", "Élodie", "x_y%z", "xAy"}),
    ],
)
def test_comparison_operators(models: SimpleNamespace, query_string: str, expected: set[str]) -> None:
    assert users_where(models, query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("age__in=25,30", {"admin", "Alice"}),
        ("age__in=25&age__in=41", {"Alice", "Élodie"}),
        ("age__in=25,30&age__in=41", {"admin", "Alice", "Élodie"}),
        ("username__in=bob,xAy", {"bob", "xAy"}),
    ],
)
def test_in_takes_commas_and_repeated_parameters(
    models: SimpleNamespace, query_string: str, expected: set[str]
) -> None:
    assert users_where(models, query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("age__is=null", {"bob"}),
        ("age__is=None", {"bob"}),
        ("active__is=false", {"bob"}),
        ("active__is=TRUE", {"admin", "Alice", "Élodie", "x_y%z", "xAy"}),
    ],
)
def test_is_takes_null_true_false(models: SimpleNamespace, query_string: str, expected: set[str]) -> None:
    assert users_where(models, query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("username__like=a%", {"admin"}),
        ("username__like=A%", {"Alice"}),
        ("username__like=%A%", {"Alice", "xAy"}),
        ("username__like=_lodie", {"Élodie"}),
        ("username__like=élodie", set()),
        ("username__like=x_y%", {"x_y%z", "xAy"}),
        ("username__like=x\\_y%", {"x_y%z"}),
        ("username__like=%\\%%", {"x_y%z"}),
        ("username__like=[ab]%", set()),
        ("username__like=*", set()),
        ("email__like=%.org", {"bob", "Élodie"}),
    ],
)
def test_like_is_case_sensitive_on_every_backend(
    models: SimpleNamespace, query_string: str, expected: set[str]
) -> None:
    assert users_where(models, query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("username__ilike=a%", {"admin", "Alice"}),
        ("username__ilike=%A%", {"admin", "Alice", "xAy"}),
        ("username__ilike=ÉLODIE", {"Élodie"}),
        ("username__ilike=élodie", {"Élodie"}),
        ("username__ilike=elodie", set()),
        ("username__ilike=X\\_Y%", {"x_y%z"}),
        ("username__ilike=x_y%", {"x_y%z", "xAy"}),
    ],
)
def test_ilike_is_case_insensitive_on_every_backend(
    models: SimpleNamespace, query_string: str, expected: set[str]
) -> None:
    assert users_where(models, query_string) == expected


def test_join_traversal(models: SimpleNamespace) -> None:
    query = apply_filters(models.Message.select(), {"user__username": "admin"})
    assert sorted(m.content for m in query) == ["flask and peewee", "third"]
    query = apply_filters(models.Message.select(), MultiDict([("user__age__gte", "30"), ("content__like", "t%")]))
    assert [m.content for m in query] == ["third"]


def test_two_foreign_keys_to_one_model_use_separate_joins(models: SimpleNamespace) -> None:
    rel = models.Relationship
    query = apply_filters(rel.select(), {"from_user__username": "admin", "to_user__username": "Alice"})
    pairs = [(r.from_user.username, r.to_user.username) for r in query]
    assert pairs == [("admin", "Alice")]
    query = apply_filters(rel.select(), {"from_user__username": "Alice", "to_user__username": "admin"})
    assert query.count() == 1
    query = apply_filters(rel.select(), {"from_user__age__gte": "30", "to_user__active": "false"})
    assert [(r.from_user.username, r.to_user.username) for r in query] == [("admin", "bob")]


def test_foreign_key_by_id_and_by_id_name(models: SimpleNamespace) -> None:
    admin_id = models.users["admin"].id
    by_name = apply_filters(models.Message.select(), {"user": str(admin_id)})
    by_id_name = apply_filters(models.Message.select(), {"user_id": str(admin_id)})
    by_in = apply_filters(models.Message.select(), {"user__in": f"{admin_id},{models.users['bob'].id}"})
    assert by_name.count() == by_id_name.count() == 2
    assert by_in.count() == 3
    assert apply_filters(models.Message.select(), {"user__id": str(admin_id)}).count() == 2


def test_datetime_and_decimal_values(models: SimpleNamespace) -> None:
    message = models.Message
    assert apply_filters(message.select(), {"pub_date": "2011-09-16 18:36:15"}).count() == 1
    assert apply_filters(message.select(), {"pub_date": "2011-09-16T18:36:15"}).count() == 1
    assert apply_filters(message.select(), {"pub_date__gte": "2011-09-20"}).count() == 2
    assert apply_filters(message.select(), {"pub_date__lt": "2011-09-22T13:25:02+02:00"}).count() == 1
    assert apply_filters(message.select(), {"score__gte": "1.25"}).get().content == "third"
    assert apply_filters(message.select(), {"score__is": "null"}).count() == 2


def test_uuid_values(models: SimpleNamespace) -> None:
    note = models.Note.create(title="n")
    assert models.Note.create(title="other").id != note.id
    assert apply_filters(models.Note.select(), {"id": str(note.id)}).get().title == "n"
    assert apply_filters(models.Note.select(), {"id": str(note.id).upper()}).get().title == "n"
    with pytest.raises(QueryError, match="'id'"):
        apply_filters(models.Note.select(), {"id": "not-a-uuid"})


def test_joined_filters_count_and_paginate(models: SimpleNamespace) -> None:
    query = apply_filters(models.Message.select().order_by(models.Message.id), {"user__username__in": "admin,bob"})
    assert query.count() == 3
    assert [m.content for m in query.paginate(2, 2)] == ["third"]


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ({"nope": "1"}, "nope"),
        ({"username__startswith": "a"}, "username__startswith"),
        ({"age": "abc"}, "age"),
        ({"age": "1.5"}, "age"),
        ({"age": "99999999999999999999999"}, "age"),
        ({"age__in": "1,x"}, "age__in"),
        ({"age__is": "true"}, "age__is"),
        ({"active__is": "maybe"}, "active__is"),
        ({"active": "maybe"}, "active"),
        ({"age__like": "1%"}, "age__like"),
        ({"username__like": "abc\\"}, "username__like"),
        ({"username": "a\x00b"}, "username"),
        ({"username__": "a"}, "username__"),
        ({"__username": "a"}, "__username"),
        ({"username__eq__eq": "a"}, "username__eq__eq"),
        ({"id__gt": "NaN"}, "id__gt"),
    ],
)
def test_bad_filters_raise_one_error_type_naming_the_parameter(
    models: SimpleNamespace, args: dict[str, str], param: str
) -> None:
    with pytest.raises(QueryError) as info:
        apply_filters(models.User.select(), args)
    assert isinstance(info.value, ValueError)
    assert info.value.param == param
    assert repr(param) in str(info.value)


def test_bad_values_on_related_models(models: SimpleNamespace) -> None:
    with pytest.raises(QueryError, match="'pub_date__gt'"):
        apply_filters(models.Message.select(), {"pub_date__gt": "yesterday"})
    with pytest.raises(QueryError, match="'user__age'"):
        apply_filters(models.Message.select(), {"user__age": "old"})
    with pytest.raises(QueryError, match="'user__nope'"):
        apply_filters(models.Message.select(), {"user__nope": "1"})
    with pytest.raises(QueryError, match="'content__username'"):
        apply_filters(models.Message.select(), {"content__username": "1"})
    with pytest.raises(QueryError, match="'user_id__username'"):
        apply_filters(models.Message.select(), {"user_id__username": "admin"})


@pytest.mark.parametrize(
    "args",
    [
        {"password": "secret-admin"},
        {"password__like": "secret%"},
        {"password__startswith": "s"},
    ],
)
def test_sensitive_fields_are_never_filterable(models: SimpleNamespace, args: dict[str, str]) -> None:
    with pytest.raises(QueryError):
        apply_filters(models.User.select(), args)
    with pytest.raises(QueryError):
        apply_filters(models.User.select(), args, fields=("password", "username"))


@pytest.mark.parametrize(
    "key", ["user__password", "user__password__startswith", "user__password__like", "user__password__in"]
)
def test_sensitive_fields_are_not_filterable_through_joins(models: SimpleNamespace, key: str) -> None:
    with pytest.raises(QueryError) as info:
        apply_filters(models.Message.select(), {key: "a"}, fields=("user", "user__password"))
    assert info.value.param == key
    with pytest.raises(QueryError):
        apply_filters(models.Relationship.select(), {key.replace("user", "from_user", 1): "a"})


def test_whitelist_and_exclude(models: SimpleNamespace) -> None:
    message = models.Message.select()
    assert apply_filters(message, {"content": "third"}, fields=("content",)).count() == 1
    with pytest.raises(QueryError, match="'user__username'"):
        apply_filters(message, {"user__username": "admin"}, fields=("content",))
    # a whitelisted foreign key covers the fields behind it
    assert apply_filters(message, {"user__username": "admin"}, fields=("user",)).count() == 2
    assert apply_filters(message, {"user__username": "admin"}, fields=("user__username",)).count() == 2
    with pytest.raises(QueryError):
        apply_filters(message, {"user__email": "x"}, fields=("user__username",))
    with pytest.raises(QueryError, match="'user__email__like'"):
        apply_filters(message, {"user__email__like": "%"}, exclude=("user__email",))
    with pytest.raises(QueryError):
        apply_filters(message, {"user__username": "admin"}, exclude=("user",))
    with pytest.raises(QueryError):
        apply_filters(message, {"user": "1"}, exclude=("user",))


def test_recursive_false_allows_no_joins(models: SimpleNamespace) -> None:
    admin_id = models.users["admin"].id
    assert apply_filters(models.Message.select(), {"user": str(admin_id)}, recursive=False).count() == 2
    with pytest.raises(QueryError, match="'user__username'"):
        apply_filters(models.Message.select(), {"user__username": "admin"}, recursive=False)


def test_paging_and_auth_parameters_are_not_filters(models: SimpleNamespace) -> None:
    assert {"page", "limit", "ordering", "key", "secret"} <= DEFAULT_IGNORED_PARAMS
    args = MultiDict([("page", "2"), ("limit", "1"), ("ordering", "-id"), ("key", "k"), ("secret", "s")])
    assert apply_filters(models.User.select(), args).count() == 6
    with pytest.raises(QueryError, match="'q'"):
        apply_filters(models.User.select(), {"q": "x"})
    assert apply_filters(models.User.select(), {"q": "x"}, ignore=DEFAULT_IGNORED_PARAMS | {"q"}).count() == 6


def test_model_classes_are_accepted_and_other_things_refused(models: SimpleNamespace) -> None:
    assert usernames(apply_filters(models.User, {"age__gte": "41"})) == {"Élodie"}
    assert [u.age for u in apply_ordering(models.User, "-age")][:2] == [41, 30]
    with pytest.raises(TypeError, match="model select"):
        apply_filters("User", {})
    with pytest.raises(TypeError, match="model select"):
        apply_ordering(models.User.select().dicts().tuples().objects().sql(), "age")


def test_plain_mappings_with_lists(models: SimpleNamespace) -> None:
    assert users_where(models, "") == usernames(models.User.select())
    query = apply_filters(models.User.select(), {"username__in": ["admin", "bob"], "active": True})
    assert usernames(query) == {"admin"}


def test_parse_filters_gives_structured_filters(models: SimpleNamespace) -> None:
    args = MultiDict([("user__username__ilike", "AD%"), ("pub_date__gte", "2011-09-16 18:36:15"), ("id__in", "1,2")])
    filters = parse_filters(models.Message, args)
    assert [(f.param, f.name, f.op) for f in filters] == [
        ("user__username__ilike", "user__username", "ilike"),
        ("pub_date__gte", "pub_date", "gte"),
        ("id__in", "id", "in"),
    ]
    assert filters[0].path == ("user", "username")
    assert filters[0].field is models.User.username
    assert filters[0].value == "AD%"
    assert filters[1].value.isoformat() == "2011-09-16T18:36:15"
    assert filters[2].value == [1, 2]
    assert filters[2].raw == "1,2"


def test_repeated_non_in_parameters_must_all_hold(models: SimpleNamespace) -> None:
    assert users_where(models, "username__like=%25a%25&username__like=%25d%25") == {"admin"}
