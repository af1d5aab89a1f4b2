"""Hooks and attributes of the original flask-peewee classes that this admin cannot honour: refused loudly.

A subclass that sets one of them fails when the class is created, with what to do instead,
so an app's customization is never silently ignored.
"""

from __future__ import annotations

from typing import Any

from flask_peewee.db import ImproperlyConfigured

__all__ = ["MODEL_ADMIN_REFUSED", "check_model_admin_class"]

#: attribute or method of the original ``ModelAdmin`` -> why it is refused and what replaces it
MODEL_ADMIN_REFUSED: dict[str, str] = {
    "filter_converter": (
        "the admin's filter values are text inputs checked by the query toolkit, so no form converter "
        "builds them; change the offered filters with filter_mapping, filter_fields and filter_exclude"
    ),
    "get_exportable_lookups": (
        "the export's allowed fields come from export_choices(); override get_export_fields(model) "
        "or get_export_field_objects(model) instead"
    ),
}


def check_model_admin_class(cls: type[Any]) -> None:
    """Raise :class:`ImproperlyConfigured` when ``cls`` sets something of :data:`MODEL_ADMIN_REFUSED`."""
    from flask_peewee.admin._forms import AdminModelConverter

    for name, reason in MODEL_ADMIN_REFUSED.items():
        if name in cls.__dict__:
            raise ImproperlyConfigured(f"{cls.__name__}.{name} is not supported: {reason}.")
    converter = cls.__dict__.get("form_converter")
    if converter is not None and not (isinstance(converter, type) and issubclass(converter, AdminModelConverter)):
        raise ImproperlyConfigured(
            f"{cls.__name__}.form_converter must be a subclass of flask_peewee.admin.AdminModelConverter "
            f"(it keeps sensitive fields write-only and foreign keys scoped), not {converter!r}."
        )
