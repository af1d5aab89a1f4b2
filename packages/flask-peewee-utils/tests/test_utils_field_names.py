"""``field_names`` and ``MAX_DEPTH``: the names a field answers to, and how far ``__`` paths reach."""

from __future__ import annotations

import peewee
import pytest

from flask_peewee.utils import MAX_DEPTH, QueryError, field_names, parse_filters


class Owner(peewee.Model):
    name = peewee.CharField()


class Thing(peewee.Model):
    owner = peewee.ForeignKeyField(Owner)
    keeper = peewee.ForeignKeyField(Owner, object_id_name="keeper_ref", null=True)
    title = peewee.CharField()


class Node(peewee.Model):
    parent = peewee.ForeignKeyField("self", null=True)
    name = peewee.CharField()


def test_field_names_of_plain_fields_and_foreign_keys():
    assert field_names(Thing.title) == {"title"}
    assert field_names(Thing.owner) == {"owner", "owner_id"}
    assert field_names(Thing.keeper) == {"keeper", "keeper_ref"}


def test_the_names_are_internal_helpers_importable_from_utils():
    import flask_peewee.utils.internal

    assert {"field_names", "MAX_DEPTH"} <= set(flask_peewee.utils.internal.__all__)
    assert flask_peewee.utils.field_names is flask_peewee.utils.internal.field_names


def test_a_path_crosses_at_most_max_depth_foreign_keys():
    deepest = "parent__" * MAX_DEPTH + "name"
    (found,) = parse_filters(Node, {deepest: "x"})
    assert found.path == (*["parent"] * MAX_DEPTH, "name")
    with pytest.raises(QueryError, match="no such field may be used"):
        parse_filters(Node, {"parent__" + deepest: "x"})
