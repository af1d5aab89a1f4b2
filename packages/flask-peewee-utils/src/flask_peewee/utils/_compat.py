"""Names of the original ``flask_peewee.utils`` (4.0.1 and the 0.6 series) that apps still import.

Each is a thin adapter over the toolkit: the field plans of :mod:`._serialize`, the value
conversion of :mod:`._values`, the password formats of :mod:`._passwords`. Sensitive fields
are never serialized through them, as through the modern names.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import peewee

from flask_peewee.db import load_class
from flask_peewee.utils._backends import backend_name
from flask_peewee.utils._errors import DataError, QueryError
from flask_peewee.utils._ordering import _order, parse_ordering
from flask_peewee.utils._passwords import _legacy_kind
from flask_peewee.utils._paths import join_fks, lookup_field
from flask_peewee.utils._sensitive import get_sensitive_fields
from flask_peewee.utils._serialize import _plan
from flask_peewee.utils._values import ConversionError, _parse_datetime, parse_value

__all__ = [
    "LEGACY_PASSWORD_RE",
    "alias_field",
    "alias_join_path",
    "convert_boolean",
    "deserialize_datetime",
    "get_dictionary_from_model",
    "get_hexdigest",
    "get_model_from_dictionary",
    "is_legacy_password",
    "load_class",
    "order_query",
    "path_to_models",
]

#: The original's pattern of its salted sha1 hashes (``a1b2c$<40 hex digits>``).
LEGACY_PASSWORD_RE = re.compile(r"^[0-9a-f]{5}\$[0-9a-f]{40}$")

_Choice = Mapping[type[peewee.Model], Iterable[str]] | Iterable[str] | None


def _per_model(choice: _Choice, model: type[peewee.Model]) -> Mapping[type[peewee.Model], Iterable[str]]:
    # The original takes {Model: [names]}; a plain list of names is taken for the root model.
    if choice is None:
        return {}
    if isinstance(choice, Mapping):
        return choice
    return {model: list(choice)}


def get_dictionary_from_model(model: peewee.Model, fields: _Choice = None, exclude: _Choice = None) -> dict[str, Any]:
    """The field values of the instance ``model`` as a dict, in the original's shape (kept for compatibility).

    ``fields`` and ``exclude`` map model classes to field names, as in the original. A
    foreign key is its related key's raw value, or the related object's dict when its model
    is a key of ``fields``. Values stay Python objects (:class:`flask_peewee.serializer.Serializer`
    converts them). Sensitive fields are never included. The modern name is
    :func:`~flask_peewee.utils.model_to_dict`, which also writes the JSON wire format.
    """
    model_class = type(model)
    fields = _per_model(fields, model_class)
    exclude = _per_model(exclude, model_class)
    chosen = fields.get(model_class)
    fk_models = {f.name: f.rel_model for f in model_class._meta.refs}
    nested = {name: None for name, rel_model in fk_models.items() if rel_model in fields}
    values = model.__data__
    data: dict[str, Any] = {}
    plan = _plan(model_class, None if chosen is None else tuple(chosen), tuple(exclude.get(model_class, ())), nested)
    for name, _field, nest in plan:
        value = values.get(name)
        if nest and value is not None:
            try:
                related = getattr(model, name)
            except peewee.DoesNotExist:
                related = None
            if related is not None:
                data[name] = get_dictionary_from_model(related, fields, exclude)
                continue
        data[name] = value
    return data


def get_model_from_dictionary(
    model: type[peewee.Model] | peewee.Model, field_dict: Mapping[str, Any], strict: bool = False
) -> tuple[peewee.Model, list[peewee.Model]]:
    """Write ``field_dict`` into a new instance of ``model`` (or the instance given), unsaved; kept for compatibility.

    Returns ``(instance, models)`` as the original did: ``models`` lists the instance and every
    related instance built from a nested dict, in the order to save them after the first.
    Values are converted by field type as the toolkit does; a value that does not convert
    raises :class:`~flask_peewee.utils.DataError`. Unknown keys are set as attributes unless
    ``strict``, except names starting with ``_``; sensitive fields are never written. The
    modern name is :func:`~flask_peewee.utils.dict_to_model`, which also validates.
    """
    if isinstance(model, peewee.Model):
        instance, model_class, existing = model, type(model), True
    elif isinstance(model, type) and issubclass(model, peewee.Model):
        instance, model_class, existing = model(), model, False
    else:
        raise TypeError(f"get_model_from_dictionary() needs a model class or instance, not {type(model).__name__}")
    if not isinstance(field_dict, Mapping):
        raise DataError({"__all__": f"expected an object with field values, got {type(field_dict).__name__}"})
    backend = backend_name(model_class._meta.database)
    sensitive = get_sensitive_fields(model_class)
    models: list[peewee.Model] = [instance]
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in field_dict.items():
        field = model_class._meta.fields.get(name)
        if field is None:
            if not strict and isinstance(name, str) and not name.startswith("_"):
                values[name] = value
            continue
        if name in sensitive:
            continue
        if isinstance(field, peewee.ForeignKeyField) and isinstance(value, Mapping):
            target: Any = field.rel_model
            if existing:
                try:
                    target = getattr(instance, name) or field.rel_model
                except peewee.DoesNotExist:
                    target = field.rel_model
            try:
                related, related_models = get_model_from_dictionary(target, value, strict)
            except DataError as exc:
                errors.update({f"{name}__{key}": text for key, text in exc.errors.items()})
                continue
            models.extend(related_models)
            values[name] = related
            continue
        if value is None or (value == "" and field.null and isinstance(field, (peewee.DateField, peewee.TimeField))):
            values[name] = None
            continue
        try:
            values[name] = parse_value(field, value, backend=backend)
        except ConversionError as exc:
            errors[name] = str(exc)
    if errors:
        raise DataError(errors)
    for name, value in values.items():
        with contextlib.suppress(AttributeError):  # a read-only property: nothing to set
            setattr(instance, name, value)
    return instance, models


def deserialize_datetime(field_obj: peewee.Field | None, value: Any) -> Any:
    """``value`` as a ``datetime`` when it is ISO 8601 text (``2011-09-16T18:36:15``, ``2011-09-16 18:36:15``,
    ``2011-09-16``), else unchanged, as the original did (kept for compatibility).
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return _parse_datetime(text[:-1] if text.endswith(("T", "t")) else text)
    except ConversionError:
        return value


