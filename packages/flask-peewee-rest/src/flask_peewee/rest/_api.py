"""``RestAPI``: the registry of resources and the blueprint that serves them under ``/api``."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import peewee
from flask import Blueprint, Flask, Response, current_app, g, has_request_context, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from flask_peewee.auth import is_cross_site_request
from flask_peewee.db import Database, ImproperlyConfigured, get_database, use_primary
from flask_peewee.rest._authentication import POST_EDIT, Authentication
from flask_peewee.rest._auths import only_auth
from flask_peewee.rest._checks import register_checks
from flask_peewee.rest._docs import add_docs_routes, docs_endpoint
from flask_peewee.rest._errors import ApiError, RestForbidden, json_response
from flask_peewee.rest._index import build_index
from flask_peewee.rest._openapi import build_openapi
from flask_peewee.rest._ratelimit import check_rate_limit, parse_rate_limits, prepare_rate_limits
from flask_peewee.rest._resource import RestResource
from flask_peewee.rest._settings import DOCS, TRUSTED_ORIGINS
from flask_peewee.rest._token_cli import register_token_commands
from flask_peewee.rest._tokens import create_token_table
from flask_peewee.utils import DataError, MissingSecretKey, QueryError
from flask_peewee.utils.internal import register_extension

if TYPE_CHECKING:
    from flask_peewee.auth import Auth

__all__ = ["EXTENSION_KEY", "OUTAGE_ERRORS", "RETRY_AFTER", "TRUSTED_ORIGINS_KEY", "RestAPI"]

EXTENSION_KEY = "flask_peewee.rest"
#: origins (``https://app.example.com``) whose pages may write through the API from a browser
TRUSTED_ORIGINS_KEY = TRUSTED_ORIGINS.key
#: seconds a client is asked to wait (``Retry-After``) when the database or Redis is unreachable
RETRY_AFTER = 5
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
_CHALLENGE = "flask_peewee_rest_challenge"
_log = logging.getLogger("flask_peewee.rest")


def _outage_errors() -> tuple[type[Exception], ...]:
    errors: list[type[Exception]] = [peewee.OperationalError, peewee.InterfaceError]
    try:
        from playhouse.pool import MaxConnectionsExceeded
    except ImportError:  # pragma: no cover - playhouse ships with peewee
        pass
    else:
        errors.append(MaxConnectionsExceeded)
    try:
        import redis.exceptions
    except ImportError:
        pass
    else:
        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    return tuple(errors)


#: exceptions answered 503 with ``Retry-After`` (database unreachable or busy, pool exhausted, Redis down)
OUTAGE_ERRORS = _outage_errors()


def _outage_response(exc: BaseException) -> Response:
    _log.warning("API request failed: service unavailable (%s: %s)", type(exc).__name__, exc)
    headers = {"Retry-After": str(RETRY_AFTER)}
    return json_response({"error": "Service temporarily unavailable"}, 503, headers)


def _origin_trusted() -> bool:
    origin = (request.headers.get("Origin") or "").strip().rstrip("/").lower()
    if not origin:
        return False
    trusted = TRUSTED_ORIGINS.get(current_app.config) or ()
    if isinstance(trusted, str):
        trusted = [trusted]
    return origin in {str(item).strip().rstrip("/").lower() for item in trusted}


def is_cross_site_write() -> bool:
    """Whether this request is an unsafe method that a browser says comes from another, untrusted site.

    ``Sec-Fetch-Site`` / ``Origin`` decide as for the admin (``FLASK_PEEWEE_TRUSTED_ORIGINS``);
    an ``Origin`` listed in ``FLASK_PEEWEE_REST_TRUSTED_ORIGINS`` is always let through.
    Requests without either header (curl, servers) are not cross-site.
    """
    if request.method in _SAFE_METHODS:
        return False
    return not _origin_trusted() and is_cross_site_request()


def _check_urls(owner: Any, urls: Any) -> list[tuple[str, Callable[..., Any]]]:
    try:
        pairs = [tuple(pair) for pair in urls]
    except TypeError:
        pairs = [()]
    for pair in pairs:
        if len(pair) != 2 or not isinstance(pair[0], str) or not pair[0].startswith("/") or not callable(pair[1]):
            raise TypeError(
                f"{type(owner).__name__}.get_urls() must return (rule, view) pairs like ('/ping/', self.ping), "
                f"got {pair!r}"
            )
    return pairs


_CONVERTER = re.compile(r"<\s*(\w+)\s*(?:\(.*?\))?\s*:")  # the converter of a <converter:name> part
_ONE_SEGMENT = frozenset({"default", "string", "int", "float", "uuid", "any"})  # never match a "/"


def _segments(path: str) -> int:
    """The number of non-empty ``/``-separated segments of ``path`` (``/`` has none, ``/5/delete/`` two)."""
    return sum(1 for part in path.split("/") if part)


class _Routes:
    """URL rules of an API's or a resource's ``get_urls()``, matched inside the API's blueprint."""

    def __init__(self, pairs: list[tuple[str, Callable[..., Any]]]) -> None:
        self.views = [view for _, view in pairs]
        self.map = Map([Rule(rule, endpoint=index) for index, (rule, _) in enumerate(pairs)], strict_slashes=False)
        self._adapter = self.map.bind("localhost", "/")  # matching a path keeps no state: bound once
        # How many segments a path of each rule has: a path of another length is no match
        # (None when a rule has a converter that may span segments, such as <path:...>).
        rules = [rule for rule, _ in pairs]
        spans = any(name not in _ONE_SEGMENT for rule in rules for name in _CONVERTER.findall(rule))
        self._lengths = None if spans else {_segments(rule) for rule in rules}

    def match(self, path: str) -> tuple[Callable[..., Any], Mapping[str, Any]] | None:
        if not self.views or (self._lengths is not None and _segments(path) not in self._lengths):
            return None
        try:
            index, kwargs = self._adapter.match(path, method="GET")
        except HTTPException:
            return None
        return self.views[int(index)], kwargs


