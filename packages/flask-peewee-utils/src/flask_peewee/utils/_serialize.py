"""Model instances to JSON-ready dicts and back, in the wire format of :mod:`._values`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import peewee

from flask_peewee.utils._backends import backend_name
from flask_peewee.utils._errors import DataError
from flask_peewee.utils._sensitive import cacheable, declarations, get_sensitive_fields
from flask_peewee.utils._statements import insert_row
from flask_peewee.utils._values import ConversionError, parse_value, serialize_value

__all__ = ["dict_to_model", "field_names", "insert_instance", "model_to_dict"]


def field_names(field: peewee.Field) -> set[str]:
    """The names ``field`` answers to in data and field lists: its own, and ``user_id`` for a foreign key ``user``."""
    names = {field.name}
    if isinstance(field, peewee.ForeignKeyField) and field.object_id_name:
        names.add(field.object_id_name)
    return names


def _selected(field: peewee.Field, fields: Collection[str] | None, exclude: Collection[str]) -> bool:
    names = field_names(field)
    if fields is not None and not names & set(fields):
        return False
    return not names & set(exclude)


# What model_to_dict writes for one model and one (fields, exclude, nested names) choice: per
# field its name, the field whose type converts the value (the related key's for a foreign
# key), and whether it is a foreign key written as a nested object. Kept on the model's
# ``_meta`` (so it lives and dies with the class) with the sensitive-field declarations and
# the field list it was made from, and dropped when either changes (see get_sensitive_fields).
_Plan = tuple[tuple[str, peewee.Field, bool], ...]
_PLANS = "_flask_peewee_serialize_plans"
_PLANS_PER_MODEL = 64  # field choices may come from query strings: keep the cache bounded
_PLAIN = frozenset({str, int, bool})  # written as they are (exact types: subclasses go to serialize_value)


def _spec(names: Collection[str] | None) -> Any:
    return names if names is None or type(names) is tuple else tuple(names)


def _build_plan(
    model: type[peewee.Model],
    sensitive: frozenset[str],
    fields: Collection[str] | None,
    exclude: Collection[str],
    nested: Collection[str],
) -> _Plan:
    plan = []
    for field in model._meta.sorted_fields:
        name = field.name
        if name in sensitive or not _selected(field, fields, exclude):
            continue
        if isinstance(field, peewee.ForeignKeyField):
            plan.append((name, field.rel_field, name in nested))
        else:
            plan.append((name, field, False))
    return tuple(plan)


def _plan(
    model: type[peewee.Model],
    fields: Collection[str] | None,
    exclude: Collection[str],
    nested: Mapping[str, Any],
) -> _Plan:
    meta = model._meta
    declared = declarations(model)
    sorted_fields = meta.sorted_fields  # peewee replaces this list when a field is added or removed
    entry = meta.__dict__.get(_PLANS)
    if entry is None or entry[0] != declared or entry[1] is not sorted_fields:
        # A list or set declaration could change in place: store None so it never matches.
        entry = (declared if cacheable(declared) else None, sorted_fields, get_sensitive_fields(model), {})
        setattr(meta, _PLANS, entry)
    plans: dict[tuple[Any, ...], _Plan] = entry[3]
    key = (_spec(fields), _spec(exclude), tuple(nested))
    plan = plans.get(key)
    if plan is None:
        plan = _build_plan(model, entry[2], fields, exclude, nested)
        if len(plans) >= _PLANS_PER_MODEL:
            plans.clear()
        plans[key] = plan
    return plan


def model_to_dict(
    obj: peewee.Model,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    nested: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """The JSON-ready dict of ``obj``'s fields; sensitive fields are always left out.

    A foreign key is written under its field name with the related primary key, or, when
    its name is in ``nested``, as the related object's dict (``nested[name]`` holds the
    ``fields``/``exclude``/``nested`` options for it, or None). ``fields`` and ``exclude``
    accept a foreign key's ``user_id`` name too. Which fields to write is worked out once
    per model and choice of options, and reused for every object.

    Usage::

        model_to_dict(message, exclude=("pub_date",), nested={"user": {"fields": ("id", "username")}})
    """
    nested = nested or {}
    return _write(_plan(type(obj), fields, exclude, nested), obj, nested)


def _write(plan: _Plan, obj: peewee.Model, nested: Mapping[str, Mapping[str, Any] | None]) -> dict[str, Any]:
    values = obj.__data__
    data: dict[str, Any] = {}
    for name, field, nest in plan:
        value = values.get(name)
        if nest and value is not None:
            try:
                related = getattr(obj, name)
            except peewee.DoesNotExist:
                related = None
            if related is not None:
                data[name] = model_to_dict(related, **(nested[name] or {}))
                continue
        data[name] = value if value is None or type(value) in _PLAIN else serialize_value(field, value)
    return data


def dict_writer(
    model: type[peewee.Model], *, fields: Collection[str] | None = None, exclude: Collection[str] = ()
) -> Callable[[peewee.Model], dict[str, Any]]:
    """``model_to_dict(obj, fields=fields, exclude=exclude)`` (no nesting) for the objects of one page.

    Which fields to write is looked up once, when the writer is made, instead of for each
    object: make one per page (a declaration changed meanwhile counts from the next page).
    """
    plan = _plan(model, fields, exclude, {})
    return lambda obj: _write(plan, obj, {})


def _writable_on_create(field: peewee.Field) -> bool:
    """A primary key the client must supply: not generated by the database and without a default."""
    return not isinstance(field, peewee.AutoField) and field.default is None


def _required(field: peewee.Field) -> bool:
    return not field.null and field.default is None and not isinstance(field, peewee.AutoField)


def dict_to_model(
    model_or_instance: type[peewee.Model] | peewee.Model,
    data: Any,
    *,
    fields: Collection[str] | None = None,
    exclude: Collection[str] = (),
    read_only: Collection[str] = (),
    check_relations: bool = True,
) -> peewee.Model:
    """Validate ``data`` (a decoded JSON object or form) and write it into a model instance, unsaved.

    Given a model class it builds a new instance (missing required fields are errors);
    given an instance it updates only the keys present. Values are converted by field
    type; a foreign key is read from ``user`` or ``user_id`` (an id, or a nested object
    holding the id) and, with ``check_relations``, must exist. Never written from data: the
    primary key (except a client-chosen one on create: no default, not auto-generated),
    ``read_only`` fields, fields outside ``fields`` or in ``exclude``, and sensitive fields
    unless ``fields`` names them. Unknown keys are ignored. Raises :class:`DataError`
    with a message per field; on error the instance is left untouched.

    Save a new object with :func:`insert_instance` (an INSERT even when its key is set).
    """
    if isinstance(model_or_instance, type) and issubclass(model_or_instance, peewee.Model):
        model, instance, creating = model_or_instance, model_or_instance(), True
    elif isinstance(model_or_instance, peewee.Model):
        model, instance, creating = type(model_or_instance), model_or_instance, False
    else:
        raise TypeError(f"dict_to_model() needs a model class or instance, not {type(model_or_instance).__name__}")
    if not isinstance(data, Mapping):
        raise DataError({"__all__": f"expected an object with field values, got {type(data).__name__}"})

    backend = backend_name(model._meta.database)
    sensitive = get_sensitive_fields(model)
    explicit = set(fields or ())
    read_only = set(read_only)
    primary = model._meta.primary_key
    key_fields = set(getattr(primary, "field_names", ())) or {getattr(primary, "name", None)}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    relations: list[tuple[peewee.ForeignKeyField, Any]] = []

    for field in model._meta.sorted_fields:
        name = field.name
        if field.name in key_fields and not (creating and _writable_on_create(field)):
            continue
        if field_names(field) & read_only or not _selected(field, fields, exclude):
            continue
        if name in sensitive and not field_names(field) & explicit:
            continue
        present = [key for key in (name, getattr(field, "object_id_name", None)) if key and key in data]
        if not present:
            if creating and _required(field):
                errors[name] = "this field is required"
            continue
        raw = data[present[0]]
        if len(present) == 2 and _differs(field, data[present[0]], data[present[1]], backend):
            errors[name] = f"{present[0]!r} and {present[1]!r} disagree"
            continue
        if raw is None:
            if field.null:
                values[name] = None
            else:
                errors[name] = "may not be null"
            continue
        try:
            values[name] = parse_value(field, raw, write=True, backend=backend)
        except ConversionError as exc:
            errors[name] = str(exc)
            continue
        if isinstance(field, peewee.ForeignKeyField) and check_relations:
            relations.append((field, values[name]))

    for fk, value in relations:
        if not fk.rel_model.select().where(fk.rel_field == value).exists():
            errors[fk.name] = f"no {fk.rel_model.__name__} with {fk.rel_field.name} {serialize_value(None, value)}"
    if errors:
        raise DataError(errors)
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


def _differs(field: peewee.Field, first: Any, second: Any, backend: str) -> bool:
    try:
        return parse_value(field, first, backend=backend) != parse_value(field, second, backend=backend)
    except ConversionError:
        return first != second


def insert_instance(instance: peewee.Model) -> peewee.Model:
    """Save a new ``instance`` with an INSERT, also when its primary key is already set (UUIDs, natural keys).

    peewee's plain ``save()`` would run an UPDATE (of no row) for a new object whose key has a value.
    On PostgreSQL and SQLite 3.35+, for a model that does not override ``save()``, the INSERT
    also returns the stored row (``RETURNING``): ``instance`` then holds what the database
    kept, and :func:`stored_row_known` says so (no need to read it again).
    """
    model = type(instance)
    if not _returns_stored_row(model):
        instance.save(force_insert=True)
        return instance
    meta: Any = model._meta
    saved: Any = instance  # peewee's own save() steps, on its private attributes
    data = instance.__data__.copy()
    saved._populate_unsaved_relations(data)
    if meta.auto_increment and saved._pk is None:
        data.pop(meta.primary_key.name, None)
    fields = meta.sorted_fields
    row = insert_row(model, data, returning=True)
    for field, value in zip(fields, row, strict=True):
        instance.__data__[field.name] = value
    saved._dirty.clear()
    instance.__dict__[_STORED] = True
    return instance


_STORED = "_flask_peewee_stored_row"


def stored_row_known(instance: peewee.Model) -> bool:
    """Whether :func:`insert_instance` just filled ``instance`` with its stored row (asked once: it forgets)."""
    return bool(instance.__dict__.pop(_STORED, False))


def _returns_stored_row(model: type[peewee.Model]) -> bool:
    meta = model._meta
    if model.save is not peewee.Model.save or meta.primary_key is False or meta.composite_key:
        return False  # an overridden save() (signals, slugs...) must run
    backend = backend_name(meta.database)
    if backend == "postgres":
        return True
    if backend == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35, 0)
    return False
