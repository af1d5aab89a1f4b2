"""``RestResource``: how one model is exposed (fields, filters, nesting, pagination) and its views."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import peewee
from flask import Response, current_app, request
from werkzeug.datastructures import MultiDict

from flask_peewee.db.typed import dirty_names, primary_key, query_order_by
from flask_peewee.rest._auditing import delete_object, record_audit, send_written, snapshot
from flask_peewee.rest._cursor import CURSOR_PARAM
from flask_peewee.rest._errors import ApiError, json_response
from flask_peewee.rest._files import (
    FILE_ROUTE,
    accept_uploads,
    add_file_urls,
    serve_file,
    served_file_fields,
    upload_body_limit,
)
from flask_peewee.rest._m2m import load_many_to_many, parse_many_to_many, write_many_to_many
from flask_peewee.rest._nested import CREATING, nested_write_keys, remember_nested_writes, write_nested_objects
from flask_peewee.rest._pagination import Pagination, page_link, pagination_class
from flask_peewee.rest._prepared import inherited, prepared_page
from flask_peewee.rest._query import add_includes, apply_request_filters, hidden_paths, includes_shape, reads_any_column
from flask_peewee.rest._ratelimit import RateLimitHooks
from flask_peewee.rest._request import read_body, read_limit
from flask_peewee.rest._writes import check_permission, locked_row, reload_stored, write_transaction
from flask_peewee.utils import (
    DEFAULT_IGNORED_PARAMS,
    OPERATORS,
    ConversionError,
    MissingSecretKey,
    PaginatedQuery,
    dict_to_model,
    get_sensitive_fields,
    insert_instance,
    model_to_dict,
    object_version,
)
from flask_peewee.utils import apply_ordering as order_query
from flask_peewee.utils.internal import (
    PreparedSelect,
    dict_writer,
    filterable_path,
    parse_key,
    sensitive_snapshot,
    split_filter_key,
)
from flask_peewee.utils.uploads import delete_object_files, file_fields, upload_batch

if TYPE_CHECKING:
    from flask_peewee.rest._api import RestAPI
    from flask_peewee.rest._authentication import Authentication

__all__ = ["DEFAULT_ALLOWED_METHODS", "RestResource"]

DEFAULT_ALLOWED_METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CREATING = CREATING
_M2M = "_flask_peewee_rest_many_to_many"


@functools.cache
def _takes_object(get_etag: Callable[..., Any]) -> bool:
    """Whether an override of ``get_etag`` accepts the object after ``data`` (``(self, data, obj)``)."""
    try:
        parameters = list(inspect.signature(get_etag).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters) or (
        sum(p.kind in positional for p in parameters) >= 2
    )


def _referenced(obj: peewee.Model) -> bool:
    """Whether rows of other models point at ``obj`` through a foreign key without an ON DELETE action."""
    for fk in type(obj)._meta.backrefs:
        if fk.on_delete is None:
            value = getattr(obj, fk.rel_field.name)
            if fk.model.select().where(fk == value).exists():
                return True
    return False


_READ_ONLY_NAMES = ("read_only_fields", "readonly_fields")


def _target_field(model: type[peewee.Model], key: str) -> peewee.Field | None:
    """The field a filter parameter (``user__admin``, ``-admin__eq``) ends on, or None."""
    path, _operator = split_filter_key(key.lstrip("-"))
    chain = filterable_path(model, path)
    return chain[-1] if chain else None


def _field_names(cls: type, name: str, value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
        raise TypeError(f"{cls.__name__}.{name} must be a collection of field names, like ('admin',), not {value!r}")
    return frozenset(value)


#: the original's RestResource hooks that have no such point any more: overriding one is refused
REFUSED_HOOKS: dict[str, str] = {
    "apply_filter": "filters are parsed with typed values and the resource's field allow-list; "
    "override filter_query(query) or process_query(query) instead, or clean_arg_list(arg_list) for values",
    "get_serializer": "objects are serialized by serialize_object(obj) (sensitive fields are never included); "
    "override serialize_object(obj) or prepare_data(obj, data) instead",
    "get_deserializer": "bodies are validated by deserialize_object(data, instance); override it, "
    "scrub_readonly_fields(data) or persist_object(instance, data) instead",
    "get_url_name": "list links are built by get_request_metadata(paginated_query); override that instead",
}


def _page_writer(resource: RestResource) -> Callable[[peewee.Model], dict[str, Any]] | None:
    """What :meth:`RestResource.serialize_object` makes of an object, with the fields to write looked up once.

    For one page (or one object): None when the resource or a nested one overrides a
    serialization hook (``serialize_object``, ``prepare_data``, ``without_sensitive``), which
    then runs for each object. Without such an override, nothing adds a sensitive field to
    what the writers produce, so there is nothing for ``without_sensitive`` to remove.
    """
    if reads_any_column(resource):
        return None
    nested = []
    for name, resource_of in resource.nested_resources.items():
        write_nested = _page_writer(resource_of)
        if write_nested is None:
            return None
        nested.append((name, write_nested))
    write_fields = dict_writer(resource.model, fields=resource.fields, exclude=resource.exclude or ())
    files = bool(served_file_fields(resource))

    def write(obj: peewee.Model) -> dict[str, Any]:
        data = write_fields(obj)
        if files:
            add_file_urls(resource, obj, data)
        for name, write_nested in nested:
            if name in data and obj.__data__.get(name) is not None:
                try:
                    related = getattr(obj, name)
                except peewee.DoesNotExist:
                    continue
                data[name] = write_nested(related)
        extra = obj.__dict__.get(_M2M)
        if extra:
            data.update(extra)
        return data

    return write


def _refuse_hooks(cls: type) -> None:
    for name, instead in REFUSED_HOOKS.items():
        if name in cls.__dict__:
            raise TypeError(f"{cls.__name__}.{name}() would never be called: {instead}")


def _unify_read_only(cls: type) -> None:
    """Make ``read_only_fields`` and the original's ``readonly_fields`` one setting on ``cls``.

    Whichever name the class sets becomes the value of both; setting both to different
    fields is refused (TypeError), since one of them would otherwise be ignored.
    """
    given = {name: cls.__dict__[name] for name in _READ_ONLY_NAMES if name in cls.__dict__}
    if not given:
        return
    values = {name: _field_names(cls, name, value) for name, value in given.items()}
    if len(set(values.values())) > 1:
        raise TypeError(
            f"{cls.__name__} sets both read_only_fields {given['read_only_fields']!r} and readonly_fields "
            f"{given['readonly_fields']!r}: they are one setting (readonly_fields is the original's name); set one"
        )
    value = next(iter(given.values()))
    for name in _READ_ONLY_NAMES:
        setattr(cls, name, value)


class RestResource(RateLimitHooks):
    """How one model is exposed by a :class:`RestAPI`: subclass it and register it with the model.

    Usage::

        class UserResource(RestResource):
            exclude = ("password", "email")

        api.register(User, UserResource)

    ``/api/<name>/`` lists (GET) and creates (POST); ``/api/<name>/<pk>/`` reads (GET),
    updates (PUT and PATCH both merge the given fields) and deletes (DELETE).
    """

    #: rows per page; ``?limit=`` may ask for fewer, never more (unless :attr:`max_paginate_by` is larger).
    #: None lists every row on one page (``?limit=`` then still narrows it, up to :attr:`max_paginate_by`)
    paginate_by: int | None = 20
    #: the largest ``?limit=`` honoured; None means :attr:`paginate_by`
    max_paginate_by: int | None = None
    #: fields to serialize (None: all but :attr:`exclude` and sensitive ones)
    fields: Collection[str] | None = None
    #: fields never serialized (output only: writes are limited by :attr:`read_only_fields`)
    exclude: Collection[str] | None = None
    #: fields a request body can never write (at any level of a nested body)
    read_only_fields: Collection[str] | None = None
    #: the original flask-peewee's name of :attr:`read_only_fields`, kept for compatibility: the same setting
    readonly_fields: Collection[str] | None = None
    #: fields (``__`` paths) that may be filtered on; None: every serialized field
    filter_fields: Collection[str] | None = None
    #: fields (``__`` paths) that may not be filtered on, besides the unserialized ones
    filter_exclude: Collection[str] | None = None
    #: whether filters may follow foreign keys (``?user__username=admin``)
    filter_recursive: bool = True
    #: filter operators clients may use; add ``REGEX_OPERATORS`` (``regexp``, ``iregexp``) to allow them
    filter_operators: Collection[str] = OPERATORS
    #: foreign key name -> resource class: the related object is nested in the output
    include_resources: Mapping[str, type[RestResource]] | None = None
    #: whether an object nested under a foreign key of :attr:`include_resources` in a write's body is
    #: written through that resource (its checks, read-only and sensitive fields apply; see
    #: :meth:`save_related_objects`); when false it is ignored (the key can still be set by its id)
    nested_writes: bool = True
    #: whether deleting an object deletes the rows that depend on it
    delete_recursive: bool = True
    #: filter value -> what it means, applied by :meth:`clean_arg_list` before filtering (the original's
    #: setting): None filters on NULL, True/False on a boolean; other values are used as given
    value_transforms: Mapping[str, Any] = {
        "False": False,
        "false": False,
        "True": True,
        "true": True,
        "None": None,
        "none": None,
    }
    #: how lists are cut into pages: ``"offset"`` (``?page=``, the documented default, a
    #: :class:`PageNumberPagination`), ``"cursor"`` (keyset pages via ``?cursor=``, a
    #: :class:`CursorPagination`) or a :class:`Pagination` subclass of your own
    pagination: str | type[Pagination] = "offset"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_hooks(cls)
        _unify_read_only(cls)

    def __init__(
        self,
        rest_api: RestAPI,
        model: type[peewee.Model],
        authentication: Authentication,
        allowed_methods: Collection[str] | None = None,
    ) -> None:
        self.api = rest_api
        self.model = model
        self.authentication = authentication
        methods = DEFAULT_ALLOWED_METHODS if allowed_methods is None else allowed_methods
        self.allowed_methods = tuple(method.upper() for method in methods)
        self.pk = primary_key(model)
        for name in ("paginate_by", "max_paginate_by"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{type(self).__name__}.{name} must be a positive integer or None, not {value!r}")
        self._check_pagination()
        self.nested_resources: dict[str, RestResource] = {}
        for name, resource_class in (self.include_resources or {}).items():
            field = model._meta.fields.get(name)
            if not isinstance(field, peewee.ForeignKeyField):
                raise ValueError(f"include_resources of {type(self).__name__}: {name!r} is not a foreign key")
            self.nested_resources[name] = resource_class(rest_api, field.rel_model, authentication, allowed_methods)
        # a detail URL's query while get_query() and apply_related_joins() are the defaults
        self._detail_select = (
            None if isinstance(self.pk, peewee.CompositeKey) else PreparedSelect(model, self._select_by_key, 1)
        )

    def _check_pagination(self) -> None:
        """Refuse a :attr:`pagination` that is none, cannot serve this resource or leaves a hook uncalled."""
        pagination = pagination_class(self)
        pagination.check_resource(self)
        for hook in pagination.unused_hooks:
            if getattr(type(self), hook) is not getattr(RestResource, hook):
                raise TypeError(
                    f"{type(self).__name__}.{hook}() would never be called: {pagination.__name__} builds the "
                    f"list's meta itself; override get_meta() of a {pagination.__name__} subclass "
                    "(pagination = YourPagination) instead"
                )

    # -- configuration hooks -------------------------------------------------------------

    def get_api_name(self) -> str:
        """The URL name of this resource: the model's name in lower case (``/api/note/``)."""
        return self.model.__name__.lower()

    def get_query(self) -> peewee.ModelSelect:
        """The objects this resource exposes; override to restrict them."""
        return self.model.select()

    def get_related_resource(self, field: peewee.ForeignKeyField) -> RestResource | None:
        """The resource judging what of ``field``'s target may be filtered: nested, else registered, else None."""
        nested = self.nested_resources.get(field.name)
        return nested if nested is not None else self.api.get_resource(field.rel_model)

    def get_readonly_fields(self) -> set[str]:
        """Fields no request body can write: :attr:`read_only_fields` (the original's name of this hook).

        Override it (or :meth:`get_read_only_fields`) to decide per request. The primary key is
        never written from a body anyway, except as the chosen key of a new row that has no default.
        """
        return set(self.read_only_fields or ())

    def get_read_only_fields(self) -> set[str]:
        """The read-only fields every write applies: :meth:`get_readonly_fields` here."""
        return set(self.get_readonly_fields())

    def scrub_readonly_fields(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` without its read-only keys, at every level of a nested body (the original's hook).

        A nested object under a foreign key of :attr:`include_resources` is scrubbed by that
        resource's own rules, and dropped when :attr:`nested_writes` is false. Writes call it
        first (from :meth:`deserialize_object`); read-only fields are enforced again afterwards,
        so an override can add to the scrubbing but not write a read-only field.
        """
        if not isinstance(data, Mapping):
            return data
        read_only = self.get_read_only_fields()
        for name in list(read_only):
            field = self.model._meta.fields.get(name)
            if isinstance(field, peewee.ForeignKeyField) and field.object_id_name:
                read_only.add(field.object_id_name)
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            if key in read_only:
                continue
            if key in self.nested_resources and isinstance(value, Mapping):
                if not self.nested_writes:
                    continue
                value = self.nested_resources[key].scrub_readonly_fields(value)
            cleaned[key] = value
        return cleaned

    def get_paginate_by(self) -> int | None:
        """The page size of this request: ``?limit=`` up to the maximum, :attr:`paginate_by` otherwise.

        None (with ``paginate_by = None`` and no ``?limit=``) means every row on one page; a
        ``?limit=`` then counts, capped at :attr:`max_paginate_by` when that is set.
        """
        if self.paginate_by is None:
            return read_limit(None, self.max_paginate_by)
        maximum = max(self.paginate_by, self.max_paginate_by or 0)
        return read_limit(self.paginate_by, maximum)

    def get_ignored_params(self) -> set[str]:
        """Query parameters that are never filters (``page``, ``limit``, ``ordering``, ``key``, ``secret``...)."""
        return set(DEFAULT_IGNORED_PARAMS) | {CURSOR_PARAM, *pagination_class(self).query_params}

    def prepare_data(self, obj: peewee.Model, data: dict[str, Any]) -> dict[str, Any]:
        """A hook to change an object's outgoing dict; returns it unchanged here."""
        return data

    def authorize(self) -> bool:
        """Whether this resource's authentication lets the request through."""
        return self.authentication.authorize()

    def check_get(self, obj: peewee.Model | None = None) -> bool:
        """A hook to refuse a GET (list when ``obj`` is None) with 403."""
        return True

    def check_post(self, obj: peewee.Model | None = None) -> bool:
        """A hook to refuse a POST with 403 (``obj``, as in the original, is never given here)."""
        return True

    def check_put(self, obj: peewee.Model) -> bool:
        """A hook to refuse a PUT or PATCH of ``obj`` with 403."""
        return True

    def check_delete(self, obj: peewee.Model) -> bool:
        """A hook to refuse a DELETE of ``obj`` with 403."""
        return True

    # -- serialization -------------------------------------------------------------------

    def serialize_object(self, obj: peewee.Model, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The dict of ``obj`` sent to clients: its fields, nested resources, many-to-many ids, ``prepare_data``.

        Every object answered (detail, list, create, edit) goes through it.
        """
        if extra is None:
            extra = obj.__dict__.get(_M2M)
        data = model_to_dict(obj, fields=self.fields, exclude=self.exclude or ())
        add_file_urls(self, obj, data)
        for name, nested in self.nested_resources.items():
            if name in data and obj.__data__.get(name) is not None:
                try:
                    related = getattr(obj, name)
                except peewee.DoesNotExist:
                    continue
                data[name] = nested.serialize_object(related)
        data.update(extra or {})
        return self.prepare_data(obj, data)

    def serialize_query(self, objects: list[peewee.Model]) -> list[dict[str, Any]]:
        """The dicts of a page of objects, each by :meth:`serialize_object` (many-to-many ids: one query per field)."""
        objects = list(objects)
        self._load_relations(objects)
        write = _page_writer(self)
        if write is not None:
            return [write(obj) for obj in objects]
        return [self.without_sensitive(self.serialize_object(obj)) for obj in objects]

    def without_sensitive(self, data: Any) -> Any:
        """``data`` (a serialized object) without the model's sensitive fields, nested objects included.

        Applied to every object answered, after the hooks: no override brings a password back.
        """
        if not isinstance(data, dict):
            return data
        sensitive = get_sensitive_fields(self.model)
        cleaned = {key: value for key, value in data.items() if key not in sensitive}
        for name, nested in self.nested_resources.items():
            if isinstance(cleaned.get(name), dict):
                cleaned[name] = nested.without_sensitive(cleaned[name])
        return cleaned

    def _load_relations(self, objects: list[peewee.Model]) -> None:
        extras = load_many_to_many(self, objects)
        for obj in objects:
            obj.__dict__[_M2M] = extras.get(obj.get_id())

    def _serialize_one(self, obj: peewee.Model) -> dict[str, Any]:
        self._load_relations([obj])
        with sensitive_snapshot():
            write = _page_writer(self)
            return write(obj) if write is not None else self.without_sensitive(self.serialize_object(obj))

    def response(self, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response (every successful answer goes through it)."""
        return json_response(data, status, headers)

    def response_error(self, message: str, status: int) -> Response:
        """The JSON error ``{"error": message}`` with ``status``."""
        return json_response({"error": message}, status)

    def response_forbidden(self) -> Response:
        """The 403 answer when a ``check_*`` hook refuses (or a hook raises ``RestForbidden``)."""
        return self.response_error("Forbidden", 403)

    def response_bad_method(self) -> Response:
        """The 405 answer of :meth:`require_method` (the API's own routes answer 405 with ``Allow``)."""
        return self.response_error(f"Unsupported method {request.method!r}", 405)

    def response_bad_request(self, message: str = "Bad request") -> Response:
        """A 400 answer; an override also answers the API's 400s (bad filters, malformed bodies)."""
        return self.response_error(message, 400)

    def require_method(self, func: Callable[..., Any], methods: Collection[str]) -> Callable[..., Any]:
        """``func`` answering :meth:`response_bad_method` to methods not in ``methods`` (for :meth:`get_urls`)."""
        allowed = {method.upper() for method in methods}

        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if request.method not in allowed and not (request.method == "HEAD" and "GET" in allowed):
                return self.response_bad_method()
            return func(*args, **kwargs)

        return inner

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The resource's ``(rule, view)`` pairs, relative to ``<prefix>/<name>``: the list, the detail, the delete.

        Override to add endpoints (``return super().get_urls() + (("/ping/", self.ping),)``);
        added views run after the resource's authentication (:meth:`RestAPI.auth_wrapper`)
        and answer the resource's allowed methods; returning a view of your own for ``"/"``
        or ``"/<pk>/"`` replaces the built-in one.
        """
        urls = (("/", self.api_list), ("/<pk>/", self.api_detail), ("/<pk>/delete/", self.post_delete))
        return (*urls, (FILE_ROUTE, self.api_file)) if file_fields(self.model) else urls

    def api_file(self, pk: str, field: str) -> Response:
        """``GET <name>/<pk>/file/<field>/``: a stored file of the object (``?thumb=1``: an image's thumbnail).

        Only on models with file fields; after the resource's authentication, ``check_get`` and
        the ``view`` permission. Served as a download unless it is a raster image, with ``nosniff``.
        """
        return serve_file(self, pk, field)

    def get_url_name(self, name: str) -> str:
        """The endpoint name the original gave a view of this resource (``api.message_api_list``)."""
        return f"{self.api.blueprint.name}.{self.get_api_name()}_{name}"

    def get_etag(self, data: Mapping[str, Any], obj: peewee.Model | None = None) -> str | None:
        """The entity tag (quoted) of ``obj``: its :func:`~flask_peewee.utils.object_version`, the version
        the admin's edit form carries too. None (no ``ETag``) when the app has no ``SECRET_KEY``.

        An override may take ``data`` (the serialized object) alone, as before; called that way
        (``super().get_etag(data)``) the default tags ``data``.
        """
        if obj is None:
            text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
            return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
        try:
            return f'"{object_version(obj)}"'
        except MissingSecretKey:
            return None

    def _etag_of(self, obj: peewee.Model, data: Mapping[str, Any] | None = None) -> str | None:
        """:meth:`get_etag` of ``obj``; serialized only for an override that reads ``data``."""
        method = type(self).get_etag
        if method is RestResource.get_etag:
            return self.get_etag(data or {}, obj)
        if data is None:
            data = self._serialize_one(obj)
        return self.get_etag(data, obj) if _takes_object(method) else self.get_etag(data)

    # -- reading -------------------------------------------------------------------------

    def apply_filter(self, *args: Any, **kwargs: Any) -> Any:
        """Not a hook any more (kept so the name resolves): see ``REFUSED_HOOKS``."""
        raise NotImplementedError(f"apply_filter() is not called: {REFUSED_HOOKS['apply_filter']}")

    def get_serializer(self) -> Any:
        """Not a hook any more (kept so the name resolves): see ``REFUSED_HOOKS``."""
        raise NotImplementedError(f"get_serializer() is not called: {REFUSED_HOOKS['get_serializer']}")

    def get_deserializer(self) -> Any:
        """Not a hook any more (kept so the name resolves): see ``REFUSED_HOOKS``."""
        raise NotImplementedError(f"get_deserializer() is not called: {REFUSED_HOOKS['get_deserializer']}")

    def clean_arg_list(self, arg_list: list[str]) -> list[Any]:
        """The values of one filter parameter after :attr:`value_transforms` (the original's hook)."""
        return [self.value_transforms.get(arg, arg) for arg in arg_list]

    def get_filter_args(self) -> MultiDict[str, str]:
        """The request's filter parameters, each parameter's values through :meth:`clean_arg_list`.

        A value that becomes None filters with ``is null`` (``?parent=None`` is ``?parent__is=null``),
        True/False become ``true``/``false``; an empty value of a boolean field means false
        (``?admin=``), as in the original.
        """
        ignored = self.get_ignored_params()
        args: MultiDict[str, str] = MultiDict()
        for key in request.args:
            raw = request.args.getlist(key)
            if key in ignored:
                args.setlist(key, raw)
                continue
            base, _, op = key.rpartition("__")
            equality = op == "eq" or op not in OPERATORS
            for value in self.clean_arg_list(raw):
                if value is None and equality:
                    args.add(f"{base}__is" if op == "eq" else f"{key}__is", "null")
                elif value is None or isinstance(value, bool):
                    args.add(key, "null" if value is None else str(value).lower())
                elif value == "" and isinstance(_target_field(self.model, key), peewee.BooleanField):
                    args.add(key, "false")
                else:
                    args.add(key, str(value))
        return args

    def filter_query(self, query: peewee.ModelSelect) -> peewee.ModelSelect:
        """Apply the request's filters (:meth:`get_filter_args`) to ``query`` (only on serialized fields).

        Different parameters must all hold; a repeated parameter's values are alternatives
        (``?user=1&user=2``), and ``-`` before a parameter excludes what it matches
        (``?-user__username=admin``), as in the original.
        """
        return apply_request_filters(query, self, self.get_filter_args(), **self._filter_options())

    def _filter_options(self) -> dict[str, Any]:
        """What :func:`~flask_peewee.utils.parse_filters` is told for this resource's filters."""
        return {
            "fields": self.filter_fields,
            "exclude": hidden_paths(self) | set(self.filter_exclude or ()),
            "recursive": self.filter_recursive,
            "ignore": self.get_ignored_params(),
            "operators": self.filter_operators,
        }

    def process_query(self, query: peewee.ModelSelect) -> peewee.ModelSelect:
        """Apply the request's filters (:meth:`filter_query`) and ordering (:meth:`apply_ordering`) to ``query``."""
        return self.apply_ordering(self.filter_query(query))

    def apply_ordering(self, query: peewee.ModelSelect) -> peewee.ModelSelect:
        """Order ``query`` by ``?ordering=`` (only serialized fields), by primary key when none is given."""
        hidden = hidden_paths(self)
        ordering = request.args.getlist("ordering")
        if any(item.strip() for item in ordering):
            query = order_query(query, ordering, exclude=hidden)
            return query.order_by_extend(self.pk.asc()) if not isinstance(self.pk, peewee.CompositeKey) else query
        if not query_order_by(query) and not isinstance(self.pk, peewee.CompositeKey):
            query = query.order_by(self.pk.asc())
        return query

    def apply_related_joins(self, query: peewee.ModelSelect) -> peewee.ModelSelect:
        """Select the :attr:`include_resources` objects in ``query`` itself (LEFT OUTER joins), so no N+1."""
        return add_includes(query, self)

    def get_object(self, pk: str) -> peewee.Model:
        """The object with primary key ``pk`` (text from the URL) among :meth:`get_query`'s; 404 otherwise."""
        try:
            value = parse_key(self.model, pk)
        except ConversionError:
            raise ApiError(404, "Not found") from None
        if self._detail_select is not None and inherited(self, "get_query") and inherited(self, "apply_related_joins"):
            obj = self._detail_select.first(includes_shape(self), value)  # the SQL built once per shape
        else:
            obj = self._select_by_key(value).first()
        if obj is None:
            raise ApiError(404, "Not found")
        return obj

    def _select_by_key(self, value: Any) -> peewee.ModelSelect:
        return self.apply_related_joins(self.get_query().where(self.pk == value)).limit(1)

    def get_request_metadata(self, paginated_query: PaginatedQuery) -> dict[str, Any]:
        """The ``meta`` of a list, the original's shape: ``model``, ``page``, ``page_count`` (0 when there
        are no objects), ``object_count`` and the ``previous``/``next`` links (``""`` when there is none)."""
        page = paginated_query.get_page()
        previous = page_link(page=page - 1) if page > 1 else ""
        following = page_link(page=page + 1) if paginated_query.has_next() else ""
        count = paginated_query.get_count()
        return {
            "model": self.get_api_name(),
            "page": page,
            "page_count": paginated_query.get_pages() if count else 0,
            "object_count": count,
            "previous": previous,
            "next": following,
        }

    def object_list(self) -> Response:
        """GET on the list URL: :meth:`get_query`, filtered and ordered by :meth:`process_query`, one page of it.

        The page and its ``meta`` come from :meth:`paginated_object_list`.
        """
        if not self.check_get():
            return self.response_forbidden()
        prepared = prepared_page(self)  # the default hooks: the page's two statements built once per shape
        if prepared is not None:
            objects, paginated = prepared
            return self._page_response(objects, self.get_request_metadata(paginated))
        return self.paginated_object_list(self.process_query(self.get_query()))

    def paginated_object_list(self, filtered_query: peewee.ModelSelect) -> Response:
        """The list response for a filtered, ordered query: this request's page of it, with ``meta``.

        The :attr:`pagination` picks the page (nested resources joined by
        :meth:`apply_related_joins`) and builds ``meta``; the objects go through
        :meth:`serialize_query`. A page past the last one (however large its number) has an
        empty ``objects`` list; with :attr:`paginate_by` None and no ``?limit=``, every row is
        on page 1. Cursor pages follow ``?cursor=`` (and ``?ordering=``, whatever order the
        query had) and their ``meta`` holds ``model``, ``limit``, ``previous`` and ``next``.
        """
        pagination = pagination_class(self)(self)
        objects = pagination.paginate_query(filtered_query)
        return self._page_response(objects, pagination.get_meta())

    def _page_response(self, objects: list[peewee.Model], meta: dict[str, Any]) -> Response:
        with sensitive_snapshot():
            serialized = self.serialize_query(objects)
            if type(self).serialize_query is not RestResource.serialize_query:  # an override's dicts, cleaned here
                serialized = [self.without_sensitive(data) for data in serialized]
        return self.response({"meta": meta, "objects": serialized})

    def object_detail(self, obj: peewee.Model) -> Response:
        """GET on a detail URL: the object, with an ``ETag`` (``If-None-Match`` answers 304)."""
        data = self._serialize_one(obj)
        etag = self._etag_of(obj, data)
        if etag is None:
            return self.response(data)
        if request.if_none_match and request.if_none_match.contains_weak(etag.strip('"')):
            response = json_response(None, 304, {"ETag": etag})
            response.set_data(b"")
            return response
        response = self.response(data)
        response.headers["ETag"] = etag
        return response

    # -- writing -------------------------------------------------------------------------

    def read_request_data(self) -> dict[str, Any]:
        """The request body as a dict (JSON, or a form field ``data`` holding JSON; files of a multipart body)."""
        return read_body(upload_body_limit(self))

    def check_precondition(self, obj: peewee.Model) -> None:
        """``If-Match``: 412 when the object changed since the client read it."""
        if not request.headers.get("If-Match") or request.if_match.star_tag:
            return
        etag = self._etag_of(obj)
        if etag is None:
            if not current_app.secret_key:
                raise ApiError(412, "The object's version cannot be checked: ETags need the app's SECRET_KEY")
            raise ApiError(412, "The object has no ETag (If-Match does not match)")
        if not request.if_match.contains(etag.strip('"')):
            raise ApiError(412, "The object changed since it was read (If-Match does not match)")

    def _check_precondition_locked(self, obj: peewee.Model) -> None:
        """``If-Match`` again inside the write's transaction, on the row read again and locked.

        Two clients sending the same ``If-Match`` at the same moment both pass the first check;
        here the second one waits for the first to commit (``FOR UPDATE``, or the write lock
        SQLite's immediate transaction took) and then sees the new version: a 412.
        """
        if not request.headers.get("If-Match") or request.if_match.star_tag:
            return
        current = locked_row(obj)
        if current is None:
            raise ApiError(412, "The object changed since it was read (it was deleted)")
        self.check_precondition(current)

    def deserialize_object(self, data: Mapping[str, Any], model_or_instance: Any) -> peewee.Model:
        """Validate ``data`` into a new instance (model class given) or onto an instance; 422 with per-field errors.

        ``data`` goes through :meth:`scrub_readonly_fields` first; read-only fields are never written.
        Objects nested under :attr:`include_resources` keys to be written are left to
        :meth:`save_related_objects` (a reference by id is read here).
        """
        data = self.scrub_readonly_fields(data)
        read_only = self.get_read_only_fields()
        probe = model_or_instance if isinstance(model_or_instance, peewee.Model) else self.model()
        nested = nested_write_keys(self, probe, data)
        read_only |= nested
        if isinstance(model_or_instance, peewee.Model) and getattr(model_or_instance, _CREATING, False):
            built = dict_to_model(type(model_or_instance), data, read_only=read_only)  # a new row: required fields
            model_or_instance.__data__.update(built.__data__)
            dirty_names(model_or_instance).update(dirty_names(built))
            instance = model_or_instance
        else:
            instance = dict_to_model(model_or_instance, data, read_only=read_only)
        return remember_nested_writes(instance, nested)

    def save_related_objects(self, instance: peewee.Model, data: Mapping[str, Any]) -> None:
        """Write the objects nested under :attr:`include_resources` keys of ``data``; called before :meth:`save_object`.

        Each is written through the nested resource as a direct write to it would be: its
        ``check_put`` (the row ``instance`` points at) or ``check_post`` (a new row) and the
        permission policy (403 ``RestForbidden`` when refused), its read-only fields, never a
        sensitive field; ``instance`` then points at it. An object holding only an id (or
        another row's id) is a reference, not written. It runs in the write's transaction:
        any refusal or error rolls everything back. ``nested_writes = False`` turns it off.
        """
        write_nested_objects(self, instance, data)

    def persist_object(self, instance: peewee.Model, data: Mapping[str, Any]) -> peewee.Model:
        """Write ``data`` to ``instance`` and save it, in the write's transaction.

        :meth:`deserialize_object`, then :meth:`save_related_objects`, then :meth:`save_object`.
        """
        obj = self.deserialize_object(data, instance)
        self.save_related_objects(obj, data)
        return self.save_object(obj, data)

    def save_object(self, instance: peewee.Model, raw_data: Mapping[str, Any]) -> peewee.Model:
        """Persist ``instance`` (already filled from ``raw_data``): an INSERT when creating, else an UPDATE."""
        if getattr(instance, _CREATING, False):
            insert_instance(instance)
            setattr(instance, _CREATING, False)
        else:
            instance.save()
        return instance

    def create(self) -> Response:
        """POST on the list URL: validate, insert, audit, answer 200 with the new object as stored."""
        check_permission(self, "add")
        data = self.read_request_data()
        relations = parse_many_to_many(self, data)
        instance = self.model()
        setattr(instance, _CREATING, True)
        # uploads are stored first and deleted again if the write fails
        with upload_batch(), write_transaction(self, instance):
            data = accept_uploads(self, data, None)
            instance = reload_stored(self.persist_object(instance, data))
            write_many_to_many(self, instance, relations)
            entry = record_audit(self, "add", instance, relations=relations)
        send_written(self, "add", instance, entry)
        return self.response(self._serialize_one(instance))

    def edit(self, obj: peewee.Model) -> Response:
        """PUT, PATCH or POST on a detail URL: merge the given fields, save, audit, answer with the object as stored."""
        check_permission(self, "change")
        self.check_precondition(obj)
        data = self.read_request_data()
        relations = parse_many_to_many(self, data)
        before = snapshot(self, obj, relations)
        with upload_batch(), write_transaction(self, obj):
            self._check_precondition_locked(obj)
            data = accept_uploads(self, data, obj)
            obj = reload_stored(self.persist_object(obj, data))
            write_many_to_many(self, obj, relations)
            entry = record_audit(self, "change", obj, before, relations)
        send_written(self, "change", obj, entry)
        return self.response(self._serialize_one(obj))

    def delete(self, obj: peewee.Model) -> Response:
        """DELETE on a detail URL: ``{"deleted": 1}`` (dependents too when :attr:`delete_recursive`)."""
        check_permission(self, "delete")
        self.check_precondition(obj)
        referenced = ApiError(409, "The object is still referenced by other objects")
        if not self.delete_recursive and _referenced(obj):
            raise referenced  # checked here too: SQLite does not always enforce foreign keys
        with write_transaction(self, None, conflict=referenced.message):
            self._check_precondition_locked(obj)
            deleted = delete_object(self, obj, self.delete_recursive)
        if deleted:
            send_written(self, "delete", obj)
            delete_object_files([obj])
        return self.response({"deleted": deleted})

    # -- dispatch ------------------------------------------------------------------------

    def api_list(self) -> Response:
        """The list URL's view: GET lists, POST creates (after ``check_post``: 403 when it refuses)."""
        if request.method == "POST":
            if not self.check_post():
                return self.response_forbidden()
            return self.create()
        return self.object_list()

    def api_detail(self, pk: str, method: str | None = None) -> Response:
        """The detail URL's view: GET reads, PUT/PATCH/POST edit, DELETE deletes, after the check hooks (403).

        A POST is an edit, as in the original, and is judged like a PUT (``check_put``, the
        ``change`` permission). ``method`` overrides the request's (the original's ``post_delete``
        passes ``"DELETE"``).
        """
        obj = self.get_object(pk)
        method = (method or request.method).upper()
        if method in ("PUT", "PATCH", "POST"):
            if not self.check_put(obj):
                return self.response_forbidden()
            return self.edit(obj)
        if method == "DELETE":
            if not self.check_delete(obj):
                return self.response_forbidden()
            return self.delete(obj)
        if not self.check_get(obj):
            return self.response_forbidden()
        return self.object_detail(obj)

    def post_delete(self, pk: str) -> Response:
        """``POST <name>/<pk>/delete/``: a DELETE for clients that can only POST (when DELETE is allowed)."""
        if request.method not in ("POST", "DELETE") or "DELETE" not in self.allowed_methods:
            return json_response({"error": "Method not allowed"}, 405, {"Allow": "POST, DELETE"})
        return self.api_detail(pk, "DELETE")

    def get_allowed_methods(self, detail: bool) -> tuple[str, ...]:
        """The methods a list (``detail`` false) or detail URL answers; PATCH goes with PUT.

        A detail URL also answers POST, the original's edit, when it answers PUT.
        """
        methods = set(self.allowed_methods)
        if "PUT" in methods:
            methods.add("PATCH")
        if detail:
            methods.discard("POST")
            if "PUT" in methods:
                methods.add("POST")
        wanted = ("GET", "POST", "PUT", "PATCH", "DELETE") if detail else ("GET", "POST")
        return tuple(method for method in wanted if method in methods)
