"""Convert values between the wire (query strings, JSON) and peewee fields, by field type.

The wire format: datetimes ISO 8601 (``2011-09-16T18:36:15``; ``2011-09-16 18:36:15`` is
accepted too), dates ``YYYY-MM-DD``, times ``HH:MM:SS``, Decimal as a string, UUID as its
canonical string, bytes as base64, a foreign key as the related primary key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import decimal
import ipaddress
import math
import re
import uuid
from typing import Any

import peewee

from flask_peewee.db.typed import rel_field as typed_rel_field

__all__ = ["ConversionError", "field_kind", "is_text_field", "parse_key", "parse_value", "serialize_value"]

_INT = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?"
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME)
_DATETIME_RE = re.compile(_DATE + r"(?:[Tt ]" + _TIME + r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?")
_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})
_INT_BITS = {"SMALLINT": 16, "INT": 32, "AUTO": 32, "BIGINT": 64, "BIGAUTO": 64}


class ConversionError(ValueError):
    """A value that does not convert to its field's type (the message says why)."""


def field_kind(field: peewee.Field) -> str:
    """The wire type of ``field`` (fk, bool, int, float, decimal, datetime, date, time, uuid, bytes, ip, json, text)."""
    checks: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (peewee.ForeignKeyField, "fk"),
        (peewee.TimestampField, "datetime"),
        (peewee.IPField, "ip"),
        (peewee.BooleanField, "bool"),
        (peewee.IntegerField, "int"),
        (peewee.DecimalField, "decimal"),
        (peewee.FloatField, "float"),
        (peewee.DateTimeField, "datetime"),
        (peewee.DateField, "date"),
        (peewee.TimeField, "time"),
        ((peewee.UUIDField, peewee.BinaryUUIDField), "uuid"),
        (peewee.BlobField, "bytes"),
        (peewee.CharField, "text"),
        (peewee.TextField, "text"),
    )
    for cls, kind in checks:
        if isinstance(field, cls):
            return kind
    field_type = str(getattr(field, "field_type", "")).upper()
    if field_type in ("JSON", "JSONB") or isinstance(field, getattr(peewee, "JSONField", ())):
        return "json"
    if field_type in ("VARCHAR", "TEXT", "CHAR"):
        return "text"
    return "other"


def is_text_field(field: peewee.Field) -> bool:
    """Whether SQL pattern matching (like/ilike, search) applies to ``field``."""
    return field_kind(field) == "text"


# -- parsing -----------------------------------------------------------------------------


def _fraction(text: str | None) -> int:
    return int((text or "0").ljust(6, "0")) if text else 0


def _parse_datetime(text: str) -> datetime.datetime:
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise ConversionError(f"{text!r} is not a date and time such as 2011-09-16T18:36:15")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    tzinfo = None
    if offset:
        if offset in ("Z", "z"):
            tzinfo = datetime.timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if delta >= datetime.timedelta(hours=24):
                raise ConversionError(f"{text!r} has an impossible UTC offset")
            tzinfo = datetime.timezone(sign * delta)
    try:
        return datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            _fraction(fraction),
            tzinfo=tzinfo,
        )
    except ValueError as exc:
        raise ConversionError(f"{text!r} is not a valid date and time: {exc}") from None


def _parse_date(text: str) -> datetime.date:
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise ConversionError(f"{text!r} is not a date such as 2011-09-16")
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise ConversionError(f"{text!r} is not a valid date: {exc}") from None


def _parse_time(text: str) -> datetime.time:
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ConversionError(f"{text!r} is not a time such as 18:36:15")
    hour, minute, second, fraction = match.groups()
    try:
        return datetime.time(int(hour), int(minute), int(second or 0), _fraction(fraction))
    except ValueError as exc:
        raise ConversionError(f"{text!r} is not a valid time: {exc}") from None


def _check_text(value: str, field: peewee.Field, write: bool) -> str:
    if "\x00" in value:
        raise ConversionError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConversionError("text is not valid Unicode (lone surrogate)") from None
    max_length = getattr(field, "max_length", None)
    if write and isinstance(max_length, int) and len(value) > max_length:
        raise ConversionError(f"at most {max_length} characters are allowed, got {len(value)}")
    return value


def _parse_int(value: Any, field: peewee.Field, bits: int) -> int:
    if isinstance(value, bool):
        raise ConversionError(f"expected an integer, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        if not _INT.fullmatch(value.strip()):
            raise ConversionError(f"{value!r} is not an integer")
        value = int(value.strip())
    if not isinstance(value, int):
        raise ConversionError(f"expected an integer, got {value!r}")
    limit = 2 ** (bits - 1)
    if not -limit <= value < limit:
        raise ConversionError(f"{value} is out of range for this field")
    return value


def _parse_number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, decimal.Decimal)):
        raise ConversionError(f"expected a number, got {value!r}")
    text = str(value).strip()
    if not _NUMBER.fullmatch(text):
        raise ConversionError(f"{value!r} is not a number")
    return text


