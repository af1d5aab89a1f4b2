"""Regular-expression filters: off by default, a portable bounded subset, the same rows on every backend."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import MultiDict

from flask_peewee.utils import (
    MAX_REGEX_LENGTH,
    OPERATORS,
    REGEX_OPERATORS,
    QueryError,
    apply_filters,
    regex_problem,
)

WITH_REGEX = OPERATORS + REGEX_OPERATORS


def users_where(models: SimpleNamespace, query_string: str, **options) -> set[str]:
    args = MultiDict(parse_qsl(query_string, keep_blank_values=True))
    return {u.username for u in apply_filters(models.User.select(), args, **options)}


@pytest.mark.parametrize("op", ["regexp", "iregexp"])
def test_off_unless_turned_on(models: SimpleNamespace, op: str) -> None:
    with pytest.raises(QueryError) as caught:
        users_where(models, f"username__{op}=^a")
    assert caught.value.param == f"username__{op}"
    assert "not allowed" in caught.value.message


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("username__regexp=^a", {"admin"}),
        ("username__iregexp=^a", {"admin", "Alice"}),
        ("username__regexp=^[a-z]%2B$", {"admin", "bob"}),
        ("username__regexp=A", {"Alice", "xAy"}),
        ("username__iregexp=^x.y$", {"xAy"}),
        ("username__regexp=b|z$", {"bob", "x_y%z"}),
        ("username__regexp=^(?:ad|bo)", {"admin", "bob"}),
        ("username__regexp=%", {"x_y%z"}),
        ("username__regexp=\\d", set()),
        ("username__regexp=^.{3}$", {"bob", "xAy"}),
        ("username__regexp=o&username__regexp=^b", {"bob"}),
        ("email__iregexp=EXAMPLE\\.ORG$", {"bob", "Élodie"}),
    ],
)
def test_regexp_matches_the_same_rows_everywhere(models: SimpleNamespace, query_string: str, expected: set) -> None:
    assert users_where(models, query_string, operators=WITH_REGEX) == expected


def test_across_foreign_keys(models: SimpleNamespace) -> None:
    args = MultiDict({"to_user__username__iregexp": "^(?:al|bo)", "from_user__username__regexp": "^a"})
    rows = apply_filters(models.Relationship.select(), args, operators=WITH_REGEX)
    assert sorted(r.to_user.username for r in rows) == ["Alice", "bob"]


def test_null_values_never_match(models: SimpleNamespace) -> None:
    models.Note.create(title="orphan")
    models.Note.create(title="mine", user=models.users["bob"])
    args = MultiDict({"user__username__regexp": ".*"})
    assert [n.title for n in apply_filters(models.Note.select(), args, operators=WITH_REGEX)] == ["mine"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+$", "repeated group"),
        ("(a|aa)*b", "repeated group"),
        ("((ab)*c)+", "repeated group"),
        ("a**", "may not follow a repetition"),
        ("a*+b", "may not follow a repetition"),
        (".*.*.*.*x", "unbounded"),
        ("a{1,300}", "at most 255"),
        ("a{,3}", "'{'"),
        ("a{", "'{'"),
        ("(a)\\1", "back-references"),
        ("\\bword", "escape \\b"),
        ("(?i)abc", "(?"),
        ("(?=a)", "(?"),
        ("(?P<n>a)", "(?"),
        ("[[:alpha:]]", "'['"),
        ("[\\D]", "escape \\D"),
        ("[abc", "unterminated"),
        ("(abc", "unbalanced"),
        ("abc)", "unbalanced"),
        ("abc\\", "lone escape"),
        ("*abc", "invalid regular expression"),
        ("a\x00b", "NUL"),
        ("a" * (MAX_REGEX_LENGTH + 1), "at most"),
    ],
)
def test_unsafe_or_unportable_patterns_are_refused(pattern: str, reason: str) -> None:
    problem = regex_problem(pattern)
    assert problem is not None
    assert reason in problem


@pytest.mark.parametrize(
    "pattern",
    [
        "^abc$",
        "a|b|c",
        "(?:ab)+",
        "(ab)?c",
        "[a-z_.-]+@",
        "\\d{3}-\\d{4}",
        "x.*?y",
        "[\\d\\s]",
        "\\(\\[\\.\\]\\)",
        "(a|b)c*",
    ],
)
def test_portable_patterns_are_accepted(pattern: str) -> None:
    assert regex_problem(pattern) is None


def test_refused_pattern_is_a_query_error_naming_the_parameter(models: SimpleNamespace) -> None:
    with pytest.raises(QueryError) as caught:
        users_where(models, "username__regexp=(a%2B)%2B", operators=WITH_REGEX)
    assert caught.value.param == "username__regexp"


def test_regexp_needs_a_text_field(models: SimpleNamespace) -> None:
    with pytest.raises(QueryError, match="text field"):
        users_where(models, "age__regexp=1", operators=WITH_REGEX)


def test_sensitive_fields_stay_out_of_reach(models: SimpleNamespace) -> None:
    with pytest.raises(QueryError):
        users_where(models, "password__regexp=^secret", operators=WITH_REGEX)
