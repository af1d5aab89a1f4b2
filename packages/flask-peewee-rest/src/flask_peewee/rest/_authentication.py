"""Who may call the API: read-only by default, HTTP Basic against auth users, admins only, API keys."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

import peewee
from flask import current_app, g, request

from flask_peewee.auth import AuthUnavailable, LoginThrottled
from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._tokens import check_token, get_token_model

__all__ = [
    "DEFAULT_PROTECTED_METHODS",
    "APIKeyAuthentication",
    "AdminAuthentication",
    "Authentication",
    "TokenAuthentication",
    "UserAuthentication",
]

DEFAULT_PROTECTED_METHODS: tuple[str, ...] = ("POST", "PUT", "PATCH", "DELETE")


class Authentication:
    """Decides per request whether the API lets it through: :meth:`authorize`.

    The base class lets every request through except the ``protected_methods`` (by default
    the writes), so an API with no other authentication is read-only. Subclass it and
    override :meth:`authorize` for your own scheme::

        class HeaderAuthentication(Authentication):
            def authorize(self):
                return request.headers.get("X-Token") == "let me in"
    """

    #: the ``WWW-Authenticate`` header of a 401 answer
    www_authenticate = 'Basic realm="Login Required"'

    def __init__(self, protected_methods: Iterable[str] | None = None) -> None:
        methods = DEFAULT_PROTECTED_METHODS if protected_methods is None else protected_methods
        self.protected_methods = tuple(method.upper() for method in methods)

    def is_protected(self, method: str | None = None) -> bool:
        """Whether ``method`` (the request's by default) needs credentials; PATCH counts as PUT."""
        method = (method or request.method).upper()
        if method == "PATCH" and "PUT" in self.protected_methods:
            return True
        return method in self.protected_methods

    def authorize(self) -> bool:
        """Whether to let the current request through: only unprotected methods here."""
        return not self.is_protected()

    def get_user(self) -> Any:
        """The user this request acts as (``g.user``; None when anonymous)."""
        return g.get("user")


class UserAuthentication(Authentication):
    """Protected methods need HTTP Basic credentials of an active user of ``auth`` (an ``Auth``).

    Attempts count against the same login throttle as the login form (a 429 when over the
    limit). On success the user is ``g.user`` for the rest of the request.
    """

    def __init__(self, auth: Any, protected_methods: Iterable[str] | None = None) -> None:
        super().__init__(protected_methods)
        self.auth = auth

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise check HTTP Basic credentials and :meth:`verify_user`."""
        g.user = None
        if not self.is_protected():
            return True
        credentials = request.authorization
        if credentials is None or credentials.type != "basic":
            return False
        user = self.authenticate(credentials.username or "", credentials.password or "")
        if not user or not self.verify_user(user):
            return False
        g.user = user
        return True

    def authenticate(self, username: str, password: str) -> Any:
        """The user for these credentials (or False); only a failed check counts against the login throttle.

        Over the throttle's limit: a 429 with ``Retry-After``; the users' table unreachable: a
        503 with ``Retry-After``. Neither counts as a failure.
        """
        try:
            with self.auth.login_attempt(username) as outcome:
                user = self.auth.authenticate(username, password)
                outcome.report(user)
        except LoginThrottled as refused:
            raise ApiError(429, "Too many login attempts", headers={"Retry-After": str(refused.wait)}) from None
        except AuthUnavailable as down:
            raise ApiError(503, "Service unavailable", headers={"Retry-After": str(down.wait)}) from None
        return user

    def verify_user(self, user: Any) -> bool:
        """A hook to refuse some authenticated users; every active user passes here."""
        return True


class AdminAuthentication(UserAuthentication):
    """Like :class:`UserAuthentication`, for users whose ``admin`` attribute is true."""

    def verify_user(self, user: Any) -> bool:
        """Whether ``user`` is an administrator (``user.admin``)."""
        return bool(getattr(user, "admin", False))


def _credential(name: str, header: str) -> str | None:
    """``name`` from the query string, a header (``name`` or ``header``) or a form body, in that order."""
    value = request.args.get(name) or request.headers.get(name) or request.headers.get(header)
    if value is None and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        limit = current_app.config.get("FLASK_PEEWEE_REST_MAX_BODY_SIZE", 1024 * 1024)
        if request.content_length is not None and request.content_length <= limit:
            value = request.form.get(name)
    return value if isinstance(value, str) and value else None


class APIKeyAuthentication(Authentication):
    """Protected methods need a key and secret stored in ``model`` (with ``key`` and ``secret`` fields).

    The pair is read from the query string (``?key=...&secret=...``), the headers (``key`` /
    ``secret`` or ``X-API-Key`` / ``X-API-Secret``) or a form body; the secret is compared in
    constant time. The matching row is ``g.api_key`` and, when it has a ``user``, that is ``g.user``.
    """

    def __init__(self, model: type[peewee.Model], protected_methods: Iterable[str] | None = None) -> None:
        super().__init__(protected_methods)
        for name in ("key", "secret"):
            if name not in model._meta.fields:
                raise TypeError(f"APIKeyAuthentication needs a model with a {name!r} field; {model.__name__} has none")
        self.model = model

    def get_key(self) -> Any:
        """The API key row matching the request's key and secret, or None."""
        key = _credential("key", "X-API-Key")
        secret = _credential("secret", "X-API-Secret")
        if key is None or secret is None:
            return None
        try:
            obj = self.model.get_or_none(self.model.key == key)
        except (peewee.DataError, ValueError):
            return None
        stored = "" if obj is None else str(obj.secret or "")
        # compare even when the key is unknown, so both cases take the same time
        if not hmac.compare_digest(stored.encode(), secret.encode()) or obj is None or not stored:
            return None
        return obj

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise require a valid key and secret."""
        g.user = None
        if not self.is_protected():
            return True
        obj = self.get_key()
        if obj is None:
            return False
        g.api_key = obj
        if "user" in self.model._meta.fields and obj.__data__.get("user") is not None:
            g.user = obj.user
        return True


class TokenAuthentication(Authentication):
    """Protected methods need ``Authorization: Bearer <token>`` with a live API token of an active user of ``auth``.

    Tokens come from :func:`~flask_peewee.rest.issue_token` or ``flask fp token issue``; only
    their hash is stored. On success the user is ``g.user`` and the token row ``g.api_token``.
    A refused request answers 401 with ``WWW-Authenticate: Bearer realm="Login Required"``.
    """

    www_authenticate = 'Bearer realm="Login Required"'

    def __init__(self, auth: Any, protected_methods: Iterable[str] | None = None) -> None:
        super().__init__(protected_methods)
        self.auth = auth
        get_token_model(auth.db)  # registered on the auth's db, so ``flask fp create-tables`` knows it

    def get_token(self) -> Any:
        """The usable token row named by the request's ``Authorization: Bearer`` header, or None."""
        credentials = request.authorization
        if credentials is None or credentials.type != "bearer" or not credentials.token:
            return None
        return check_token(credentials.token, db=self.auth.db)

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise require a live token whose user passes :meth:`verify_user`."""
        g.user = None
        if not self.is_protected():
            return True
        token = self.get_token()
        if token is None:
            return False
        user_model = self.auth.User
        user = user_model.get_or_none(user_model._meta.primary_key == token.user_id)
        if user is None or not getattr(user, "active", True) or not self.verify_user(user):
            return False
        g.user = user
        g.api_token = token
        return True

    def verify_user(self, user: Any) -> bool:
        """A hook to refuse some users' tokens; every active user passes here."""
        return True
