"""What the toolkit adds to ``flask fp check``: undeclared secrets, and sensitive fields named where they would show.

auth, admin and rest register :func:`check_secret_like_fields` when they are initialised and
report their own registrations with :func:`sensitive_exposures`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flask_peewee.db import ImproperlyConfigured, get_database
from flask_peewee.db.checks import ERROR, WARNING, Finding
from flask_peewee.utils._sensitive import get_sensitive_fields

__all__ = ["check_secret_like_fields", "sensitive_exposures"]

# Whole words of a field name (``reset_token``, ``password_hash``, ``api_key``), so ``footprint`` or
# ``secretary`` are not taken for secrets.
_SECRET_WORDS = re.compile(
    r"(?:^|_)(?:password|passwd|passphrase|pwd|secret|token|otp|apikey|api_key|private_key|access_key)(?:_|$)",
    re.IGNORECASE,
)


def check_secret_like_fields(app: Any) -> Iterator[Finding]:
    """A warning for each of the app's models with a password- or token-like field and no ``__sensitive_fields__``.

    flask-peewee's own models are left out: they declare what they keep secret or only store hashes
    the library never serializes.
    """
    try:
        models = get_database(app).models
    except (ImproperlyConfigured, KeyError):
        return
    for model in models:
        if model.__module__.startswith("flask_peewee.") or get_sensitive_fields(model):
            continue
        names = [name for name in model._meta.fields if _SECRET_WORDS.search(name)]
        if names:
            listed = ", ".join(repr(name) for name in names)
            yield Finding(
                WARNING,
                "undeclared-secret",
                f"model {model.__name__} has secret-looking fields ({listed}) but declares no sensitive fields: "
                "the API, admin lists, filters and exports show them",
                f"add __sensitive_fields__ = {tuple(names)!r} to {model.__name__}",
            )


def sensitive_exposures(model: Any, where: str, attributes: Mapping[str, Iterable[Any] | None]) -> Iterator[Finding]:
    """An error for each name in ``attributes`` (attribute -> listed fields) that reaches a sensitive field.

    ``where`` names the registration (``"RestAPI 'api' resource 'user'"``). A name may be a
    ``__`` path through foreign keys (``user__password``) with an operator, or start with ``-``;
    names that are not strings (callable columns) are skipped.
    """
    for attribute, names in attributes.items():
        for name in names or ():
            if isinstance(name, str) and _reaches_sensitive(model, name):
                yield Finding(
                    ERROR,
                    "sensitive-exposed",
                    f"{where} lists the sensitive field {name!r} of {model.__name__} in {attribute}",
                    f"remove {name!r} from {attribute}: sensitive fields are never shown, filtered or exported",
                )


def _reaches_sensitive(model: Any, name: str) -> bool:
    current = model
    for segment in name.lstrip("-").split("__"):
        if segment in get_sensitive_fields(current):
            return True
        current = getattr(current._meta.fields.get(segment), "rel_model", None)
        if current is None:
            return False
    return False
