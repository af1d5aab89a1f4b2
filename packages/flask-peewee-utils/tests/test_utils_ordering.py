"""Ordering from ``ordering=field`` / ``-field`` on every backend."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flask_peewee.utils import QueryError, apply_filters, apply_ordering, parse_ordering


def ages(query) -> list[int]:
    return [u.age for u in query]


def test_ascending_and_descending(models: SimpleNamespace) -> None:
    users = models.User.select().where(models.User.age.is_null(False))
    assert ages(apply_ordering(users, "age")) == [19, 20, 25, 30, 41]
    assert ages(apply_ordering(users, "-age")) == [41, 30, 25, 20, 19]


def test_nulls_sort_last_in_both_directions(models: SimpleNamespace) -> None:
    assert ages(apply_ordering(models.User, "age")) == [19, 20, 25, 30, 41, None]
    assert ages(apply_ordering(models.User, "-age")) == [41, 30, 25, 20, 19, None]


def test_several_fields_as_string_or_list(models: SimpleNamespace) -> None:
    messages = models.Message.select()
    admin, bob = models.users["admin"].id, models.users["bob"].id
    by_string = apply_ordering(messages, "-user_id,pub_date")
    by_list = apply_ordering(messages, ["-user", "pub_date"])
    expected_users = sorted([admin, admin, bob], reverse=True)
    for query in (by_string, by_list):
        rows = list(query)
        assert [m.user_id for m in rows] == expected_users
    admin_rows = [m.content for m in by_list if m.user_id == admin]
    assert admin_rows == ["flask and peewee", "third"]


def test_ordering_replaces_an_existing_order(models: SimpleNamespace) -> None:
    users = models.User.select().where(models.User.age.is_null(False)).order_by(models.User.age.desc())
    assert ages(apply_ordering(users, "age"))[0] == 19


@pytest.mark.parametrize("ordering", [None, "", " , ", []])
def test_no_ordering_leaves_the_query(models: SimpleNamespace, ordering) -> None:
    users = models.User.select().order_by(models.User.id.desc())
    assert [u.id for u in apply_ordering(users, ordering)] == [u.id for u in users]


@pytest.mark.parametrize(
    "ordering", ["password", "-password", "nope", "user__username", "-", "--age", "age,nope", "username__like"]
)
def test_only_real_non_sensitive_columns(models: SimpleNamespace, ordering: str) -> None:
    with pytest.raises(QueryError) as info:
        apply_ordering(models.User.select(), ordering)
    assert info.value.param == "ordering"
    assert "'ordering'" in str(info.value)


def test_sensitive_field_refused_even_when_whitelisted(models: SimpleNamespace) -> None:
    with pytest.raises(QueryError):
        apply_ordering(models.User.select(), "password", fields=("password",))


def test_whitelist_and_exclude(models: SimpleNamespace) -> None:
    users = models.User.select().where(models.User.age.is_null(False))
    assert ages(apply_ordering(users, "-age", fields=("age", "username"))) == [41, 30, 25, 20, 19]
    with pytest.raises(QueryError):
        apply_ordering(users, "email", fields=("age",))
    with pytest.raises(QueryError):
        apply_ordering(users, "age", exclude=("age",))
    with pytest.raises(QueryError, match="'sort'"):
        apply_ordering(users, "nope", param="sort")


@pytest.mark.backends("sqlite")
def test_parse_ordering_gives_fields_and_directions(models: SimpleNamespace) -> None:
    pairs = parse_ordering(models.Message, "-pub_date, user_id")
    assert pairs == [(models.Message.pub_date, True), (models.Message.user, False)]
    with pytest.raises(QueryError):
        parse_ordering(models.Message, [3])  # type: ignore[list-item]


def test_filters_and_ordering_together(models: SimpleNamespace) -> None:
    query = apply_filters(models.Message.select(), {"user__username": "admin"})
    query = apply_ordering(query, "-pub_date")
    assert [m.content for m in query] == ["third", "flask and peewee"]
