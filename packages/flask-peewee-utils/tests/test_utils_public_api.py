"""utils' public API (``__all__``) and its internal helpers (``flask_peewee.utils.internal``).

Public: what apps use, the original flask-peewee's names included. Internal: what only
flask-peewee's own packages need; importable from ``flask_peewee.utils``, not in ``__all__``.
A name added to either side is added here on purpose.
"""

from __future__ import annotations

import flask_peewee.utils
import flask_peewee.utils.internal

#: The original flask-peewee's names (4.0.1 and the 0.6 series) that apps import.
ORIGINAL = {
    "LEGACY_PASSWORD_RE",
    "PASSWORD_HASH_METHOD",
    "PaginatedQuery",
    "alias_field",
    "alias_join_path",
    "check_password",
    "convert_boolean",
    "deserialize_datetime",
    "get_dictionary_from_model",
    "get_hexdigest",
    "get_model_from_dictionary",
    "get_next",
    "get_object_or_404",
    "is_legacy_password",
    "load_class",
    "make_password",
    "object_list",
    "order_query",
    "path_to_models",
    "slugify",
}

#: Ours, documented for apps (docs/utils.rst and the README).
DOCUMENTED = {
    "DEFAULT_IGNORED_PARAMS",
    "MAX_REGEX_LENGTH",
    "OPERATORS",
    "REGEX_OPERATORS",
    "ConversionError",
    "DataError",
    "Filter",
    "QueryError",
    "__version__",
    "apply_filters",
    "apply_ordering",
    "apply_search",
    "clamp_page",
    "dict_to_model",
    "dummy_verify",
    "field_kind",
    "filter_query",
    "get_password_context",
    "get_sensitive_fields",
    "insert_instance",
    "is_safe_url",
    "iter_keyset",
    "keyset_condition",
    "keyset_key",
    "keyset_order",
    "keyset_values",
    "model_to_dict",
    "needs_rehash",
    "parse_filters",
    "parse_ordering",
    "parse_value",
    "regex_problem",
    "safe_next_url",
    "serialize_value",
    "count_rows",
    "MAX_OFFSET",
    "CredentialsCache",
    "get_credentials_cache",
    "use_credentials_cache",
    "ManyToManyEnds",
    "many_to_many_ends",
    "MissingSecretKey",
    "keyed_digest",
    "digest_matches",
    "sign",
    "unsign",
    "object_version",
}

INTERNAL = {
    "MAX_DEPTH",
    "Periodic",
    "PreparedSelect",
    "RowLookup",
    "Slot",
    "Statement",
    "LazyText",
    "TranslationDomain",
    "UPLOAD_MESSAGES",
    "app_gettext",
    "babel_active",
    "current_language",
    "dict_writer",
    "gettext_noop",
    "html_language",
    "insert_row",
    "backend_name",
    "body_within_limit",
    "check_secret_like_fields",
    "count_select",
    "effective_body_limit",
    "field_names",
    "field_operators",
    "filterable_path",
    "joined_from",
    "parse_key",
    "parse_page",
    "password_scheme",
    "path_alias",
    "path_allowed",
    "redis_client",
    "register_extension",
    "sensitive_snapshot",
    "slot_filters",
    "ShapePlans",
    "SlottedFilters",
    "sensitive_exposures",
    "split_filter_key",
    "stored_row_known",
    "unique_violation",
    "wtforms_translations",
}


def test_all_is_the_documented_and_original_names():
    assert set(flask_peewee.utils.__all__) == ORIGINAL | DOCUMENTED
    assert len(flask_peewee.utils.__all__) == len(set(flask_peewee.utils.__all__))


def test_every_public_name_resolves():
    missing = [name for name in flask_peewee.utils.__all__ if not hasattr(flask_peewee.utils, name)]
    assert missing == []


def test_the_internal_module_lists_the_internal_helpers():
    assert set(flask_peewee.utils.internal.__all__) == INTERNAL
    assert not INTERNAL & set(flask_peewee.utils.__all__)


def test_internal_helpers_stay_importable_from_utils():
    for name in INTERNAL:
        assert getattr(flask_peewee.utils, name) is getattr(flask_peewee.utils.internal, name)
    from flask_peewee.utils import parse_key, unique_violation

    assert parse_key is flask_peewee.utils.internal.parse_key
    assert unique_violation is flask_peewee.utils.internal.unique_violation


def test_star_import_brings_the_public_names_only():
    namespace: dict[str, object] = {}
    exec("from flask_peewee.utils import *", namespace)  # noqa: S102 - the statement under test
    names = set(namespace) - {"__builtins__"}
    assert names == set(flask_peewee.utils.__all__)
    assert not names & INTERNAL