def path_to_models(model: type[peewee.Model], path: str) -> list[type[peewee.Model]]:
    """The models that the foreign keys of a ``__`` path lead to: ``path_to_models(Message, "user")`` is ``[User]``.

    Raises ``AttributeError`` for a name that is not a foreign key, as the original did.
    """
    result: list[type[peewee.Model]] = []
    current = model
    for name in path.split("__"):
        field = lookup_field(current, name)
        if not isinstance(field, peewee.ForeignKeyField):
            raise AttributeError(f'{current} has no related field named "{name}"')
        current = field.rel_model
        result.append(current)
    return result


def alias_join_path(
    query: peewee.ModelSelect,
    base_model: type[peewee.Model],
    fks: Iterable[peewee.ForeignKeyField],
    alias_map: dict[tuple[str, ...], Any],
    join_type: str = peewee.JOIN.INNER,
    bind: bool = False,
) -> tuple[peewee.ModelSelect, Any]:
    """Join ``query`` along the foreign keys ``fks``, one alias per path prefix (0.6 series, kept for compatibility).

    ``alias_map`` maps each prefix of foreign-key names to its alias, so two paths to one
    model stay apart and a path used twice is joined once; it has the same shape as the
    toolkit's join cache. Returns the query and the last alias (``base_model`` for no keys).
    With ``bind`` the joined rows are attached under the foreign key's name.
    """
    return join_fks(query, base_model, fks, alias_map, join_type, bind=bind)


def alias_field(
    query: peewee.ModelSelect,
    base_model: type[peewee.Model],
    fks: Iterable[peewee.ForeignKeyField],
    field: peewee.Field,
    alias_map: dict[tuple[str, ...], Any],
    join_type: str = peewee.JOIN.INNER,
) -> tuple[peewee.ModelSelect, Any]:
    """:func:`alias_join_path`, then ``field`` on the last alias: ``(query, column)`` ready for a condition."""
    query, target = alias_join_path(query, base_model, fks, alias_map, join_type)
    if target is not base_model:
        field = getattr(target, field.name)
    return query, field


def order_query(
    query: peewee.ModelSelect, model: type[peewee.Model], ordering: str | None, is_sortable: Callable[[str], bool]
) -> peewee.ModelSelect:
    """Order ``query`` by ``ordering`` (``"name"`` or ``"-name"``) when ``is_sortable(name)`` (0.6 series).

    Anything else (no ordering, a name refused by ``is_sortable``, an unknown or sensitive
    field) leaves the query unchanged. The modern name is :func:`~flask_peewee.utils.apply_ordering`.
    """
    if not ordering or not isinstance(ordering, str):
        return query
    column = ordering.lstrip("-")
    if "," in column or not is_sortable(column):
        return query
    try:
        ((field, _),) = parse_ordering(model, column)
    except (QueryError, ValueError):
        return query
    return query.order_by(_order(field, ordering.startswith("-")))


def convert_boolean(s: Any) -> bool:
    """The original's reading of a form value as a bool: ``""``, ``"0"``, ``"false"``, ``"f"`` (any case) are False."""
    if isinstance(s, str) and s.lower() in ("", "0", "false", "f"):
        return False
    return bool(s)


def get_hexdigest(salt: str, raw_password: str) -> str:
    """The sha1 hex digest of ``salt + raw_password``, as the original's old password hashes stored it.

    Kept for compatibility only: never use it to store a password (use ``make_password``).
    """
    return hashlib.sha1((salt + raw_password).encode("utf8"), usedforsecurity=False).hexdigest()


def is_legacy_password(enc_password: str | None) -> bool:
    """Whether ``enc_password`` is one of the original's sha1 formats (``salt$sha1hex`` or a bare sha1 digest).

    Such hashes still verify with ``check_password``; the modern test for "store a new hash"
    is :func:`~flask_peewee.utils.needs_rehash`, which also covers outdated schemes.
    """
    if not isinstance(enc_password, str) or not enc_password:
        return False
    return _legacy_kind(enc_password) in ("sha1", "salted_sha1")
