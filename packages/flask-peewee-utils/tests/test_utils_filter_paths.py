"""What may be filtered, from one place: key splitting, operators per field, allowed paths (issue 29)."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.utils import (
    OPERATORS,
    REGEX_OPERATORS,
    QueryError,
    field_operators,
    filterable_path,
    parse_filters,
    path_allowed,
    split_filter_key,
)


class Group(peewee.Model):
    name = peewee.CharField()


class Person(peewee.Model):
    __sensitive_fields__ = ("password",)
    username = peewee.CharField()
    password = peewee.CharField()
    group = peewee.ForeignKeyField(Group, null=True)


class JSONField(peewee.Field):
    field_type = "JSON"


class Row(peewee.Model):
    person = peewee.ForeignKeyField(Person)
    title = peewee.CharField()
    body = peewee.TextField()
    count = peewee.IntegerField()
    price = peewee.DecimalField()
    done = peewee.BooleanField()
    when = peewee.DateTimeField()
    day = peewee.DateField()
    ident = peewee.UUIDField()
    blob = peewee.BlobField()
    data = JSONField()


SAMPLES = {
    "person": "1",
    "title": "a",
    "body": "a",
    "count": "1",
    "price": "1.5",
    "done": "true",
    "when": "2011-09-16T18:36:15",
    "day": "2011-09-16",
    "ident": "12345678-1234-5678-1234-567812345678",
    "blob": "YQ==",
    "data": "null",
}


def accepts(model: type[peewee.Model], key: str, value: str, operators: tuple[str, ...] = OPERATORS) -> bool:
    try:
        parse_filters(model, {key: value}, operators=operators)
    except QueryError:
        return False
    return True


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("username", ("username", "eq")),
        ("username__ilike", ("username", "ilike")),
        ("person__group__name__in", ("person__group__name", "in")),
        ("person__group", ("person__group", "eq")),
        ("title__regexp", ("title", "regexp")),
        ("title__startswith", ("title__startswith", "eq")),
    ],
)
def test_split_filter_key(key: str, expected: tuple[str, str]) -> None:
    assert split_filter_key(key) == expected


def test_split_filter_key_with_the_operators_a_caller_knows() -> None:
    assert split_filter_key("title__regexp", OPERATORS) == ("title__regexp", "eq")
    assert split_filter_key("title__startswith", (*OPERATORS, "startswith")) == ("title", "startswith")


def test_field_operators_are_what_parse_filters_accepts() -> None:
    everything = OPERATORS + REGEX_OPERATORS
    for name, sample in SAMPLES.items():
        field = Row._meta.fields[name]
        for op in everything:
            value = "null" if op == "is" else ("a%" if op in ("like", "ilike") else sample)
            if op in REGEX_OPERATORS:
                value = "^a"
            accepted = accepts(Row, f"{name}__{op}", value, everything)
            assert accepted == (op in field_operators(field, everything)), (name, op)


def test_field_operators_by_kind() -> None:
    fields = Row._meta.fields
    assert field_operators(fields["title"]) == OPERATORS
    assert field_operators(fields["body"], OPERATORS + REGEX_OPERATORS) == OPERATORS + REGEX_OPERATORS
    assert field_operators(fields["count"]) == ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is")
    assert field_operators(fields["person"]) == ("eq", "ne", "lt", "lte", "gt", "gte", "in", "is")
    assert field_operators(fields["data"]) == ("is",)
    assert field_operators(fields["title"], ("eq", "ilike", "startswith")) == ("eq", "ilike")


def test_filterable_path_follows_the_parsers_rules() -> None:
    chain = filterable_path(Row, "person__group__name")
    assert chain == (Row.person, Person.group, Group.name)
    assert filterable_path(Row, "person__username") == (Row.person, Person.username)
    assert filterable_path(Row, "person_id") == (Row.person,)
    assert filterable_path(Row, "person__password") is None  # sensitive
    assert filterable_path(Row, "nosuch") is None
    assert filterable_path(Row, "title__name") is None  # not a foreign key
    assert filterable_path(Row, "person__username", recursive=False) is None
    assert filterable_path(Row, "person__username", exclude=("person",)) is None
    assert filterable_path(Row, "person__username", fields=("person__username",)) is not None
    assert filterable_path(Row, "person", fields=("person__username",)) is None
    for path in ("person__group__name", "person__password", "nosuch", "person", "title"):
        assert (filterable_path(Row, path) is not None) == accepts(Row, path, "1")


def test_path_allowed_partial_opens_the_way_to_a_listed_path() -> None:
    assert not path_allowed(["person"], ("person__username",), ())
    assert path_allowed(["person"], ("person__username",), (), partial=True)
    assert not path_allowed(["person"], ("person__username",), ("person",), partial=True)
    assert not path_allowed(["title"], ("person__username",), (), partial=True)
    assert path_allowed(["person", "username"], None, ("person__group",))
    assert not path_allowed(["person", "group", "name"], None, ("person__group",))
