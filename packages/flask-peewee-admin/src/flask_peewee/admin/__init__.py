"""A Django-style admin for peewee models in Flask apps: ``Admin``, ``ModelAdmin``, ``AdminPanel``."""

from __future__ import annotations

import os

from flask_peewee.admin.__about__ import __version__
from flask_peewee.admin._actions import Action, AdminAction, admin_action
from flask_peewee.admin._admin import Admin
from flask_peewee.admin._export import Export
from flask_peewee.admin._filters import FieldTreeNode, FilterForm
from flask_peewee.admin._forms import LOOKUP_THRESHOLD, AdminModelConverter, LookupField, SecretField
from flask_peewee.admin._groups import GroupsPanel
from flask_peewee.admin._helpers import AdminTemplateHelper, csrf_field
from flask_peewee.admin._inlines import InlineModelAdmin
from flask_peewee.admin._legacy_filters import AdminFilterModelConverter
from flask_peewee.admin._m2m import ManyToManyFormField
from flask_peewee.admin._model_admin import ModelAdmin
from flask_peewee.admin._panels import AdminPanel

__all__ = [
    "LOOKUP_THRESHOLD",
    "Action",
    "Admin",
    "AdminAction",
    "AdminFilterModelConverter",
    "AdminModelConverter",
    "AdminPanel",
    "AdminTemplateHelper",
    "Export",
    "FieldTreeNode",
    "FilterForm",
    "GroupsPanel",
    "InlineModelAdmin",
    "LookupField",
    "ManyToManyFormField",
    "ModelAdmin",
    "SecretField",
    "__version__",
    "admin_action",
    "csrf_field",
]

# The original's module constant (its package folder, where its templates live), kept for apps that read it.
current_dir = os.path.dirname(__file__)
