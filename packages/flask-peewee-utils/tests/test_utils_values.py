"""The wire format of single values, without a database."""

from __future__ import annotations

import datetime
import decimal
import uuid

import peewee
import pytest

from flask_peewee.utils import ConversionError, field_kind, parse_key, parse_value, serialize_value

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (3, 3),
        ("text", "text"),
        (1.5, 1.5),
        (float("nan"), None),
        (datetime.datetime(2011, 9, 16, 18, 36, 15), "2011-09-16T18:36:15"),
        (datetime.datetime(2011, 9, 16, 18, 36, 15, 5000), "2011-09-16T18:36:15.005000"),
        (datetime.datetime(2011, 9, 16, 18, 36, 15, tzinfo=UTC), "2011-09-16T18:36:15+00:00"),
        (datetime.date(2011, 9, 16), "2011-09-16"),
        (datetime.time(18, 36, 15), "18:36:15"),
        (decimal.Decimal("1E+2"), "100"),
        (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (b"\x00\xff", "AP8="),
        (memoryview(b"hi"), "aGk="),
    ],
)
def test_serialize_value(value: object, expected: object) -> None:
    assert serialize_value(None, value) == expected


def test_decimals_keep_the_field_scale() -> None:
    field = peewee.DecimalField(max_digits=10, decimal_places=2)
    assert serialize_value(field, decimal.Decimal("1.5")) == "1.50"
    assert serialize_value(field, decimal.Decimal("2.345")) == "2.35"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-09-16 18:36:15", datetime.datetime(2011, 9, 16, 18, 36, 15)),
        ("2011-09-16T18:36:15", datetime.datetime(2011, 9, 16, 18, 36, 15)),
        ("2011-09-16T18:36", datetime.datetime(2011, 9, 16, 18, 36)),
        ("2011-09-16", datetime.datetime(2011, 9, 16)),
        ("2011-09-16T18:36:15.5", datetime.datetime(2011, 9, 16, 18, 36, 15, 500000)),
        ("2011-09-16T18:36:15.1234567", datetime.datetime(2011, 9, 16, 18, 36, 15, 123456)),
        ("2011-09-16T18:36:15Z", datetime.datetime(2011, 9, 16, 18, 36, 15)),
        ("2011-09-16T18:36:15-05:30", datetime.datetime(2011, 9, 17, 0, 6, 15)),
        ("2011-09-16T18:36:15+0100", datetime.datetime(2011, 9, 16, 17, 36, 15)),
    ],
)
def test_datetimes_are_read_in_iso_and_docs_forms(text: str, expected: datetime.datetime) -> None:
    assert parse_value(peewee.DateTimeField(), text) == expected


@pytest.mark.parametrize(
    "text", ["", "16/09/2011", "2011-9-16", "2011-09-16T25:00:00", "2011-09-16T18:36:15+25:00", "today"]
)
def test_bad_datetimes(text: str) -> None:
    with pytest.raises(ConversionError):
        parse_value(peewee.DateTimeField(), text)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (peewee.IntegerField(), " 42 ", 42),
        (peewee.IntegerField(), "-7", -7),
        (peewee.IntegerField(), 3.0, 3),
        (peewee.FloatField(), "1e3", 1000.0),
        (peewee.DecimalField(), "0.10", decimal.Decimal("0.10")),
        (peewee.DecimalField(max_digits=5, decimal_places=1), 1.25, decimal.Decimal("1.25")),
        (peewee.BooleanField(), "Yes", True),
        (peewee.BooleanField(), 0, False),
        (peewee.DateField(), "2024-02-29", datetime.date(2024, 2, 29)),
        (peewee.TimeField(), "07:05", datetime.time(7, 5)),
        (peewee.TimeField(), "07:05:09.25", datetime.time(7, 5, 9, 250000)),
        (peewee.UUIDField(), "12345678123456781234567812345678", uuid.UUID("12345678-1234-5678-1234-567812345678")),
        (peewee.BlobField(), "aGk=", b"hi"),
        (peewee.IPField(), "10.0.0.1", "10.0.0.1"),
        (peewee.CharField(), "plain", "plain"),
    ],
)
def test_parse_value(field: peewee.Field, value: object, expected: object) -> None:
    assert parse_value(field, value) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (peewee.IntegerField(), "٣"),
        (peewee.IntegerField(), "1_000"),
        (peewee.IntegerField(), True),
        (peewee.IntegerField(), 2**63),
        (peewee.FloatField(), "nan"),
        (peewee.FloatField(), "1e999"),
        (peewee.DecimalField(), "Infinity"),
        (peewee.BooleanField(), "maybe"),
        (peewee.BooleanField(), 2),
        (peewee.UUIDField(), 5),
        (peewee.IPField(), "300.1.1.1"),
        (peewee.CharField(), {"a": 1}),
        (peewee.CharField(), 5),
    ],
)
def test_parse_value_refuses(field: peewee.Field, value: object) -> None:
    with pytest.raises(ConversionError):
        parse_value(field, value)


def test_write_checks() -> None:
    assert parse_value(peewee.DecimalField(max_digits=5, decimal_places=1), 1.25, write=True) == decimal.Decimal("1.3")
    with pytest.raises(ConversionError, match="too many digits"):
        parse_value(peewee.DecimalField(max_digits=5, decimal_places=1), "12345", write=True)
    with pytest.raises(ConversionError, match="at most 3"):
        parse_value(peewee.CharField(max_length=3), "abcd", write=True)
    assert parse_value(peewee.CharField(max_length=3), "abcd") == "abcd"  # filters compare any length


def test_field_kinds() -> None:
    assert field_kind(peewee.TimestampField()) == "datetime"
    assert field_kind(peewee.FixedCharField()) == "text"
    assert field_kind(peewee.BigAutoField()) == "int"
    assert field_kind(peewee.BinaryUUIDField()) == "uuid"
    assert field_kind(peewee.BareField()) == "other"


def test_parse_key_converts_by_the_primary_key_type() -> None:
    class Numbered(peewee.Model):
        pass

    class Keyed(peewee.Model):
        id = peewee.UUIDField(primary_key=True)

    class Pair(peewee.Model):
        left = peewee.IntegerField()
        right = peewee.IntegerField()

        class Meta:
            primary_key = peewee.CompositeKey("left", "right")

    assert parse_key(Numbered, "42") == 42
    key = uuid.uuid4()
    assert parse_key(Keyed, str(key)) == key
    for model, raw in ((Numbered, "abc"), (Numbered, "99999999999999999999"), (Keyed, "not-a-uuid"), (Pair, "1")):
        with pytest.raises(ConversionError):
            parse_key(model, raw)
