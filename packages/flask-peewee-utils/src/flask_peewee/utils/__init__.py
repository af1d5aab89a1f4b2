"""Utilities for flask-peewee: pagination, lookups, slugs, safe redirects, passwords and the query toolkit."""

from __future__ import annotations

from flask_peewee.utils.__about__ import __version__
from flask_peewee.utils._backends import backend_name
from flask_peewee.utils._compat import (
    LEGACY_PASSWORD_RE,
    alias_field,
    alias_join_path,
    convert_boolean,
    deserialize_datetime,
    get_dictionary_from_model,
    get_hexdigest,
    get_model_from_dictionary,
    is_legacy_password,
    load_class,
    order_query,
    path_to_models,
)
from flask_peewee.utils._errors import DataError, QueryError
from flask_peewee.utils._extensions import register_extension
from flask_peewee.utils._filters import (
    DEFAULT_IGNORED_PARAMS,
    OPERATORS,
    REGEX_OPERATORS,
    Filter,
    apply_filters,
    apply_search,
    field_operators,
    filter_query,
    parse_filters,
    split_filter_key,
)
from flask_peewee.utils._keyset import iter_keyset, keyset_condition, keyset_key, keyset_order, keyset_values
from flask_peewee.utils._ordering import apply_ordering, parse_ordering
from flask_peewee.utils._pagination import MAX_OFFSET, PaginatedQuery, clamp_page, object_list, parse_page
from flask_peewee.utils._passwords import (
    check_password,
    dummy_verify,
    get_password_context,
    make_password,
    needs_rehash,
    password_scheme,
)
from flask_peewee.utils._paths import filterable_path, path_allowed
from flask_peewee.utils._regex import MAX_REGEX_LENGTH, regex_problem
from flask_peewee.utils._sensitive import get_sensitive_fields
from flask_peewee.utils._serialize import dict_to_model, insert_instance, model_to_dict
from flask_peewee.utils._shortcuts import get_object_or_404, slugify
from flask_peewee.utils._unique import unique_violation
from flask_peewee.utils._urls import get_next, is_safe_url, safe_next_url
from flask_peewee.utils._values import ConversionError, field_kind, parse_key, parse_value, serialize_value

__all__ = [
    "DEFAULT_IGNORED_PARAMS",
    "LEGACY_PASSWORD_RE",
    "MAX_OFFSET",
    "MAX_REGEX_LENGTH",
    "OPERATORS",
    "PASSWORD_HASH_METHOD",
    "REGEX_OPERATORS",
    "ConversionError",
    "DataError",
    "Filter",
    "PaginatedQuery",
    "QueryError",
    "__version__",
    "alias_field",
    "alias_join_path",
    "apply_filters",
    "apply_ordering",
    "apply_search",
    "backend_name",
    "check_password",
    "clamp_page",
    "convert_boolean",
    "deserialize_datetime",
    "dict_to_model",
    "dummy_verify",
    "field_kind",
    "field_operators",
    "filter_query",
    "filterable_path",
    "get_dictionary_from_model",
    "get_hexdigest",
    "get_model_from_dictionary",
    "get_next",
    "get_object_or_404",
    "get_password_context",
    "get_sensitive_fields",
    "insert_instance",
    "is_legacy_password",
    "is_safe_url",
    "iter_keyset",
    "keyset_condition",
    "keyset_key",
    "keyset_order",
    "keyset_values",
    "load_class",
    "make_password",
    "model_to_dict",
    "needs_rehash",
    "object_list",
    "order_query",
    "parse_filters",
    "parse_key",
    "parse_ordering",
    "parse_page",
    "parse_value",
    "password_scheme",
    "path_allowed",
    "path_to_models",
    "regex_problem",
    "register_extension",
    "safe_next_url",
    "serialize_value",
    "slugify",
    "split_filter_key",
    "unique_violation",
]


# The original's module setting, honoured: a werkzeug ``generate_password_hash`` method
# (``"pbkdf2:sha256:1"`` in a test suite, say). While it is None, new hashes use the passlib
# schemes of ``FLASK_PEEWEE_PASSWORD_SCHEMES`` (argon2 by default).
PASSWORD_HASH_METHOD: str | None = None
