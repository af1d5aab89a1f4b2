"""Database refusals of a save, said in words: which field conflicts with which existing row.

The detection is flask-peewee-utils' :func:`~flask_peewee.utils.internal.unique_violation`.
"""

from __future__ import annotations

from typing import Any

import peewee

from flask_peewee.admin._i18n import gettext, lower_name
from flask_peewee.utils.internal import unique_violation

__all__ = ["explain_refusal"]


def explain_refusal(
    instance: peewee.Model, exc: Exception, model_name: str, label: Any
) -> tuple[dict[str, str], str | None]:
    """``(field errors, form error)`` for a save the database refused with ``exc`` (never its driver text).

    ``label(field)`` is a field's readable name. An error the app raised itself with a text
    (peewee wraps driver errors with the driver's exception as first argument) keeps its text.
    """
    own_text = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else None
    if isinstance(exc, peewee.IntegrityError):
        errors: dict[str, str] = {}
        fields = type(instance)._meta.fields
        for field_names in unique_violation(instance, exc):
            group = [fields[name] for name in field_names]
            labels = gettext(" and ").join(lower_name(str(label(field))) for field in group)
            message = gettext(
                "A %(model)s with this %(fields)s already exists.", model=lower_name(model_name), fields=labels
            )
            for field in group:
                errors[field.name] = message
        if errors:
            return errors, None
        primary = type(instance)._meta.primary_key
        missing = [
            f
            for f in type(instance)._meta.sorted_fields
            if not f.null
            and instance.__data__.get(f.name) is None
            and not (f is primary and isinstance(f, peewee.AutoField))
        ]
        if missing:
            return {f.name: gettext("This field is required.") for f in missing}, None
    if own_text:
        return {}, gettext("Could not save: %(reason)s", reason=own_text)
    if isinstance(exc, peewee.IntegrityError):
        return {}, gettext("Could not save: the values break a rule of the database (a reference or a check).")
    return {}, gettext("Could not save: a value does not fit its column.")
