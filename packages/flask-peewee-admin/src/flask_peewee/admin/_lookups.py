"""The lookup endpoint behind the foreign-key dialog: ``?field=user&query=ad&page=2`` -> JSON."""

from __future__ import annotations

from typing import Any, Protocol

import peewee
from flask import abort, jsonify, request

from flask_peewee.admin._host import ModelAdminHost
from flask_peewee.admin._i18n import gettext
from flask_peewee.utils import PaginatedQuery, apply_search, get_sensitive_fields, serialize_value

__all__ = ["LookupMixin"]


class _Host(ModelAdminHost, Protocol):
    """A :class:`LookupMixin` host: a ``ModelAdmin``, with the lookup's own methods it calls on itself."""

    def lookup_fields(self, field: peewee.ForeignKeyField | peewee.ManyToManyField, owner: Any = None) -> list[str]: ...
    def lookup_target(self, name: str) -> tuple[Any, Any]: ...
    def lookup(self) -> Any: ...


class LookupMixin:
    """The ``lookup`` view of :class:`~flask_peewee.admin.ModelAdmin`."""

    model: type[peewee.Model]
    foreign_key_lookups: dict[str, str]
    filter_paginate_by: int

    def lookup_name(self, field_name: str) -> str:
        """The ``field`` parameter of the lookup endpoint for one of this model's fields (the name itself)."""
        return field_name

    def lookup_fields(self, field: peewee.ForeignKeyField | peewee.ManyToManyField, owner: Any = None) -> list[str]:
        """The related model's columns the type-ahead searches: the configured one, else its text fields."""
        configured = ((owner or self).foreign_key_lookups or {}).get(field.name)
        if configured:
            return [configured]
        sensitive = get_sensitive_fields(field.rel_model)
        return [
            f.name
            for f in field.rel_model._meta.sorted_fields
            if isinstance(f, (peewee.CharField, peewee.TextField)) and f.name not in sensitive
        ]

    def lookup_target(self: _Host, name: str) -> tuple[Any, Any]:
        """``(owner, field)`` for the lookup's ``field`` parameter: a field of this model, or ``inline.field``."""
        owner: Any = self
        if "." in name:
            prefix, _dot, name = name.partition(".")
            owner = next((i for i in self.get_inlines() if i.prefix == prefix), None)
            if owner is None or not owner.can("view"):
                return None, None
        model = owner.model
        field = model._meta.fields.get(name) or model._meta.manytomany.get(name)
        if (
            not isinstance(field, (peewee.ForeignKeyField, peewee.ManyToManyField))
            or name in get_sensitive_fields(model)
            or getattr(field, "_is_backref", False)
        ):
            return owner, None
        return owner, field

    def ajax_list(self: _Host) -> Any:
        """The original's ``/_ajax/`` endpoint: :meth:`lookup` as ``{prev_page, next_page, object_list}``."""
        result = self.lookup()
        if isinstance(result, tuple):
            return result
        data = result.get_json()
        page = data["page"]
        return jsonify(
            {
                "prev_page": page - 1 if data["has_previous"] else 0,
                "next_page": page + 1 if data["has_next"] else 0,
                "object_list": [{"id": o["id"], "repr": o["label"]} for o in data["objects"]],
            }
        )

    def lookup(self: _Host) -> Any:
        """One page of the rows a foreign key may point at, searched by ``query``.

        Answers ``{"objects": [{"id", "label"}], "page", "pages", "has_next", "has_previous"}``;
        an unknown or sensitive ``field`` is a 400. ``field`` may name a many-to-many field, or
        a field of an inline as ``<inline prefix>.<field>``.
        """
        if not self.can("view"):
            abort(403)
        name = request.args.get("field", "")
        owner, field = self.lookup_target(name)
        if field is None:
            message = gettext(
                "%(field)s is not a foreign key or many-to-many field of %(model)s or its inlines.",
                field=repr(name),
                model=self.model.__name__,
            )
            return jsonify({"error": message}), 400
        key_field = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field.rel_model._meta.primary_key
        query = owner.related_query(field)
        searched = self.lookup_fields(field, owner)
        term = request.args.get("query", "").strip()
        if term:
            query = apply_search(query, term, searched)
        configured = (owner.foreign_key_lookups or {}).get(field.name)
        order_field = field.rel_model._meta.fields.get(configured) if configured else None
        query = query.order_by(order_field or field.rel_model._meta.primary_key)
        pagination = PaginatedQuery(query, self.filter_paginate_by)
        objects = []
        for obj in pagination.get_list():
            label = getattr(obj, configured) if configured else obj
            objects.append({"id": serialize_value(key_field, obj.get_id()), "label": str(label)})
        return jsonify(
            {
                "objects": objects,
                "page": pagination.get_page(),
                "pages": pagination.get_pages(),
                "has_next": pagination.has_next(),
                "has_previous": pagination.has_previous(),
            }
        )
