"""Helpers that flask-peewee's own packages (auth, admin, rest) share, kept out of the public API.

These names are not in ``flask_peewee.utils.__all__`` and are not documented for apps: they
may change with the packages that use them. They stay importable from ``flask_peewee.utils``
as well. The rule (see the "Public and internal names" section of docs/utils.rst): a name is
public when apps use it (documented in the utils chapter or README, used by an example, or
kept from the original flask-peewee); a name only our packages need is internal.
"""

from __future__ import annotations

from flask_peewee.utils._backends import backend_name, redis_client
from flask_peewee.utils._checks import check_secret_like_fields, sensitive_exposures
from flask_peewee.utils._extensions import register_extension
from flask_peewee.utils._filters import field_operators, split_filter_key
from flask_peewee.utils._i18n import (
    LazyText,
    TranslationDomain,
    app_gettext,
    babel_active,
    current_language,
    gettext_noop,
    html_language,
    wtforms_translations,
)
from flask_peewee.utils._limits import body_within_limit, effective_body_limit
from flask_peewee.utils._pagination import count_select, parse_page
from flask_peewee.utils._passwords import password_scheme
from flask_peewee.utils._paths import MAX_DEPTH, filterable_path, joined_from, path_alias, path_allowed
from flask_peewee.utils._periodic import Periodic
from flask_peewee.utils._sensitive import sensitive_snapshot
from flask_peewee.utils._serialize import dict_writer, field_names, stored_row_known
from flask_peewee.utils._statements import (
    PreparedSelect,
    RowLookup,
    ShapePlans,
    Slot,
    SlottedFilters,
    Statement,
    insert_row,
    slot_filters,
)
from flask_peewee.utils._unique import unique_violation
from flask_peewee.utils._uploads import UPLOAD_MESSAGES
from flask_peewee.utils._values import parse_key

__all__ = [
    "MAX_DEPTH",
    "UPLOAD_MESSAGES",
    "LazyText",
    "Periodic",
    "PreparedSelect",
    "RowLookup",
    "ShapePlans",
    "Slot",
    "SlottedFilters",
    "Statement",
    "TranslationDomain",
    "app_gettext",
    "babel_active",
    "backend_name",
    "body_within_limit",
    "check_secret_like_fields",
    "count_select",
    "current_language",
    "dict_writer",
    "effective_body_limit",
    "field_names",
    "field_operators",
    "filterable_path",
    "gettext_noop",
    "html_language",
    "insert_row",
    "joined_from",
    "parse_key",
    "parse_page",
    "password_scheme",
    "path_alias",
    "path_allowed",
    "redis_client",
    "register_extension",
    "sensitive_exposures",
    "sensitive_snapshot",
    "slot_filters",
    "split_filter_key",
    "stored_row_known",
    "unique_violation",
    "wtforms_translations",
]
