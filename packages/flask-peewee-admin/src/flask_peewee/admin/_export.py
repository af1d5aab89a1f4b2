"""Export of the filtered list as CSV or JSON, streamed in keyset batches (the list's ordering, no OFFSET)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import peewee
from flask import Response, abort, request, stream_with_context

from flask_peewee.admin._host import ModelAdminHost
from flask_peewee.utils import (
    QueryError,
    alias_join_path,
    apply_ordering,
    get_sensitive_fields,
    iter_keyset,
    keyset_key,
    parse_ordering,
    serialize_value,
)

__all__ = ["FORMULA_PREFIXES", "Export", "ExportMixin", "csv_cell"]

FORMATS = ("csv", "json")
#: a CSV cell starting with one of these is a formula to a spreadsheet: it gets a leading apostrophe
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A value as written to a CSV cell, defused against spreadsheet formula injection.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` so spreadsheets show it as text instead of running it; plain numbers (``-1.50``) are
    left as they are, since they are data and no formula.
    """
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Host(ModelAdminHost, Protocol):
    """An :class:`ExportMixin` host: a ``ModelAdmin``, with the export's own methods it calls on itself."""

    export_batch_size: int

    def render(self, template: str, **context: Any) -> str: ...
    def get_export_fields(self, model: type[peewee.Model] | None = None) -> list[str]: ...
    def get_export_field_objects(self, model: type[peewee.Model] | None = None) -> list[peewee.Field]: ...
    def export_choices(self) -> list[tuple[str, str]]: ...
    def collect_related_fields(
        self, model: type[peewee.Model], accum: dict[tuple[Any, str], list[Any]], path: list[str], seen: Any = None
    ) -> dict[tuple[Any, str], list[Any]]: ...
    def export_query(self) -> peewee.ModelSelect: ...
    def export_ordering(self) -> list[tuple[peewee.Field, bool]]: ...
    def export_original(self, available: list[tuple[str, str]]) -> Response: ...
    def _export_rows(
        self,
        query: peewee.ModelSelect,
        paths: list[str],
        ordering: list[tuple[peewee.Field, bool]],
        cell: Callable[[peewee.Field, Any], Any] = ...,
    ) -> Iterator[list[Any]]: ...


