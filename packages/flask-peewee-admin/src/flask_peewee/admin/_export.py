"""Export of the filtered list as CSV or JSON, streamed in keyset batches (the list's ordering, no OFFSET)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import peewee
from flask import Response, abort, render_template, request, stream_with_context

from flask_peewee.utils import (
    QueryError,
    apply_ordering,
    get_sensitive_fields,
    iter_keyset,
    keyset_key,
    parse_ordering,
    serialize_value,
)

__all__ = ["FORMULA_PREFIXES", "ExportMixin", "csv_cell"]

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


class ExportMixin:
    """The ``export`` view of :class:`~flask_peewee.admin.ModelAdmin`."""

    model: type[peewee.Model]
    templates: dict[str, str]
    export_batch_size = 1000

    def get_export_fields(self) -> list[tuple[str, str]]:
        """``(path, label)`` of what may be exported: the model's fields and those of its foreign keys."""
        helper = self.admin.template_helper  # type: ignore[attr-defined]
        result: list[tuple[str, str]] = []
        sensitive = get_sensitive_fields(self.model)
        for field in self.model._meta.sorted_fields:
            if field.name in sensitive:
                continue
            result.append((field.name, helper.get_verbose_name(self.model, field.name)))
        for field in self.model._meta.sorted_fields:
            if not isinstance(field, peewee.ForeignKeyField) or field.name in sensitive:
                continue
            rel = field.rel_model
            rel_sensitive = get_sensitive_fields(rel)
            for sub in rel._meta.sorted_fields:
                if sub.name not in rel_sensitive:
                    label = (
                        f"{helper.get_verbose_name(self.model, field.name)} / {helper.get_verbose_name(rel, sub.name)}"
                    )
                    result.append((f"{field.name}__{sub.name}", label))
        return result

    def export_query(self) -> peewee.ModelSelect:
        """The list's rows as the request filters and searches them."""
        query = self.get_query()  # type: ignore[attr-defined]
        form, query, _active, _tree = self.process_filters(query)  # type: ignore[attr-defined]
        if form.errors:
            abort(400, description="; ".join(form.errors))
        return self.apply_search(query)  # type: ignore[attr-defined]

    def export_ordering(self) -> list[tuple[peewee.Field, bool]]:
        """The list's ``?ordering=`` as ``(field, descending)`` pairs (empty: primary-key order); bad is a 400."""
        try:
            return parse_ordering(self.model, request.args.get("ordering") or None)
        except QueryError as exc:
            abort(400, description=exc.message)

    def export(self) -> Any:
        """GET without ``_format``: choose fields and format; with ``_format=csv|json``: the streamed file."""
        if not self.can("export"):  # type: ignore[attr-defined]
            abort(403)
        available = self.get_export_fields()
        fmt = request.args.get("_format")
        if fmt is None:
            form, _query, _active, _tree = self.process_filters(self.get_query())  # type: ignore[attr-defined]
            return render_template(
                self.templates["export"], model_admin=self, export_fields=available, filter_form=form
            )
        if fmt not in FORMATS:
            abort(400, description=f"Unknown export format {fmt!r}; use csv or json")
        known = dict(available)
        chosen = [p for p in request.args.getlist("_fields") if p in known] or [
            p for p, _label in available if "__" not in p
        ]
        query = self.export_query()
        rows = self._export_rows(query, chosen, self.export_ordering())
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

    def _export_rows(
        self, query: peewee.ModelSelect, paths: list[str], ordering: list[tuple[peewee.Field, bool]]
    ) -> Iterator[list[Any]]:
        """Rows of serialized values for ``paths`` in ``ordering`` (then primary-key) order.

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
                yield [serialize_value(f, v) for f, v in zip(fields, row, strict=True)]

        return generate()


def _csv_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
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
        writer.writerow([csv_cell(v) for v in row])
        if buffer.tell() > 16384:
            yield flush()
    yield flush()


def _json_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("\n" if first else ",\n") + json.dumps(dict(zip(header, row, strict=True)))
        first = False
    yield "\n]\n"
