"""The original ``flask_peewee.forms`` names, shipped by flask-peewee-admin (over wtf-peewee)."""

from __future__ import annotations

from flask_peewee.admin._legacy_forms import (
    AjaxSelectWidget,
    BaseModelConverter,
    ChosenAjaxSelectWidget,
    LimitedModelSelectField,
    ScopedModelSelectField,
)

__all__ = [
    "AjaxSelectWidget",
    "BaseModelConverter",
    "ChosenAjaxSelectWidget",
    "LimitedModelSelectField",
    "ScopedModelSelectField",
]
