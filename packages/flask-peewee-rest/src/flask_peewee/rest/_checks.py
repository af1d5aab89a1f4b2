"""What the REST API adds to ``flask fp check``: sensitive fields named by a resource, and user models left open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask_peewee.auth import BaseUser
from flask_peewee.db import checks
from flask_peewee.db.checks import WARNING, Finding
from flask_peewee.rest._auths import only_auth
from flask_peewee.utils.internal import check_secret_like_fields, sensitive_exposures

if TYPE_CHECKING:
    from flask_peewee.rest._api import RestAPI
    from flask_peewee.rest._resource import RestResource

__all__ = ["register_checks"]

#: user fields that grant rights: writable through the API, a user could make themself an admin
_PRIVILEGE_FIELDS = ("admin", "active", "is_admin", "is_active", "is_staff", "is_superuser", "superuser", "staff")
_WRITES = ("POST", "PUT", "PATCH")


def _is_user_model(model: Any, resource: RestResource) -> bool:
    if issubclass(model, BaseUser):
        return True
    auths = [getattr(resource.authentication, "auth", None), only_auth()]
    return any(auth is not None and getattr(auth, "User", None) is model for auth in auths)


def _resource_findings(api: RestAPI, name: str, resource: RestResource) -> Iterator[Finding]:
    model = resource.model
    where = f"RestAPI {api.name!r} resource {name!r}"
    yield from sensitive_exposures(
        model,
        where,
        {"fields": resource.fields, "filter_fields": resource.filter_fields},
    )
    if not _is_user_model(model, resource):
        return
    if "GET" in resource.allowed_methods and not resource.authentication.is_protected("GET"):
        yield Finding(
            WARNING,
            "anonymous-users",
            f"{where} serves the user model {model.__name__} to anonymous clients (GET is not protected)",
            "register it with an authentication that protects GET, e.g. "
            "UserAuthentication(auth, protected_methods=['GET', 'POST', 'PUT', 'DELETE'])",
        )
    if not any(method in resource.allowed_methods for method in _WRITES):
        return
    try:
        read_only = resource.get_read_only_fields()
    except Exception:
        return
    writable = [f for f in _PRIVILEGE_FIELDS if f in model._meta.fields and f not in read_only]
    if writable:
        listed = ", ".join(repr(f) for f in writable)
        yield Finding(
            WARNING,
            "user-fields-writable",
            f"{where} lets clients write the user fields {listed} of {model.__name__}",
            f"add them to read_only_fields = {tuple(writable)!r} or allow only GET",
        )


def _check_apis(app: Any) -> Iterator[Finding]:
    from flask_peewee.rest._api import EXTENSION_KEY

    apis: dict[str, RestAPI] = app.extensions.get(EXTENSION_KEY, {})
    for api in apis.values():
        for name, resource in sorted(api.resources.items()):
            yield from _resource_findings(api, name, resource)


def register_checks(app: Any) -> None:
    """Add the REST API's checks to ``flask fp check`` on ``app``."""
    checks.register(app, _check_apis)
    checks.register(app, check_secret_like_fields)
