"""Utilities for flask-peewee: pagination, lookups, slugs, safe redirects, passwords and the query toolkit.

``__all__`` is the public API: what apps use, the original flask-peewee's names included. The
helpers only flask-peewee's own packages need are listed in :mod:`flask_peewee.utils.internal`;
they stay importable from here but are not advertised.
"""

from __future__ import annotations

from flask_peewee.utils.__about__ import __version__
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
from flask_peewee.utils._credentials import CredentialsCache, get_credentials_cache, use_credentials_cache
from flask_peewee.utils._errors import DataError, QueryError
from flask_peewee.utils._filters import (
    DEFAULT_IGNORED_PARAMS,
    OPERATORS,
    REGEX_OPERATORS,
    Filter,
    apply_filters,
    apply_search,
    filter_query,
    parse_filters,
)
from flask_peewee.utils._keyset import iter_keyset, keyset_condition, keyset_key, keyset_order, keyset_values
from flask_peewee.utils._m2m import ManyToManyEnds, many_to_many_ends
from flask_peewee.utils._ordering import apply_ordering, parse_ordering
from flask_peewee.utils._pagination import MAX_OFFSET, PaginatedQuery, clamp_page, count_rows, object_list
from flask_peewee.utils._passwords import (
    check_password,
    dummy_verify,
    get_password_context,
    make_password,
    needs_rehash,
)
from flask_peewee.utils._regex import MAX_REGEX_LENGTH, regex_problem
from flask_peewee.utils._sensitive import get_sensitive_fields
from flask_peewee.utils._serialize import dict_to_model, insert_instance, model_to_dict
from flask_peewee.utils._shortcuts import get_object_or_404, slugify
from flask_peewee.utils._signing import MissingSecretKey, digest_matches, keyed_digest, sign, unsign
from flask_peewee.utils._urls import get_next, is_safe_url, safe_next_url
from flask_peewee.utils._values import ConversionError, field_kind, parse_value, serialize_value
from flask_peewee.utils._version import object_version

# Helpers only flask-peewee's own packages need: importable from here, not in __all__.
from flask_peewee.utils.internal import (  # noqa: F401
    MAX_DEPTH,
    UPLOAD_MESSAGES,
    LazyText,
    Periodic,
    PreparedSelect,
    RowLookup,
    ShapePlans,
    Slot,
    SlottedFilters,
    Statement,
    TranslationDomain,
    app_gettext,
    babel_active,
    backend_name,
    body_within_limit,
    check_secret_like_fields,
    count_select,
    current_language,
    dict_writer,
    effective_body_limit,
    field_names,
    field_operators,
    filterable_path,
    gettext_noop,
    html_language,
    insert_row,
    joined_from,
    parse_key,
    parse_page,
    password_scheme,
    path_alias,
    path_allowed,
    redis_client,
    register_extension,
    sensitive_exposures,
    sensitive_snapshot,
    slot_filters,
    split_filter_key,
    stored_row_known,
    unique_violation,
    wtforms_translations,
)

__all__ = [
    "DEFAULT_IGNORED_PARAMS",
    "LEGACY_PASSWORD_RE",
    "MAX_OFFSET",
    "MAX_REGEX_LENGTH",
    "OPERATORS",
    "PASSWORD_HASH_METHOD",
    "REGEX_OPERATORS",
    "ConversionError",
    "CredentialsCache",
    "DataError",
    "Filter",
    "ManyToManyEnds",
    "MissingSecretKey",
    "PaginatedQuery",
    "QueryError",
    "__version__",
    "alias_field",
    "alias_join_path",
    "apply_filters",
    "apply_ordering",
    "apply_search",
    "check_password",
    "clamp_page",
    "convert_boolean",
    "count_rows",
    "deserialize_datetime",
    "dict_to_model",
    "digest_matches",
    "dummy_verify",
    "field_kind",
    "filter_query",
    "get_credentials_cache",
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
    "keyed_digest",
    "keyset_condition",
    "keyset_key",
    "keyset_order",
    "keyset_values",
    "load_class",
    "make_password",
    "many_to_many_ends",
    "model_to_dict",
    "needs_rehash",
    "object_list",
    "object_version",
    "order_query",
    "parse_filters",
    "parse_ordering",
    "parse_value",
    "path_to_models",
    "regex_problem",
    "safe_next_url",
    "serialize_value",
    "sign",
    "slugify",
    "unsign",
    "use_credentials_cache",
]

# The original's module setting, honoured: a werkzeug ``generate_password_hash`` method
# (``"pbkdf2:sha256:1"`` in a test suite, say). While it is None, new hashes use the passlib
# schemes of ``FLASK_PEEWEE_PASSWORD_SCHEMES`` (argon2 by default).
PASSWORD_HASH_METHOD: str | None = None
