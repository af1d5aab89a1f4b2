"""The form helpers of the original ``flask_peewee.forms``, over wtf-peewee (see ``flask_peewee/forms.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import peewee
from wtforms import widgets
from wtfpeewee.fields import BooleanSelectField, ModelSelectField, SelectQueryField, wtf_choice
from wtfpeewee.orm import ModelConverter

__all__ = [
    "AjaxSelectWidget",
    "BaseModelConverter",
    "ChosenAjaxSelectWidget",
    "LimitedModelSelectField",
    "ScopedModelSelectField",
]


class BaseModelConverter(ModelConverter):
    """wtf-peewee's converter with booleans as a yes/no ``<select>`` (the original's base converter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.converters[peewee.BooleanField] = self.handle_boolean

    def handle_boolean(self, model: type[peewee.Model], field: peewee.Field, **kwargs: Any) -> tuple[str, Any]:
        """A boolean field as a select of true/false."""
        return field.name, BooleanSelectField(**kwargs)


class AjaxSelectWidget(widgets.Select):
    """A ``<select>`` that names where its options come from: ``data-source`` (a URL) and ``data-param``."""

    def __init__(self, data_source: str, data_param: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data_source = data_source
        self.data_param = data_param

    def __call__(self, field: Any, **kwargs: Any) -> Any:
        kwargs.update({"data-role": "ajax-select", "data-source": self.data_source, "data-param": self.data_param})
        return super().__call__(field, **kwargs)


#: the 0.6 series' name of :class:`AjaxSelectWidget`, kept for apps that import it
ChosenAjaxSelectWidget = AjaxSelectWidget


class LimitedModelSelectField(ModelSelectField):
    """A select of related rows showing only the first :attr:`limit` (plus the current value)."""

    limit = 20

    def iter_choices(self) -> Iterator[Any]:
        shown = False
        for obj in self.query.limit(self.limit):
            selected = obj == self.data
            shown = shown or selected
            yield wtf_choice(obj._pk, self.get_label(obj), selected)
        if isinstance(self.data, self.model) and not shown:
            yield wtf_choice(self.data._pk, self.get_label(self.data), True)


class ScopedModelSelectField(SelectQueryField):
    """A select of the rows of a given ``query`` (a foreign key limited to what an admin shows)."""
