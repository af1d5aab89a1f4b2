"""The one declaration of a model's secrets: ``__sensitive_fields__``, read through the MRO."""

from __future__ import annotations

from typing import Any

__all__ = ["get_sensitive_fields"]


def get_sensitive_fields(model: Any) -> frozenset[str]:
    """The names of the fields of ``model`` (a class or an instance) that must never leave the server.

    The union of ``__sensitive_fields__`` over the class and all its bases, so a subclass can
    add secrets but never drop its parent's. Such fields are never serialized, filtered,
    ordered or searched by the toolkit.
    """
    cls = model if isinstance(model, type) else type(model)
    names: set[str] = set()
    for klass in cls.__mro__:
        declared = klass.__dict__.get("__sensitive_fields__", ())
        if isinstance(declared, str):
            # ``("password")`` is a string, not a tuple: take it as the one name it means.
            declared = (declared,)
        names.update(name for name in declared if isinstance(name, str))
    return frozenset(names)
