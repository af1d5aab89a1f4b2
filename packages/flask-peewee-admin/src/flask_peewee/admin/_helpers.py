"""``AdminTemplateHelper``: the functions and values every admin template can use."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import peewee
from flask import request, url_for
from markupsafe import Markup, escape

from flask_peewee.admin._i18n import (
    action_name,
    format_datetime,
    format_number,
    gettext,
    html_language,
    lower_name,
    script_texts,
)
from flask_peewee.auth import CSRF_FIELD_NAME, csrf_token
from flask_peewee.utils import get_sensitive_fields
from flask_peewee.utils.internal import app_gettext

if TYPE_CHECKING:
    from flask_peewee.admin._admin import Admin

__all__ = ["AdminTemplateHelper", "csrf_field", "english_plural"]


def csrf_field() -> Markup:
    """A hidden input with the session's CSRF token, for forms in admin and panel templates."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD_NAME, csrf_token())


def english_plural(name: str) -> str:
    """The English plural of a (readable) model name: ``Message`` -> ``Messages``, ``Category`` -> ``Categories``."""
    lower = name.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return f"{name}es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{name[:-1]}ies"
    return f"{name}s"


def fix_underscores(name: str) -> str:
    """``pub_date`` -> ``Pub Date``: a field or column name as a heading (title case, as in the original)."""
    return " / ".join(part.replace("_", " ").strip().title() for part in str(name).split("__"))


class AdminTemplateHelper:
    """Helpers and context given to every admin template; subclass it and pass ``template_helper=``.

    :meth:`get_context` is the blueprint's context processor; each public method is available
    in templates under its own name.
    """

    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    def get_model_name(self, model: Any) -> str:
        """The name of a model class or instance as shown: :meth:`Admin.get_model_name`."""
        cls = model if isinstance(model, type) else type(model)
        return self.admin.get_model_name(cls)

    def readable_name(self, model: Any) -> str:
        """A readable name of a model class or instance (``BlogEntry`` -> ``Blog entry``)."""
        cls = model if isinstance(model, type) else type(model)
        name = cls.__name__
        words = "".join(f" {c.lower()}" if c.isupper() and i else c for i, c in enumerate(name))
        return words[:1].upper() + words[1:]

    def fix_underscores(self, name: str) -> str:
        """``pub_date`` -> ``Pub Date``."""
        return fix_underscores(name)

    def get_verbose_name(self, model: type[peewee.Model], name: str) -> str:
        """The label of field ``name`` of ``model`` (its ``verbose_name``, else the name made readable)."""
        field = model._meta.fields.get(name)
        if field is not None and field.verbose_name:
            return str(field.verbose_name)
        return fix_underscores(name)

    def update_querystring(self, **changes: Any) -> str:
        """The current query string with ``changes`` applied (None removes a key), starting with ``?``."""
        pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
        for key, value in changes.items():
            if value is None:
                continue
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend((key, str(v)) for v in values)
        return "?" + urlencode(pairs) if pairs else "?"

    def get_admin_url(self, obj: Any) -> str | None:
        """The edit URL of ``obj`` (:meth:`Admin.get_admin_url`)."""
        return self.admin.get_admin_url(obj)

    def get_model_admin_url(self, model: Any) -> str | None:
        """The list URL of ``model`` when it is registered."""
        model_admin = self.admin.get_model_admin(model if isinstance(model, type) else type(model))
        return url_for(model_admin.get_url_name("index")) if model_admin else None

    def format_value(self, value: Any) -> Any:
        """A value for display: Markup kept, None as a dash, booleans as yes/no, dates in ISO form.

        With Flask-Babel active on the app, booleans are translated and dates, times and numbers
        are written the locale's way (datetimes in the user's time zone, see Flask-Babel).
        """
        if isinstance(value, Markup):
            return value
        if value is None:
            return "\u2014"
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, (datetime.date, datetime.time)):
            return format_datetime(value)
        if isinstance(value, peewee.Model):
            return str(value)
        return format_number(value)

    def linked(self, value: Any) -> Any:
        """A related object as a link to its admin page (escaped text otherwise)."""
        if isinstance(value, peewee.Model):
            url = self.get_admin_url(value)
            if url:
                return Markup(f'<a href="{escape(url)}">{escape(str(value))}</a>')  # noqa: S704 - both escaped
        return self.format_value(value)

    def is_sensitive(self, model: Any, name: str) -> bool:
        """Whether ``name`` is a secret field of ``model`` (never shown)."""
        return name in get_sensitive_fields(model)

    def get_context(self) -> dict[str, Any]:
        """The template context of every admin view."""
        helpers: dict[str, Callable[..., Any]] = {
            name: getattr(self, name)
            for name in (
                "get_model_name",
                "fix_underscores",
                "get_verbose_name",
                "update_querystring",
                "get_admin_url",
                "get_model_admin_url",
                "format_value",
                "linked",
                "is_sensitive",
            )
        }
        return {
            "admin": self.admin,
            "admin_helper": self,
            "admin_action_name": action_name,
            "admin_app_gettext": app_gettext,
            "admin_language": html_language,
            "admin_lower_name": lower_name,
            "admin_script_texts": script_texts,
            "csrf_field": csrf_field,
            "escape": escape,
            **helpers,
        }
