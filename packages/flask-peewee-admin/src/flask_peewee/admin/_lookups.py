"""The lookup endpoint behind the foreign-key dialog: ``?field=user&query=ad&page=2`` -> JSON."""

from __future__ import annotations

from typing import Any

import peewee
from flask import abort, jsonify, request

from flask_peewee.utils import PaginatedQuery, apply_search, get_sensitive_fields, serialize_value

__all__ = ["LookupMixin"]


class LookupMixin:
    """The ``lookup`` view of :class:`~flask_peewee.admin.ModelAdmin`."""

    model: type[peewee.Model]
    foreign_key_lookups: dict[str, str]
    filter_paginate_by: int

    def lookup_fields(self, field: peewee.ForeignKeyField | peewee.ManyToManyField) -> list[str]:
        """The related model's columns the type-ahead searches: the configured one, else its text fields."""
        configured = (self.foreign_key_lookups or {}).get(field.name)
        if configured:
            return [configured]
        sensitive = get_sensitive_fields(field.rel_model)
        return [
            f.name
            for f in field.rel_model._meta.sorted_fields
            if isinstance(f, (peewee.CharField, peewee.TextField)) and f.name not in sensitive
        ]

    def lookup(self) -> Any:
        """One page of the rows a foreign key may point at, searched by ``query``.

        Answers ``{"objects": [{"id", "label"}], "page", "pages", "has_next", "has_previous"}``;
        an unknown or sensitive ``field`` is a 400.
        """
        if not self.can("view"):  # type: ignore[attr-defined]
            abort(403)
        name = request.args.get("field", "")
        field = self.model._meta.fields.get(name) or self.model._meta.manytomany.get(name)
        if (
            not isinstance(field, (peewee.ForeignKeyField, peewee.ManyToManyField))
            or name in get_sensitive_fields(self.model)
            or getattr(field, "_is_backref", False)
        ):
            message = f"{name!r} is not a foreign key or many-to-many field of {self.model.__name__}"
            return jsonify({"error": message}), 400
        key_field = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field.rel_model._meta.primary_key
        query = self.related_query(field)  # type: ignore[attr-defined]
        searched = self.lookup_fields(field)
        term = request.args.get("query", "").strip()
        if term:
            query = apply_search(query, term, searched)
        configured = (self.foreign_key_lookups or {}).get(field.name)
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