class ExportMixin:
    """The ``export`` view of :class:`~flask_peewee.admin.ModelAdmin`."""

    model: type[peewee.Model]
    templates: dict[str, str]
    #: Rows read per keyset query (on PostgreSQL, 5,000 take a third less time than 1,000; a batch is a few MB).
    export_batch_size = 5000

    def get_export_fields(self: _Host, model: type[peewee.Model] | None = None) -> list[str]:
        """The names of ``model``'s fields that may be exported (this admin's model by default).

        ``export_fields`` (a whitelist) and ``export_exclude`` (a blacklist) of this admin apply
        to its model; a related model is limited by its own registered admin's settings.
        Sensitive fields are never exported.
        """
        model = model or self.model
        owner: Any = self if model is self.model else self.admin.get_model_admin(model)
        include = getattr(owner, "export_fields", None) if owner is not None else None
        exclude = set(getattr(owner, "export_exclude", None) or ()) if owner is not None else set()
        sensitive = get_sensitive_fields(model)
        names = list(include) if include else list(model._meta.sorted_field_names)
        return [n for n in names if n in model._meta.fields and n not in exclude and n not in sensitive]

    def get_export_field_objects(self: _Host, model: type[peewee.Model] | None = None) -> list[peewee.Field]:
        """The fields of :meth:`get_export_fields` (override either to narrow the export)."""
        model = model or self.model
        sensitive = get_sensitive_fields(model)
        fields = [model._meta.fields[name] for name in self.get_export_fields(model)]
        return [f for f in fields if f.name not in sensitive]

    def get_exportable_lookups(self: _Host, related: Any = None) -> set[str]:
        """Every lookup the export allows (``content``, ``user__username``), as the original named it.

        Read-only: it is :meth:`export_choices`' paths, so a subclass overrides that (or
        ``get_export_fields``) instead; defining this method is refused when the class is made.
        """
        return {path for path, _label in self.export_choices()}

    def export_choices(self: _Host) -> list[tuple[str, str]]:
        """``(path, label)`` of what the user may export: this model's fields, then those of its foreign keys.

        A related model's fields are offered only through an exported foreign key and only to
        users who may view that model (its admin's permission, or the whole admin when it is
        not registered).
        """
        helper = self.admin.template_helper
        own = self.get_export_field_objects()
        result = [(f.name, helper.get_verbose_name(self.model, f.name)) for f in own]
        for field in own:
            if not isinstance(field, peewee.ForeignKeyField) or not self.can_view_related(field.rel_model):
                continue
            rel = field.rel_model
            for sub in self.get_export_field_objects(rel):
                label = f"{helper.get_verbose_name(self.model, field.name)} / {helper.get_verbose_name(rel, sub.name)}"
                result.append((f"{field.name}__{sub.name}", label))
        return result

    def collect_related_fields(
        self: _Host,
        model: type[peewee.Model],
        accum: dict[tuple[Any, str], list[Any]],
        path: list[str],
        seen: Any = None,
    ) -> dict[tuple[Any, str], list[Any]]:
        """The original's map ``{(related model, path): [fields]}`` of what :class:`Export` may read (one level)."""
        for field in self.get_export_field_objects(model):
            if isinstance(field, peewee.ForeignKeyField) and self.can_view_related(field.rel_model):
                accum[(field.rel_model, "__".join([*path, field.name]))] = self.get_export_field_objects(
                    field.rel_model
                )
        return accum

    def export_query(self: _Host) -> peewee.ModelSelect:
        """The list's rows as the request filters and searches them."""
        query = self.get_query()
        form, query, _active, _tree = self.process_filters(query)
        if form.errors:
            abort(400, description="; ".join(form.errors))
        return self.apply_search(query, self.search_term())

    def export_ordering(self: _Host) -> list[tuple[peewee.Field, bool]]:
        """The list's ``?ordering=`` as ``(field, descending)`` pairs (empty: primary-key order); bad is a 400."""
        ordering = request.args.get("ordering") or None
        try:
            for name in (ordering or "").split(","):
                column = name.strip().lstrip("-")
                if column and not self.column_is_sortable(column):
                    raise QueryError(f"Cannot order by {column!r}", param="ordering")
            return parse_ordering(self.model, ordering)
        except QueryError as exc:
            abort(400, description=exc.message)

    def export(self: _Host) -> Any:
        """GET without ``_format``: choose fields and format; with ``_format=csv|json``: the streamed file.

        A POST of ``fields`` (the original's export form) answers the original's JSON
        (:meth:`Export.json_response`) of the rows the query string filters; fields the user
        may not export are left out.
        """
        if not self.can("export"):
            abort(403)
        available = self.export_choices()
        if request.method == "POST":
            return self.export_original(available)
        fmt = request.args.get("_format")
        if fmt is None:
            form, _query, _active, _tree = self.process_filters(self.get_query())
            return self.render("export", export_fields=available, filter_form=form)
        if fmt not in FORMATS:
            abort(400, description=f"Unknown export format {fmt!r}; use csv or json")
        known = dict(available)
        chosen = [p for p in request.args.getlist("_fields") if p in known] or [
            p for p, _label in available if "__" not in p
        ]
        query = self.export_query()
        cell = _csv_value if fmt == "csv" else serialize_value
        rows = self._export_rows(query, chosen, self.export_ordering(), cell)
        name = self.model._meta.table_name
        if fmt == "csv":
            body = _csv_stream(chosen, rows)
            mimetype = "text/csv"
        else:
            body = _json_stream(chosen, rows)
            mimetype = "application/json"
        response = Response(stream_with_context(body), mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response

    def export_original(self: _Host, available: list[tuple[str, str]]) -> Response:
        """The original's export: ``fields`` posted, the JSON of :class:`Export` (CSRF checked)."""
        from flask_peewee.auth import validate_csrf_token

        if not validate_csrf_token():
            abort(
                400, description="The form has expired or did not come from this site. Reload the page and try again."
            )
        known = dict(available)
        chosen = [name for name in request.form.getlist("fields") if name in known]
        query = self.export_query()
        names = [("-" if desc else "") + f.name for f, desc in self.export_ordering()]
        query = apply_ordering(query, names) if names else query.order_by(*self.model._meta.get_primary_keys())
        related = self.collect_related_fields(self.model, {}, [])
        export = Export(query, related, chosen)
        return export.json_response(f"export-{self.get_admin_name()}.json")

    def _export_rows(
        self: _Host,
        query: peewee.ModelSelect,
        paths: list[str],
        ordering: list[tuple[peewee.Field, bool]],
        cell: Callable[[peewee.Field, Any], Any] = serialize_value,
    ) -> Iterator[list[Any]]:
        """Rows of ``cell(field, value)`` (serialized values) for ``paths`` in ``ordering`` (then primary-key) order.

        Fetched ``export_batch_size`` rows at a time with keyset conditions (never OFFSET); a
        model with a composite key is read in one ordered pass instead.
        """
        model = self.model
        primary = model._meta.primary_key
        columns: list[Any] = []
        fields: list[peewee.Field] = []
        joined: dict[str, Any] = {}
        for path in paths:
            head, _sep, tail = path.partition("__")
            field = model._meta.fields[head]
            if not tail:
                columns.append(field)
                fields.append(field.rel_field if isinstance(field, peewee.ForeignKeyField) else field)
                continue
            alias = joined.get(head)
            if alias is None:
                alias = joined[head] = field.rel_model.alias()
                query = query.join(
                    alias, peewee.JOIN.LEFT_OUTER, on=(field == getattr(alias, field.rel_field.name)), src=model
                )
            sub = field.rel_model._meta.fields[tail]
            columns.append(getattr(alias, tail))
            fields.append(sub.rel_field if isinstance(sub, peewee.ForeignKeyField) else sub)
        if isinstance(primary, peewee.CompositeKey) or not isinstance(primary, peewee.Field):
            names = [("-" if desc else "") + f.name for f, desc in ordering]
            tuples = apply_ordering(query.select(*columns), names).tuples().iterator()
        else:
            key = keyset_key(model, ordering)
            tuples = iter_keyset(query, key, self.export_batch_size, columns=columns)

        def generate() -> Iterator[list[Any]]:
            for row in tuples:
                yield [cell(f, v) for f, v in zip(fields, row, strict=True)]

        return generate()


def _csv_value(field: peewee.Field, value: Any) -> Any:
    """:func:`csv_cell` of :func:`~flask_peewee.utils.serialize_value`; the common types first, in one call."""
    if value is None:
        return ""
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value) else value
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()  # digits first: never a formula
    return csv_cell(serialize_value(field, value))


