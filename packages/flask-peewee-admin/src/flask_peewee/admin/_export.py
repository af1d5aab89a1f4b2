"""Export of the filtered list as CSV or JSON, streamed in primary-key batches (keyset, no OFFSET)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import peewee
from flask import Response, abort, render_template, request, stream_with_context

from flask_peewee.utils import get_sensitive_fields, serialize_value

__all__ = ["ExportMixin"]

FORMATS = ("csv", "json")


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
        rows = self._export_rows(query, chosen)
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

    def _export_rows(self, query: peewee.ModelSelect, paths: list[str]) -> Iterator[list[Any]]:
        """Rows of serialized values for ``paths``, fetched ``export_batch_size`` at a time by primary key."""
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
        keyset = isinstance(primary, peewee.Field) and not isinstance(primary, peewee.CompositeKey)
        query = query.select(*(([primary] if keyset else []) + columns))
        batch = self.export_batch_size

        def generate() -> Iterator[list[Any]]:
            if not keyset:
                for row in query.tuples().iterator():
                    yield [serialize_value(f, v) for f, v in zip(fields, row, strict=True)]
                return
            last = None
            while True:
                page = query.order_by(primary)
                if last is not None:
                    page = page.where(primary > last)
                chunk = list(page.limit(batch).tuples())
                for row in chunk:
                    yield [serialize_value(f, v) for f, v in zip(fields, row[1:], strict=True)]
                if len(chunk) < batch:
                    return
                last = chunk[-1][0]

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
        writer.writerow(["" if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else v) for v in row])
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