def _parse_decimal(value: Any, field: peewee.Field, write: bool) -> decimal.Decimal:
    number = decimal.Decimal(_parse_number(value))
    places = getattr(field, "decimal_places", None)
    digits = getattr(field, "max_digits", None)
    if write and isinstance(places, int) and isinstance(digits, int):
        try:
            number = number.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
        except decimal.InvalidOperation:
            raise ConversionError(f"{value!r} has too many digits") from None
        whole_digits = max(number.adjusted() + 1, 0)
        if whole_digits > digits - places:
            raise ConversionError(f"{value!r} has too many digits (at most {digits - places} before the decimal point)")
    return number


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ConversionError(f"{value!r} is not a boolean (use true or false)")


def _parse_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if not isinstance(value, str):
        raise ConversionError(f"expected base64 text, got {value!r}")
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConversionError("is not valid base64") from None


def _naive_utc(value: datetime.datetime, field: peewee.Field) -> datetime.datetime:
    field_type = str(getattr(field, "field_type", "")).upper()
    if value.tzinfo is None or "TZ" in field_type:
        return value
    # A plain DateTimeField stores naive values: keep the instant, in UTC.
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def parse_key(model: type[peewee.Model], value: Any) -> Any:
    """``value`` (e.g. text from a URL) as a value of ``model``'s primary key.

    Raises :class:`ConversionError` when it cannot be one (``abc`` for an integer key, an
    integer past 64 bits, a malformed UUID), and for a model without a single-column key, so a
    lookup by it can answer "not found" before it reaches the database.
    """
    primary = model._meta.primary_key
    if not isinstance(primary, peewee.Field) or isinstance(primary, peewee.CompositeKey):
        raise ConversionError("this model has no single-column primary key")
    return parse_value(primary, value)


def parse_value(field: peewee.Field, value: Any, *, write: bool = False, backend: str = "other") -> Any:
    """Convert ``value`` (a query-string text or a JSON value) to the Python value of ``field``.

    ``write`` adds the checks a stored value needs (length, digits, integer size of the
    column on ``backend``, choices). Raises :class:`ConversionError` with a short reason.
    """
    kind = field_kind(field)
    if kind == "fk":
        rel_field = typed_rel_field(field)
        if isinstance(value, peewee.Model):
            value = getattr(value, rel_field.name)
        elif isinstance(value, dict):
            if rel_field.name not in value:
                raise ConversionError(f"a nested object needs its {rel_field.name!r}")
            value = value[rel_field.name]
        if value is None:
            raise ConversionError("may not be null")
        return parse_value(rel_field, value, write=False, backend=backend)
    result = _parse_kind(kind, field, value, write=write, backend=backend)
    choices = getattr(field, "choices", None)
    if write and choices:
        allowed = [c[0] if isinstance(c, (tuple, list)) else c for c in choices]
        if result not in allowed:
            raise ConversionError(f"{value!r} is not one of the allowed choices")
    return result


def _parse_kind(kind: str, field: peewee.Field, value: Any, *, write: bool, backend: str) -> Any:
    if kind == "int":
        bits = _INT_BITS.get(str(field.field_type).upper(), 64)
        return _parse_int(value, field, 64 if backend == "sqlite" or not write else bits)
    if kind == "float":
        number = float(_parse_number(value))
        if not math.isfinite(number):
            raise ConversionError(f"{value!r} is out of range")
        return number
    if kind == "decimal":
        return _parse_decimal(value, field, write)
    if kind == "bool":
        return _parse_bool(value)
    if kind in ("datetime", "date", "time"):
        return _parse_temporal(kind, field, value)
    if kind == "uuid":
        if isinstance(value, uuid.UUID):
            return value
        if not isinstance(value, str):
            raise ConversionError(f"expected a UUID string, got {value!r}")
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            raise ConversionError(f"{value!r} is not a UUID") from None
    if kind == "bytes":
        return _parse_bytes(value)
    if kind == "ip":
        try:
            return str(ipaddress.IPv4Address(value.strip() if isinstance(value, str) else value))
        except (ValueError, TypeError):
            raise ConversionError(f"{value!r} is not an IPv4 address") from None
    if kind == "json":
        return value
    if not isinstance(value, str):
        if kind == "text" or isinstance(value, (dict, list)):
            raise ConversionError(f"expected a string, got {value!r}")
        return value
    return _check_text(value, field, write)


def _parse_temporal(kind: str, field: peewee.Field, value: Any) -> Any:
    if kind == "datetime":
        if isinstance(value, datetime.datetime):
            return _naive_utc(value, field)
        if isinstance(value, str):
            return _naive_utc(_parse_datetime(value), field)
        raise ConversionError(f"expected a date and time string, got {value!r}")
    if kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            return _parse_date(value)
        raise ConversionError(f"expected a date string, got {value!r}")
    if isinstance(value, datetime.time):
        return value
    if isinstance(value, str):
        return _parse_time(value)
    raise ConversionError(f"expected a time string, got {value!r}")


# -- serializing ---------------------------------------------------------------------------


def serialize_value(field: peewee.Field | None, value: Any) -> Any:
    """The JSON-ready form of a Python ``value`` of ``field`` (the wire format above)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        if isinstance(places, int) and value.is_finite():
            with contextlib.suppress(decimal.InvalidOperation):
                value = value.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, peewee.Model):
        return serialize_value(None, value.get_id())
    return value
