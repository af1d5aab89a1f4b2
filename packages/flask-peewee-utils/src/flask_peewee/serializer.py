"""``flask_peewee.serializer``, kept for apps written for the original flask-peewee.

The module of the original single package lives on as a plain module of the namespace,
shipped by flask-peewee-utils. :class:`Serializer` and :class:`Deserializer` keep the
original's output shape (foreign keys as ids) and hooks, over the utils toolkit; unlike the
original, fields a model declares sensitive (``__sensitive_fields__``) are never serialized.
New code uses :func:`flask_peewee.utils.model_to_dict` and :func:`~flask_peewee.utils.dict_to_model`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import peewee

from flask_peewee.utils import (
    get_dictionary_from_model,
    get_model_from_dictionary,
    get_sensitive_fields,
    serialize_value,
)

__all__ = ["Deserializer", "Serializer"]


class Serializer:
    """Turn a model instance into a JSON-ready dict: ``Serializer().serialize_object(message)``.

    Subclasses may change the formats below or override :meth:`convert_value` (one value)
    and :meth:`clean_data` (the whole dict); :meth:`serialize_object` calls both. Whatever
    a hook returns, the model's sensitive fields are left out.
    """

    date_format = "%Y-%m-%d"
    time_format = "%H:%M:%S"
    datetime_format = "T".join([date_format, time_format])
    #: Datetimes as ISO 8601 (``isoformat()``); when False, as :attr:`datetime_format`.
    use_iso8601 = True

    def convert_value(self, value: Any) -> Any:
        """The JSON-ready form of one value: dates and times as text, a related object as its key, bytes as base64."""
        if isinstance(value, datetime.datetime):
            return value.isoformat() if self.use_iso8601 else value.strftime(self.datetime_format)
        if isinstance(value, datetime.date):
            return value.strftime(self.date_format)
        if isinstance(value, datetime.time):
            return value.strftime(self.time_format)
        if isinstance(value, datetime.timedelta):
            return value.total_seconds()
        if isinstance(value, peewee.Model):
            return self.convert_value(value.get_id())
        if isinstance(value, uuid.UUID):
            return str(value)
        return serialize_value(None, value)

    def clean_data(self, data: dict[str, Any]) -> dict[str, Any]:
        """Convert every value of ``data`` in place with :meth:`convert_value` (nested dicts too) and return it."""
        for key, value in data.items():
            if isinstance(value, dict):
                self.clean_data(value)
            elif isinstance(value, (list, tuple)):
                data[key] = [
                    self.clean_data(item) if isinstance(item, dict) else self.convert_value(item) for item in value
                ]
            else:
                data[key] = self.convert_value(value)
        return data

    def serialize_object(
        self,
        obj: peewee.Model,
        fields: Mapping[type[peewee.Model], Iterable[str]] | Iterable[str] | None = None,
        exclude: Mapping[type[peewee.Model], Iterable[str]] | Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """The dict of ``obj`` (``fields``/``exclude`` map model classes to field names, as in the original)."""
        data = self.clean_data(get_dictionary_from_model(obj, fields, exclude))
        for name in get_sensitive_fields(obj):
            data.pop(name, None)  # a hook may have put it back: it never leaves
        return data


class Deserializer:
    """Turn a dict back into an unsaved model instance.

    Usage: ``instance, models = Deserializer().deserialize_object(Message, data)``.
    """

    def deserialize_object(
        self, model: type[peewee.Model] | peewee.Model, data: Mapping[str, Any]
    ) -> tuple[peewee.Model, list[peewee.Model]]:
        """``(instance, models)``: see :func:`flask_peewee.utils.get_model_from_dictionary`."""
        return get_model_from_dictionary(model, data)
