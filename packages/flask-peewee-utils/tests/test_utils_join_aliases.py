"""One alias per foreign-key path, built once: filters and searches on one path join it once (issue 16)."""

from __future__ import annotations

from typing import Any

import peewee

from flask_peewee.utils import apply_filters, apply_search
from flask_peewee.utils.internal import joined_from, path_alias


def _sql(query: peewee.ModelSelect) -> str:
    return str(query.sql()[0])


def test_one_alias_per_path_and_join_type(models: Any) -> None:
    Relationship, Message = models.Relationship, models.Message
    assert path_alias(Message, ("user",)) is path_alias(Message, ("user",))
    assert path_alias(Relationship, ("from_user",)) is not path_alias(Relationship, ("to_user",))
    assert path_alias(Message, ("user",)) is not path_alias(Message, ("user",), peewee.JOIN.INNER)
    assert path_alias(Message, ("user",)).model is models.User


def test_a_filter_and_a_search_on_one_path_join_it_once(models: Any) -> None:
    Message = models.Message
    query = apply_filters(Message.select(), {"user__active": "true"})
    query = apply_search(query, "admin", ["user__username", "content"])
    sql = _sql(query)
    assert sql.upper().count(" JOIN ") == 1, sql
    assert joined_from(query, Message, path_alias(Message, ("user",)))
    assert sorted(m.content for m in query) == ["flask and peewee", "third"]


def test_two_keys_to_one_model_stay_apart(models: Any) -> None:
    Relationship = models.Relationship
    query = apply_filters(Relationship.select(), {"from_user__username": "admin", "to_user__username": "bob"})
    assert _sql(query).upper().count(" JOIN ") == 2
    assert query.count() == 1
    # the same request twice builds the same SQL with the same aliases
    again = apply_filters(Relationship.select(), {"from_user__username": "admin", "to_user__username": "bob"})
    assert _sql(again) == _sql(query)


def test_a_path_filtered_in_a_subquery_and_outside(models: Any) -> None:
    Message, User = models.Message, models.User
    inner = apply_filters(Message.select(Message.id), {"user__username": "admin"})
    outer = apply_filters(Message.select(), {"user__active": "true"}).where(Message.id.in_(inner))
    assert sorted(m.content for m in outer) == ["flask and peewee", "third"]
    assert User.select().count() == 6