class RestAPI:
    """A container of :class:`RestResource` objects, served at ``<prefix>/<name>/`` by a blueprint.

    Usage::

        api = RestAPI(app, default_auth=UserAuthentication(auth))
        api.register(Message)
        api.register(User, UserResource, auth=AdminAuthentication(auth))
        api.setup()

    In an app factory: ``api = RestAPI()`` at import time, ``api.init_app(app)`` later.
    Resources may be registered before or after ``init_app``. ``auth`` (keyword only)
    names the ``Auth`` whose permission policy and audit log apply to writes when the
    resources' authentication does not say (an app with a single ``Auth`` needs nothing).

    A subclass that overrides the original's :meth:`configure_routes` or
    :meth:`register_blueprint` is served from :meth:`setup`, as in the original, so that
    its routes can still be added to :attr:`blueprint`.
    """

    #: ``info.title`` and ``info.version`` of the OpenAPI document
    openapi_title = "API"
    openapi_version = "1.0"

    def __init__(
        self,
        app: Flask | None = None,
        prefix: str = "/api",
        default_auth: Authentication | None = None,
        name: str = "api",
        *,
        auth: Auth | None = None,
        rate_limits: Mapping[str, str] | None = None,
    ) -> None:
        #: the app given to the constructor (kept for compatibility: only :meth:`register_blueprint` reads it)
        self.app = app
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.name = name
        self.default_auth = default_auth if default_auth is not None else Authentication()
        self.auth: Auth | None = auth
        parse_rate_limits(rate_limits)  # a bad rate fails here, not on a request
        #: rate limits of the resources that set none (``{"POST": "30/minute"}``); None: the config's
        self.rate_limits = rate_limits
        self._registry: dict[type[peewee.Model], RestResource] = {}
        self._names: dict[str, RestResource] = {}
        self._api_routes: _Routes | None = None
        self._resource_routes: dict[str, _Routes] = {}
        self.blueprint = self.get_blueprint(name)
        self._add_rules(self.blueprint)
        if app is not None and not self._registers_in_setup():
            self.init_app(app)

    @property
    def url_prefix(self) -> str:
        """The original's name of :attr:`prefix` (kept for compatibility)."""
        return self.prefix

    def _registers_in_setup(self) -> bool:
        cls = type(self)
        return cls.configure_routes is not RestAPI.configure_routes or (
            cls.register_blueprint is not RestAPI.register_blueprint
        )

    def get_blueprint(self, blueprint_name: str) -> Blueprint:
        """The API's blueprint (an override may return one with its own options: the views are added to it)."""
        return Blueprint(blueprint_name, __name__)

    def _add_rules(self, blueprint: Blueprint) -> None:
        if self.prefix:  # with no prefix the app's own ``/`` stays the app's
            blueprint.add_url_rule("/", "api_index", self._index_route, methods=_METHODS)
        blueprint.add_url_rule("/openapi.json", "openapi", self._openapi_view, methods=["GET"])
        blueprint.add_url_rule("/<string:resource>/", "api_list", self._list_view, methods=_METHODS)
        blueprint.add_url_rule("/<string:resource>/<string:pk>/", "api_detail", self._detail_view, methods=_METHODS)
        blueprint.add_url_rule("/<path:path>", "api_other", self._other_view, methods=_METHODS)
        for error in OUTAGE_ERRORS:
            blueprint.register_error_handler(error, _outage_response)

    def init_app(self, app: Flask, **options: Any) -> None:
        """Serve the API on ``app``; a second API with the same ``name`` is refused.

        ``options`` go to Flask's ``register_blueprint`` (``url_prefix`` defaults to the prefix).
        """
        register_extension(app, EXTENSION_KEY, self.name, self, label="A RestAPI")
        register_checks(app)
        options.setdefault("url_prefix", self.prefix or None)
        app.register_blueprint(self.blueprint, **options)
        if DOCS.get(app.config):  # off: no route at all
            prefix = (options["url_prefix"] or "").strip("/")
            add_docs_routes(self, app, f"/{prefix}" if prefix else "")
        db = self._find_database(app)
        if db is not None:
            create_token_table(app, db)
            register_token_commands(db)
        prepare_rate_limits(self, app)

    def _serves(self, app: Flask) -> bool:
        return app.extensions.get(EXTENSION_KEY, {}).get(self.name) is self

    def _find_database(self, app: Flask) -> Database | None:
        """The ``Database`` holding the API token table: the app's, else the one of the ``Auth`` in use."""
        try:
            return get_database(app)
        except ImproperlyConfigured:
            pass
        auth = self.auth or getattr(self.default_auth, "auth", None)
        if auth is None:
            auth = only_auth(app)
        return auth.db if auth is not None else None

    def register_blueprint(self, **kwargs: Any) -> None:
        """Register :attr:`blueprint` on the app given to the constructor (the original's :meth:`setup` step)."""
        if self.app is None:
            raise ImproperlyConfigured(
                "RestAPI.register_blueprint() needs RestAPI(app); with a factory call init_app(app)"
            )
        if not self._serves(self.app):
            self.init_app(self.app, **kwargs)

    def setup(self) -> None:
        """The original's last step: :meth:`configure_routes`, then serve the API on the app if not yet served."""
        self.configure_routes()
        if self.app is not None:
            self.register_blueprint()

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The API's own ``(rule, view)`` pairs under the prefix; views run without authentication.

        The default serves :meth:`api_index` at ``<prefix>/``; an override may add to
        ``super().get_urls()``, or return its own pairs to replace or drop the index.
        """
        return (("/", self.api_index),)

    def api_index(self) -> Response:
        """``GET <prefix>/``: the resources the caller may read (name, URL, methods, authentication), and
        the URL of the OpenAPI document."""
        if request.method not in ("GET", "HEAD"):
            return json_response({"error": "Method not allowed"}, 405, {"Allow": "GET, HEAD"})
        docs = docs_endpoint(self)
        return json_response(build_index(self, url_for(docs) if docs in current_app.view_functions else None))

    def configure_routes(self) -> None:
        """Read the ``get_urls()`` of the API and of every resource (done on first use when not called)."""
        self._api_routes = _Routes(_check_urls(self, self.get_urls()))
        self._resource_routes = {name: self._routes_of(resource) for name, resource in self._names.items()}

    def _routes_of(self, resource: RestResource) -> _Routes:
        built_in = {("/", resource.api_list), ("/<pk>/", resource.api_detail)}
        pairs = _check_urls(resource, resource.get_urls())
        return _Routes([pair for pair in pairs if pair not in built_in])

    # -- registry ------------------------------------------------------------------------

    def register(
        self,
        model: type[peewee.Model],
        provider: type[RestResource] = RestResource,
        auth: Authentication | None = None,
        allowed_methods: Collection[str] | None = None,
    ) -> RestResource:
        """Expose ``model`` through ``provider`` (a :class:`RestResource` subclass) and return the resource.

        ``auth`` falls back to the API's ``default_auth``; ``allowed_methods`` defaults to
        GET, POST, PUT, PATCH and DELETE (PATCH goes with PUT).
        """
        if not (isinstance(model, type) and issubclass(model, peewee.Model)):
            raise TypeError(f"register() needs a peewee model class, not {model!r}")
        if not (isinstance(provider, type) and issubclass(provider, RestResource)):
            raise TypeError(f"register() needs a RestResource subclass as provider, not {provider!r}")
        resource = provider(self, model, auth if auth is not None else self.default_auth, allowed_methods)
        parse_rate_limits(resource.rate_limits)
        name = resource.get_api_name()
        if model in self._registry:
            raise ValueError(f"{model.__name__} is already registered with this RestAPI")
        if name in self._names:
            raise ValueError(f"the API name {name!r} is already used by {self._names[name].model.__name__}")
        routes = self._routes_of(resource)
        self._registry[model] = resource
        self._names[name] = resource
        self._resource_routes[name] = routes
        if resource.rate_limits and self.app is not None and self._serves(self.app):
            prepare_rate_limits(self, self.app)  # registered after init_app: the counters' table now
        return resource

    def unregister(self, model: type[peewee.Model]) -> None:
        """Stop serving ``model`` (KeyError when it is not registered)."""
        resource = self._registry.pop(model)
        name = resource.get_api_name()
        self._names.pop(name, None)
        self._resource_routes.pop(name, None)

    def is_registered(self, model: type[peewee.Model]) -> RestResource | None:
        """The resource serving ``model``, or None (the original's name of :meth:`get_resource`)."""
        return self._registry.get(model)

    def get_resource(self, model: type[peewee.Model]) -> RestResource | None:
        """The resource registered for ``model``, or None."""
        return self._registry.get(model)

    @property
    def resources(self) -> dict[str, RestResource]:
        """The registered resources by API name."""
        return dict(self._names)

    # -- responses -----------------------------------------------------------------------

    def response_auth_failed(self, challenge: str | None = None) -> Response:
        """401 ``{"error": "Authentication failed"}`` asking for credentials (the resource's scheme, else Basic)."""
        if challenge is None:
            challenge = g.get(_CHALLENGE) or Authentication.www_authenticate
        return json_response({"error": "Authentication failed"}, 401, {"WWW-Authenticate": challenge})

    def auth_wrapper(self, func: Callable[..., Any], provider: RestResource) -> Callable[..., Any]:
        """``func`` (a resource's view) run only when ``provider.authorize()`` lets the request through.

        Otherwise :meth:`response_auth_failed` answers. Every view of a resource goes through it.
        An authorized request is then counted against the resource's rate limit (429 over it).
        """

        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with use_primary():  # a revoked token or key must fail at once, not when a replica catches up
                authorized = provider.authorize()
                limited = check_rate_limit(self, provider) if authorized else None
            if not authorized:
                g.setdefault(_CHALLENGE, getattr(provider.authentication, "www_authenticate", None))
                return self.response_auth_failed()
            if limited is None:
                return func(*args, **kwargs)
            if not limited.allowed:
                return limited.refusal()
            result = func(*args, **kwargs)
            if isinstance(result, Response):
                result.headers.update(limited.headers())
            return result

        return inner

    def get_openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of the registered resources (paths under this request's API prefix)."""
        prefix = request.script_root + self.prefix if has_request_context() else self.prefix
        return build_openapi(self, prefix, title=self.openapi_title, version=self.openapi_version)

    def _openapi_view(self) -> Response:
        return json_response(self.get_openapi())

    def _index_route(self) -> Response:
        return self.serve("/")

    def _list_view(self, resource: str) -> Response:
        return self.serve(f"/{resource}/")

    def _detail_view(self, resource: str, pk: str) -> Response:
        return self.serve(f"/{resource}/{pk}/")

    def _other_view(self, path: str) -> Response:
        return self.serve(f"/{path}")

    def serve(self, path: str) -> Response:
        """Answer the request for ``path`` (below the API's prefix): the API's own URLs, then the resources'."""
        if self._api_routes is None:
            self.configure_routes()
        assert self._api_routes is not None
        if is_cross_site_write():
            return json_response({"error": "Cross-site request refused"}, 403)
        found = self._api_routes.match(path)
        if found is not None:
            view, kwargs = found
            return self._guard(None, lambda: view(**kwargs))
        name, _, rest = path.lstrip("/").partition("/")
        resource = self._names.get(name)
        if resource is None:
            return json_response({"error": "Not found"}, 404)
        routes = self._resource_routes.get(name)
        found = routes.match("/" + rest) if routes is not None else None
        if found is not None:
            view, kwargs = found
            allowed = sorted({*resource.get_allowed_methods(detail=True), *resource.get_allowed_methods(detail=False)})
            method = "GET" if request.method == "HEAD" else request.method
            if method not in allowed:
                return json_response({"error": "Method not allowed"}, 405, {"Allow": ", ".join(allowed)})
            return self._guard(resource, lambda: self.auth_wrapper(view, resource)(**kwargs))
        if rest == "":
            return self.dispatch(name, None)
        if rest.count("/") == 1 and rest.endswith("/"):
            return self.dispatch(name, rest[:-1])
        return json_response({"error": "Not found"}, 404)

    def dispatch(self, name: str, pk: str | None) -> Response:
        """Run one request on the resource ``name``: method check (405), authentication (401), the view."""
        resource = self._names.get(name)
        if resource is None:
            return json_response({"error": "Not found"}, 404)
        allowed = resource.get_allowed_methods(detail=pk is not None)
        method = "GET" if request.method == "HEAD" else request.method
        if method not in allowed:
            return json_response({"error": "Method not allowed"}, 405, {"Allow": ", ".join(allowed)})
        if pk is None:
            return self._guard(resource, lambda: self.auth_wrapper(resource.api_list, resource)())
        if request.method == "POST":
            g.setdefault(POST_EDIT, True)
        return self._guard(resource, lambda: self.auth_wrapper(resource.api_detail, resource)(pk))

    def _guard(self, resource: RestResource | None, view: Callable[[], Any]) -> Response:
        """Run ``view``, turning the errors hooks raise into JSON answers (through the resource's hooks)."""
        try:
            return view()
        except RestForbidden as exc:
            return resource.response_forbidden() if resource is not None else exc.get_response()
        except ApiError as exc:
            if exc.status == 400 and resource is not None and _overrides(resource, "response_bad_request"):
                return resource.response_bad_request(exc.message)
            return exc.get_response()
        except DataError as exc:
            return json_response({"error": "Invalid data", "errors": exc.errors}, 422)
        except QueryError as exc:
            if resource is not None and _overrides(resource, "response_bad_request"):
                return resource.response_bad_request(exc.message)
            return json_response({"error": exc.message, "param": exc.param}, 400)
        except MissingSecretKey:
            # a misconfigured server, not the client's fault: say what is missing (flask fp check reports it)
            _log.error("API request failed: the app has no SECRET_KEY to sign a cursor or token")
            return json_response({"error": "Service unavailable: the server has no SECRET_KEY configured"}, 503)


def _overrides(resource: RestResource, name: str) -> bool:
    return getattr(type(resource), name) is not getattr(RestResource, name)
