"""apply_search: a literal, case-insensitive 'contains' over text fields, never over secrets."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from flask_peewee.utils import apply_search


def names(query) -> set[str]:
    return {u.username for u in query}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ADMIN", {"admin"}),
        ("example.org", {"bob", "Élodie"}),
        ("élo", {"Élodie"}),
        ("%", {"x_y%z"}),
        ("_", {"x_y%z"}),
        ("a", {"admin", "Alice", "bob", "Élodie", "x_y%z", "xAy"}),
    ],
)
def test_search_over_several_fields(models: SimpleNamespace, term: str, expected: set[str]) -> None:
    assert names(apply_search(models.User.select(), term, ["username", "email"])) == expected


@pytest.mark.parametrize("term", [None, "", "   "])
def test_blank_term_keeps_every_row(models: SimpleNamespace, term: str | None) -> None:
    assert apply_search(models.User.select(), term, ["username"]).count() == 6


def test_secrets_and_non_text_fields_are_never_searched(models: SimpleNamespace) -> None:
    # every password starts with "secret-": searching the password must find nothing
    query = apply_search(models.User.select(), "secret-", ["password", "username", "age"])
    assert query.count() == 0
    query = apply_search(models.Message.select(), "secret-", ["user__password", "content"])
    assert query.count() == 0
    assert apply_search(models.User.select(), "secret-", ["password"]).count() == 0


def test_model_classes_and_nul_characters(models: SimpleNamespace) -> None:
    assert names(apply_search(models.User, "LICE", ["username"])) == {"Alice"}
    assert apply_search(models.User, "a\x00", ["username"]).count() == 0


def test_search_through_foreign_keys(models: SimpleNamespace) -> None:
    query = apply_search(models.Message.select(), "BOB@", ["content", "user__email"])
    assert [m.content for m in query] == ["hello api"]
    query = apply_search(models.Message.select(), "bob", ["content", "user__email"], exclude=("user__email",))
    assert query.count() == 0
