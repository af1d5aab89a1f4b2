"""The one declaration of a model's secrets: ``__sensitive_fields__``, read through the MRO."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

__all__ = ["get_sensitive_fields", "sensitive_snapshot"]

_NAME = "__sensitive_fields__"
# Declarations that cannot change in place; a list or set could, so it is read again on every call.
_FROZEN = (str, tuple, frozenset, type(None))

# Per class: what each class of its MRO declares in its own body, and their union. The union
# depends on nothing else, and nothing here refers back to the class, so a class that goes
# away takes its entry with it.
_cache: weakref.WeakKeyDictionary[type, tuple[list[Any], frozenset[str]]] = weakref.WeakKeyDictionary()


def get_sensitive_fields(model: Any) -> frozenset[str]:
    """The names of the fields of ``model`` (a class or an instance) that must never leave the server.

    The union of ``__sensitive_fields__`` over the class and all its bases, so a subclass can
    add secrets but never drop its parent's. Such fields are never serialized, filtered,
    ordered or searched by the toolkit.

    The union is computed once per class and reused while every class of the MRO still holds
    the same declaration, so assigning ``__sensitive_fields__`` on a model or any of its bases
    later is honoured on the next call. Declare a tuple: a list or set is read again on every
    call, since it could be changed in place.
    """
    cls = model if isinstance(model, type) else type(model)
    declared = declarations(cls)
    cached = _cache.get(cls)
    if cached is not None and cached[0] == declared:
        return cached[1]
    names: set[str] = set()
    for value in declared:
        if isinstance(value, str):
            # ``("password")`` is a string, not a tuple: take it as the one name it means.
            value = (value,)
        names.update(name for name in value or () if isinstance(name, str))
    result = frozenset(names)
    if cacheable(declared):
        _cache[cls] = (declared, result)
    return result


def declarations(cls: type) -> list[Any]:
    """What each class of ``cls.__mro__`` declares in its own body: what anything cached from the union must match.

    Inside :func:`sensitive_snapshot`, read once per class for the whole block.
    """
    memo = _snapshot.get()
    if memo is None:
        return [klass.__dict__.get(_NAME) for klass in cls.__mro__]
    declared = memo.get(cls)
    if declared is None:
        declared = memo[cls] = [klass.__dict__.get(_NAME) for klass in cls.__mro__]
    return declared


# The declarations read in the current snapshot, per class (None outside one).
_snapshot: ContextVar[dict[type, list[Any]] | None] = ContextVar("flask_peewee_sensitive_snapshot", default=None)


@contextlib.contextmanager
def sensitive_snapshot() -> Iterator[None]:
    """Read each class's ``__sensitive_fields__`` declarations once for the whole block.

    Serializing a page asks for the same models' secrets once per object and nested object;
    inside this block the MRO is walked once per class. A declaration assigned while the
    block runs is honoured from the next block on. Blocks nest (the outermost one counts).
    """
    if _snapshot.get() is not None:
        yield
        return
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def cacheable(declared: list[Any]) -> bool:
    """Whether :func:`declarations` equal to ``declared`` mean the same names (no list or set to change in place)."""
    return all(isinstance(value, _FROZEN) for value in declared)
