"""``RestAPI``: the registry of resources and the blueprint that serves them under ``/api``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import peewee
from flask import Blueprint, Flask, Response, has_request_context, request

from flask_peewee.db import Database, ImproperlyConfigured, get_database
from flask_peewee.rest._authentication import Authentication
from flask_peewee.rest._errors import ApiError, json_response
from flask_peewee.rest._openapi import build_openapi
from flask_peewee.rest._resource import RestResource
from flask_peewee.rest._token_cli import register_token_commands
from flask_peewee.rest._tokens import create_token_table
from flask_peewee.utils import DataError, QueryError

__all__ = ["EXTENSION_KEY", "RestAPI"]

EXTENSION_KEY = "flask_peewee.rest"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


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
        auth: Any = None,
    ) -> None:
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.name = name
        self.default_auth = default_auth if default_auth is not None else Authentication()
        self.auth = auth
        self._registry: dict[type[peewee.Model], RestResource] = {}
        self._names: dict[str, RestResource] = {}
        self.blueprint = self.get_blueprint(name)
        if app is not None:
            self.init_app(app)

    def get_blueprint(self, blueprint_name: str) -> Blueprint:
        """The blueprint with the list and detail views (dispatching to the registered resources)."""
        blueprint = Blueprint(blueprint_name, __name__)
        blueprint.add_url_rule("/openapi.json", "openapi", self._openapi_view, methods=["GET"])
        blueprint.add_url_rule("/<string:resource>/", "api_list", self._list_view, methods=_METHODS)
        blueprint.add_url_rule("/<string:resource>/<string:pk>/", "api_detail", self._detail_view, methods=_METHODS)
        return blueprint

    def init_app(self, app: Flask) -> None:
        """Serve the API on ``app``; a second API with the same ``name`` is refused."""
        registry = app.extensions.setdefault(EXTENSION_KEY, {})
        if self.name in registry:
            raise ImproperlyConfigured(f"A RestAPI named {self.name!r} is already registered on this app")
        registry[self.name] = self
        app.register_blueprint(self.blueprint, url_prefix=self.prefix or None)
        db = self._find_database(app)
        if db is not None:
            create_token_table(db)
            register_token_commands(db)

    def _find_database(self, app: Flask) -> Database | None:
        """The ``Database`` holding the API token table: the app's, else the one of the ``Auth`` in use."""
        try:
            return get_database(app)
        except ImproperlyConfigured:
            pass
        auth = self.auth or getattr(self.default_auth, "auth", None)
        if auth is None:
            auths = list(app.extensions.get("flask_peewee.auth", {}).values())
            auth = auths[0] if len(auths) == 1 else None
        return getattr(auth, "db", None)

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
        name = resource.get_api_name()
        if model in self._registry:
            raise ValueError(f"{model.__name__} is already registered with this RestAPI")
        if name in self._names:
            raise ValueError(f"the API name {name!r} is already used by {self._names[name].model.__name__}")
        self._registry[model] = resource
        self._names[name] = resource
        return resource

    def setup(self) -> None:
        """Kept for the documented API: resources are served as soon as they are registered."""

    def get_resource(self, model: type[peewee.Model]) -> RestResource | None:
        """The resource registered for ``model``, or None."""
        return self._registry.get(model)

    @property
    def resources(self) -> dict[str, RestResource]:
        """The registered resources by API name."""
        return dict(self._names)

    # -- responses -----------------------------------------------------------------------

    def response_auth_failed(self, challenge: str = Authentication.www_authenticate) -> Response:
        """401 ``{"error": "Authentication failed"}`` asking for credentials (HTTP Basic unless ``challenge`` says)."""
        return json_response({"error": "Authentication failed"}, 401, {"WWW-Authenticate": challenge})

    def get_openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of the registered resources (paths under this request's API prefix)."""
        prefix = request.script_root + self.prefix if has_request_context() else self.prefix
        return build_openapi(self, prefix, title=self.openapi_title, version=self.openapi_version)

    def _openapi_view(self) -> Response:
        return json_response(self.get_openapi())

    def _list_view(self, resource: str) -> Response:
        return self.dispatch(resource, None)

    def _detail_view(self, resource: str, pk: str) -> Response:
        return self.dispatch(resource, pk)

    def dispatch(self, name: str, pk: str | None) -> Response:
        """Run one request on the resource ``name``: method check (405), authentication (401), the view."""
        resource = self._names.get(name)
        if resource is None:
            return json_response({"error": "Not found"}, 404)
        allowed = resource.get_allowed_methods(detail=pk is not None)
        method = "GET" if request.method == "HEAD" else request.method
        if method not in allowed:
            return json_response({"error": "Method not allowed"}, 405, {"Allow": ", ".join(allowed)})
        try:
            if not resource.authorize():
                challenge = getattr(resource.authentication, "www_authenticate", Authentication.www_authenticate)
                return self.response_auth_failed(challenge)
            return resource.api_list() if pk is None else resource.api_detail(pk)
        except ApiError as exc:
            return exc.get_response()
        except DataError as exc:
            return json_response({"error": "Invalid data", "errors": exc.errors}, 422)
        except QueryError as exc:
            return json_response({"error": exc.message, "param": exc.param}, 400)
