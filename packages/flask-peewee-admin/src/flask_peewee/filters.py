"""The original ``flask_peewee.filters`` names, shipped by flask-peewee-admin: see :mod:`flask_peewee.admin`.

Set a :class:`FilterMapping` subclass as ``ModelAdmin.filter_mapping`` to offer your own
:class:`QueryFilter` subclasses in the admin (``?field__<key>=value``).
"""

from __future__ import annotations

from flask_peewee.admin._legacy_filters import (
    DateTimeLocalField,
    FieldTreeNode,
    FilterForm,
    FilterModelConverter,
    SmallSelectWidget,
    make_field_tree,
)
from flask_peewee.admin._legacy_forms import BaseModelConverter
from flask_peewee.admin._query_filters import (
    BooleanEqualQueryFilter,
    BooleanNotEqualQueryFilter,
    ContainsQueryFilter,
    EqualQueryFilter,
    FilterMapping,
    GreaterThanEqualToQueryFilter,
    GreaterThanQueryFilter,
    LessThanEqualToQueryFilter,
    LessThanQueryFilter,
    MonthFilter,
    NotEqualQueryFilter,
    OlderThanDaysAgoFilter,
    QueryFilter,
    StartsWithQueryFilter,
    TimestampEqualFilter,
    TimestampGreaterThanEqualToFilter,
    TimestampGreaterThanFilter,
    TimestampLessThanEqualToFilter,
    TimestampLessThanFilter,
    TimestampMixin,
    TimestampNotEqualFilter,
    WithinDaysAgoFilter,
    YearFilter,
)

__all__ = [
    "BaseModelConverter",
    "BooleanEqualQueryFilter",
    "BooleanNotEqualQueryFilter",
    "ContainsQueryFilter",
    "DateTimeLocalField",
    "EqualQueryFilter",
    "FieldTreeNode",
    "FilterForm",
    "FilterMapping",
    "FilterModelConverter",
    "GreaterThanEqualToQueryFilter",
    "GreaterThanQueryFilter",
    "LessThanEqualToQueryFilter",
    "LessThanQueryFilter",
    "MonthFilter",
    "NotEqualQueryFilter",
    "OlderThanDaysAgoFilter",
    "QueryFilter",
    "SmallSelectWidget",
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
    "make_field_tree",
]