def _csv_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    """The CSV text of ``rows`` (cells already made by :func:`_csv_value`), in chunks of about 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(header)
    yield flush()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 65536:
            yield flush()
    yield flush()


def _json_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + json.dumps(dict(zip(header, row, strict=True)))
        first = False
    yield "\n]\n"


class Export:
    """The original's export of a query: ``Export(query, related, fields).json_response("notes.json")``.

    ``fields`` are lookups such as ``content`` or ``user__username``; ``related`` maps
    ``(model, path)`` to that model's exportable fields, as the original's
    ``ModelAdmin.collect_related_fields`` built it. Lookups outside ``related`` and sensitive
    fields are left out. The JSON holds one object per row, keyed by lookup, streamed.
    """

    def __init__(self, query: peewee.ModelSelect, related: dict[tuple[Any, str], list[Any]], fields: list[str]) -> None:
        self.query = query
        self.related = related
        self.fields = fields
        self.alias_to_model = {path: model for (model, path) in related}

    def _allowed(self, lookup: str) -> tuple[list[peewee.ForeignKeyField], peewee.Field] | None:
        path, _sep, name = lookup.rpartition("__")
        model = self.query.model
        chain: list[peewee.ForeignKeyField] = []
        if path:
            target = self.alias_to_model.get(path)
            allowed = {getattr(f, "name", f) for f in self.related.get((target, path), ())}
            if target is None or name not in allowed:
                return None
            for part in path.split("__"):
                fk = model._meta.fields.get(part)
                if not isinstance(fk, peewee.ForeignKeyField):
                    return None
                chain.append(fk)
                model = fk.rel_model
        field = model._meta.fields.get(name)
        if field is None or name in get_sensitive_fields(model):
            return None
        return chain, field

    def prepare_query(self) -> tuple[peewee.ModelSelect, list[Any]]:
        """The query selecting the chosen lookups (related models LEFT OUTER joined) and the selected columns."""
        query = self.query.clone()
        aliases: dict[tuple[str, ...], Any] = {}
        selected: list[Any] = []
        self._lookups: list[tuple[str, peewee.Field]] = []
        for lookup in self.fields:
            resolved = self._allowed(lookup)
            if resolved is None:
                continue
            chain, field = resolved
            query, source = alias_join_path(query, query.model, chain, aliases, peewee.JOIN.LEFT_OUTER)
            selected.append(getattr(source, field.name))
            self._lookups.append((lookup, field.rel_field if isinstance(field, peewee.ForeignKeyField) else field))
        if selected:
            query = query.select(*selected)
        return query, selected

    def json_response(self, filename: str = "export.json") -> Response:
        """A streamed JSON attachment of the rows, in the original's shape.

        Each row is an object of the chosen fields of the query's model; a chosen foreign key
        whose related fields were chosen too (``user`` and ``user__username``) is an object of
        those fields (``{"user": {"username": "admin"}}``), otherwise its key. A related lookup
        whose foreign key was not chosen is left out, as in the original.
        """
        query, selected = self.prepare_query()
        lookups = list(self._lookups)

        def nest(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
            result: dict[str, Any] = {}
            for name, _field in lookups:
                if not name.startswith(prefix) or "__" in name[len(prefix) :]:
                    continue
                own = name[len(prefix) :]
                value = values[name]
                below = f"{name}__"
                if value is not None and any(other.startswith(below) for other, _f in lookups):
                    value = nest(values, below)
                result[own] = value
            return result

        def generate() -> Iterator[str]:
            yield "["
            first = True
            rows = query.tuples().iterator() if selected else iter(())
            for row in rows:
                values = {name: serialize_value(f, v) for (name, f), v in zip(lookups, row, strict=True)}
                yield ("\n" if first else ",\n") + json.dumps(nest(values))
                first = False
            yield "\n]\n"

        response = Response(stream_with_context(generate()), mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
