"""The original ``flask_peewee.filters``' query filters: one field and one value made a condition.

A :class:`QueryFilter` turns a value into a condition on its field; a :class:`FilterMapping`
says which filters each kind of field offers. The filter form and the admin's use of them
are in ``_legacy_filters``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import peewee

from flask_peewee.admin._i18n import N_
from flask_peewee.db.typed import untyped
from flask_peewee.utils import ConversionError, parse_value

__all__ = [
    "BooleanEqualQueryFilter",
    "BooleanNotEqualQueryFilter",
    "ContainsQueryFilter",
    "EqualQueryFilter",
    "FilterMapping",
    "GreaterThanEqualToQueryFilter",
    "GreaterThanQueryFilter",
    "LessThanEqualToQueryFilter",
    "LessThanQueryFilter",
    "MonthFilter",
    "NotEqualQueryFilter",
    "OlderThanDaysAgoFilter",
    "QueryFilter",
    "StartsWithQueryFilter",
    "TimestampEqualFilter",
    "TimestampGreaterThanEqualToFilter",
    "TimestampGreaterThanFilter",
    "TimestampLessThanEqualToFilter",
    "TimestampLessThanFilter",
    "TimestampMixin",
    "TimestampNotEqualFilter",
    "WithinDaysAgoFilter",
    "YearFilter",
]


class QueryFilter:
    """One operation on one field: :meth:`clean` converts the submitted text, :meth:`query` makes the condition.

    Subclass it with a ``key`` (its name in query strings), :meth:`query` and :meth:`operation`
    (its label), then list it in a :class:`FilterMapping` set as ``ModelAdmin.filter_mapping``.
    """

    key: str | None = None
    #: the HTML input type the value needs (``number`` for a count of days), None for text
    input_type: str | None = None

    def __init__(self, field: peewee.Field, name: str | None, options: Any = None) -> None:
        self.field = field
        self.name = name
        self.options = options

    def clean(self, value: Any) -> Any:
        """The submitted text as a value of the field; raises ``ValueError`` when it is not one."""
        try:
            return parse_value(self.field, value)
        except ConversionError as exc:
            raise ValueError(str(exc)) from None

    def query(self, value: Any) -> Any:
        """The condition for the cleaned ``value``."""
        raise NotImplementedError

    def operation(self) -> str:
        """The label of the operation (``equal to``)."""
        raise NotImplementedError

    def get_options(self) -> Any:
        """The choices of the value, if the field has some."""
        return self.options


class EqualQueryFilter(QueryFilter):
    """``field == value``."""

    key = "eq"

    def query(self, value: Any) -> Any:
        return self.field == value

    def operation(self) -> str:
        return N_("equal to")


class NotEqualQueryFilter(QueryFilter):
    """``field != value``."""

    key = "ne"

    def query(self, value: Any) -> Any:
        return self.field != value

    def operation(self) -> str:
        return N_("not equal to")


class LessThanQueryFilter(QueryFilter):
    """``field < value``."""

    key = "lt"

    def query(self, value: Any) -> Any:
        return self.field < value

    def operation(self) -> str:
        return N_("less than")


class LessThanEqualToQueryFilter(QueryFilter):
    """``field <= value``."""

    key = "lte"

    def query(self, value: Any) -> Any:
        return self.field <= value

    def operation(self) -> str:
        return N_("less than or equal to")


class GreaterThanQueryFilter(QueryFilter):
    """``field > value``."""

    key = "gt"

    def query(self, value: Any) -> Any:
        return self.field > value

    def operation(self) -> str:
        return N_("greater than")


class GreaterThanEqualToQueryFilter(QueryFilter):
    """``field >= value``."""

    key = "gte"

    def query(self, value: Any) -> Any:
        return self.field >= value

    def operation(self) -> str:
        return N_("greater than or equal to")


def _text(value: Any) -> str:
    text = str(value)
    if "\x00" in text:  # no stored text holds it, and PostgreSQL refuses it in a query
        raise ValueError("NUL characters are not allowed")
    return text


class StartsWithQueryFilter(QueryFilter):
    """Text starting with the value, ignoring case."""

    key = "startswith"

    def clean(self, value: Any) -> Any:
        return _text(value)

    def query(self, value: Any) -> Any:
        return self.field.startswith(value)

    def operation(self) -> str:
        return N_("starts with")


class ContainsQueryFilter(QueryFilter):
    """Text containing the value, ignoring case."""

    key = "contains"

    def clean(self, value: Any) -> Any:
        return _text(value)

    def query(self, value: Any) -> Any:
        return self.field.contains(value)

    def operation(self) -> str:
        return N_("contains")


class _NumberFilter(QueryFilter):
    input_type = "number"

    def clean(self, value: Any) -> Any:
        number = int(str(value).strip())
        if not -100_000 <= number <= 100_000:
            raise ValueError("out of range")
        return number


class YearFilter(_NumberFilter):
    """A date's year equals the value."""

    key = "year"

    def query(self, value: Any) -> Any:
        return untyped(self.field).year == value

    def operation(self) -> str:
        return N_("year equals")


class MonthFilter(_NumberFilter):
    """A date's month equals the value."""

    key = "month"

    def query(self, value: Any) -> Any:
        return untyped(self.field).month == value

    def operation(self) -> str:
        return N_("month equals")


def _days_ago(days: int) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=min(days, 3_000_000))


class WithinDaysAgoFilter(_NumberFilter):
    """A date within the last ``value`` days."""

    key = "within_days"

    def query(self, value: Any) -> Any:
        return self.field >= _days_ago(value)

    def operation(self) -> str:
        return N_("within X days ago")


