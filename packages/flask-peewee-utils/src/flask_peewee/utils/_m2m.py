"""The ends of a many-to-many field: its through model and the foreign keys to either side."""

from __future__ import annotations

from typing import Any, NamedTuple

import peewee

__all__ = ["ManyToManyEnds", "many_to_many_ends"]


class ManyToManyEnds(NamedTuple):
    """What :func:`many_to_many_ends` returns; unpacks as ``through, source, target``."""

    #: The model whose rows are the links.
    through: type[peewee.Model]
    #: Its foreign key to the object whose links are read or written (``field.model``).
    source: peewee.ForeignKeyField
    #: Its foreign key to the linked rows (``field.rel_model``).
    target: peewee.ForeignKeyField


def many_to_many_ends(field: Any) -> ManyToManyEnds:
    """The through model of a peewee ``ManyToManyField`` and its foreign keys to its two models.

    ``source`` points at ``field.model`` (the object whose links are read), ``target`` at
    ``field.rel_model``. As peewee's own accessor does, each end is the first foreign key of
    the through model pointing at that model. A field relating a model to itself needs a through model with two
    foreign keys to it; they are taken in the order they are declared, the order in which
    peewee puts ``field.get_models()`` into the through model it generates: the declared field
    reads from the first to the second (``source`` is the first), its backref the other way.
    peewee's accessor cannot tell the two apart (it joins ambiguously), so read and write such
    links through these ends, never through ``instance.<field>``. A ``DeferredThroughModel`` is
    fine once ``set_model()`` resolved it. Raises ``ValueError`` when the ends cannot be told::

        through, source, target = many_to_many_ends(Post.tags)
        tag_ids = through.select(target).where(source == post.id)
    """
    through = getattr(field, "_through_model", None)
    if isinstance(through, peewee.DeferredThroughModel) or getattr(field, "model", None) is None:
        raise ValueError(
            f"many-to-many field {getattr(field, 'name', None) or field!r} is not bound to a model yet "
            "(a DeferredThroughModel resolves with set_model())"
        )
    through = field.through_model
    refs = through._meta.model_refs
    name = f"{field.model.__name__}.{field.name}"
    if field.model is field.rel_model:
        keys = refs.get(field.model) or []
        if len(keys) < 2:
            raise ValueError(
                f"many-to-many field {name} relates {field.model.__name__} to itself: its through model "
                f"{through.__name__} needs two foreign keys to {field.model.__name__} (it has {len(keys)})"
            )
        first, second = keys[0], keys[1]
        if getattr(field, "_is_backref", False):
            return ManyToManyEnds(through, second, first)
        return ManyToManyEnds(through, first, second)
    sources = refs.get(field.model) or []
    targets = refs.get(field.rel_model) or []
    for model, keys in ((field.model, sources), (field.rel_model, targets)):
        if not keys:
            raise ValueError(
                f"many-to-many field {name}: through model {through.__name__} has no foreign key to {model.__name__}"
            )
    return ManyToManyEnds(through, sources[0], targets[0])
