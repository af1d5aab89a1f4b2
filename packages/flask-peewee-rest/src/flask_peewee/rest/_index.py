"""The API's front door: ``GET <prefix>/`` lists the resources the caller may read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import request, url_for

from flask_peewee.db import use_primary
from flask_peewee.rest._authentication import Authentication
from flask_peewee.rest._openapi import scheme_of
from flask_peewee.rest._resource import RestResource

if TYPE_CHECKING:
    from flask_peewee.rest._api import RestAPI

__all__ = ["build_index", "resource_methods"]


def resource_methods(resource: RestResource) -> list[str]:
    """The methods the resource answers (list or detail URL) that some caller can pass.

    The base :class:`Authentication` refuses its protected methods to everyone, so they are left out.
    """
    methods = {*resource.get_allowed_methods(detail=False), *resource.get_allowed_methods(detail=True)}
    authentication = resource.authentication
    if type(authentication) is Authentication and type(resource).authorize is RestResource.authorize:
        methods = {method for method in methods if not authentication.is_protected(method)}
    order = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return sorted(methods, key=lambda method: order.index(method) if method in order else len(order))


def _may_read(resource: RestResource, verdicts: dict[int, bool]) -> bool:
    """Whether this request's caller may GET the resource (one check per shared authentication)."""
    if "GET" not in resource.get_allowed_methods(detail=False):
        return False
    if type(resource).authorize is not RestResource.authorize:
        with use_primary():
            return bool(resource.authorize())
    key = id(resource.authentication)
    if key not in verdicts:
        if not resource.authentication.is_protected("GET"):
            verdicts[key] = True
        else:
            with use_primary():  # a revoked token or key must fail at once
                verdicts[key] = bool(resource.authentication.authorize())
    return verdicts[key]


def build_index(api: RestAPI, docs_url: str | None = None) -> dict[str, Any]:
    """The index of ``api``: every resource the caller may read, and where the OpenAPI document is."""
    blueprint = request.blueprint or api.blueprint.name
    verdicts: dict[int, bool] = {}
    listed = []
    for name, resource in sorted(api.resources.items()):
        if not _may_read(resource, verdicts):
            continue
        methods = resource_methods(resource)
        authentication = resource.authentication
        protected = [method for method in methods if authentication.is_protected(method)]
        listed.append(
            {
                "name": name,
                "url": url_for(f"{blueprint}.api_list", resource=name),
                "methods": methods,
                "authentication": scheme_of(authentication) if protected else "none",
                "protected_methods": protected,
            }
        )
    index: dict[str, Any] = {"resources": listed, "openapi": url_for(f"{blueprint}.openapi")}
    if docs_url is not None:
        index["docs"] = docs_url
    return index