class OlderThanDaysAgoFilter(_NumberFilter):
    """A date older than ``value`` days."""

    key = "older_days"

    def query(self, value: Any) -> Any:
        return self.field < _days_ago(value)

    def operation(self) -> str:
        return N_("older than X days ago")


class TimestampMixin:
    """Cleans a date-time picker value (``2024-01-31T12:00``) for a ``TimestampField``."""

    input_formats = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")

    def clean(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return value
        for fmt in self.input_formats:
            try:
                return datetime.datetime.strptime(str(value), fmt)
            except ValueError:
                continue
        raise ValueError(f"not a date and time: {value!r}")


class TimestampEqualFilter(TimestampMixin, EqualQueryFilter):
    """``EqualQueryFilter`` for timestamps."""


class TimestampNotEqualFilter(TimestampMixin, NotEqualQueryFilter):
    """``NotEqualQueryFilter`` for timestamps."""


class TimestampLessThanFilter(TimestampMixin, LessThanQueryFilter):
    """``LessThanQueryFilter`` for timestamps."""


class TimestampLessThanEqualToFilter(TimestampMixin, LessThanEqualToQueryFilter):
    """``LessThanEqualToQueryFilter`` for timestamps."""


class TimestampGreaterThanFilter(TimestampMixin, GreaterThanQueryFilter):
    """``GreaterThanQueryFilter`` for timestamps."""


class TimestampGreaterThanEqualToFilter(TimestampMixin, GreaterThanEqualToQueryFilter):
    """``GreaterThanEqualToQueryFilter`` for timestamps."""


class BooleanEqualQueryFilter(EqualQueryFilter):
    """Equality for booleans: ``0``, ``false``, ``f`` and blank are false, anything else true."""

    def clean(self, value: Any) -> Any:
        return not (isinstance(value, str) and value.strip().lower() in ("0", "false", "f", ""))


class BooleanNotEqualQueryFilter(BooleanEqualQueryFilter):
    """Inequality for booleans."""

    key = "ne"

    def query(self, value: Any) -> Any:
        return self.field != value

    def operation(self) -> str:
        return N_("not equal to")


class FilterMapping:
    """Which :class:`QueryFilter` classes each kind of field offers; subclass it to add or change them."""

    string: tuple[type[QueryFilter], ...] = (
        EqualQueryFilter,
        NotEqualQueryFilter,
        StartsWithQueryFilter,
        ContainsQueryFilter,
    )
    numeric: tuple[type[QueryFilter], ...] = (
        EqualQueryFilter,
        NotEqualQueryFilter,
        LessThanQueryFilter,
        GreaterThanQueryFilter,
        LessThanEqualToQueryFilter,
        GreaterThanEqualToQueryFilter,
    )
    datetime_date: tuple[type[QueryFilter], ...] = (
        *numeric,
        WithinDaysAgoFilter,
        OlderThanDaysAgoFilter,
        YearFilter,
        MonthFilter,
    )
    timestamp: tuple[type[QueryFilter], ...] = (
        TimestampEqualFilter,
        TimestampNotEqualFilter,
        TimestampLessThanFilter,
        TimestampGreaterThanFilter,
        TimestampLessThanEqualToFilter,
        TimestampGreaterThanEqualToFilter,
        WithinDaysAgoFilter,
        OlderThanDaysAgoFilter,
        YearFilter,
        MonthFilter,
    )
    foreign_key: tuple[type[QueryFilter], ...] = (EqualQueryFilter, NotEqualQueryFilter)
    boolean: tuple[type[QueryFilter], ...] = (BooleanEqualQueryFilter, BooleanNotEqualQueryFilter)

    def get_field_types(self) -> dict[type[peewee.Field], str]:
        """Field class -> the name of the tuple (and ``convert_<name>`` method) it uses; the MRO is searched."""
        return {
            peewee.CharField: "string",
            peewee.TextField: "string",
            peewee.DateTimeField: "datetime_date",
            peewee.DateField: "datetime_date",
            peewee.TimestampField: "timestamp",
            peewee.TimeField: "numeric",
            peewee.IntegerField: "numeric",
            peewee.BigIntegerField: "numeric",
            peewee.FloatField: "numeric",
            peewee.DoubleField: "numeric",
            peewee.DecimalField: "numeric",
            peewee.BooleanField: "boolean",
            peewee.AutoField: "numeric",
            peewee.ForeignKeyField: "foreign_key",
        }

    def convert(self, field: peewee.Field) -> list[QueryFilter]:
        """The filters ``field`` offers (numeric ones when its class is not mapped)."""
        mapping = self.get_field_types()
        for klass in type(field).__mro__:
            if klass in mapping:
                return getattr(self, f"convert_{mapping[klass]}")(field)
        return self.convert_numeric(field)

    def _make(
        self, filters: Iterable[type[QueryFilter]], field: peewee.Field, options: Any = None
    ) -> list[QueryFilter]:
        return [f(field, field.verbose_name, field.choices if options is None else options) for f in filters]

    def convert_string(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.string, field)

    def convert_numeric(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.numeric, field)

    def convert_datetime_date(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.datetime_date, field)

    def convert_timestamp(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.timestamp, field)

    def convert_boolean(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.boolean, field, [("True", "1", "False", "")])

    def convert_foreign_key(self, field: peewee.Field) -> list[QueryFilter]:
        return self._make(self.foreign_key, field)
