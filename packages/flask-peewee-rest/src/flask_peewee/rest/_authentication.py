"""Who may call the API: read-only by default, HTTP Basic against auth users, admins only, API keys."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

import peewee
from flask import g, request

from flask_peewee.auth import AuthUnavailable, LoginThrottled
from flask_peewee.rest._auths import only_auth
from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._request import max_body_size
from flask_peewee.rest._tokens import check_token, get_token_model
from flask_peewee.utils import use_credentials_cache
from flask_peewee.utils.internal import body_within_limit

__all__ = [
    "ALL_METHODS",
    "DEFAULT_PROTECTED_METHODS",
    "APIKeyAuthentication",
    "AdminAuthentication",
    "Authentication",
    "BearerAuthentication",
    "TokenAuthentication",
    "UserAuthentication",
    "UserBearerAuthentication",
]

DEFAULT_PROTECTED_METHODS: tuple[str, ...] = ("POST", "PUT", "PATCH", "DELETE")
#: every method the API answers (PATCH goes with PUT): ``Authentication(ALL_METHODS)`` protects reads too
ALL_METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")
# set on ``g`` by the API for a POST to a detail URL: an edit, protected like a PUT too
POST_EDIT = "flask_peewee_rest_post_edit"


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
        """Whether ``method`` (the request's by default) needs credentials; PATCH counts as PUT.

        A POST to a detail URL (the original's edit) needs credentials when POST or PUT does.
        """
        if method is None and request.method == "POST" and g.get(POST_EDIT):
            return self.is_protected("POST") or self.is_protected("PUT")
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

    A successful password check is remembered for ``FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS``
    (60 by default) as a keyed digest of the username, the password and the stored hash, so
    a client sending the same credentials skips the hash verification; the user is still
    looked up, checked and throttled on every request, and a changed password misses at once
    (see :func:`~flask_peewee.utils.use_credentials_cache`).
    """

    #: admin-level access: with ``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN`` HTTP Basic is refused
    admin_level = False

    def __init__(self, auth: Any, protected_methods: Iterable[str] | None = None) -> None:
        super().__init__(protected_methods)
        self.auth = auth

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise check HTTP Basic credentials and :meth:`verify_user`.

        With two-factor authentication on, a user with a second factor is refused (HTTP Basic
        carries no code) unless ``FLASK_PEEWEE_AUTH_2FA_ALLOW_BASIC``; API clients use bearer
        tokens (:class:`TokenAuthentication`).
        """
        g.user = None
        if not self.is_protected():
            return True
        credentials = request.authorization
        if credentials is None or credentials.type != "basic":
            return False
        username = credentials.username or ""
        with use_credentials_cache(username):
            user = self.authenticate(username, credentials.password or "")
        if not user or not self.verify_user(user):
            return False
        allows_basic = getattr(self.auth, "allows_basic_login", None)  # two-factor: see docs/auth.rst
        if allows_basic is not None and not allows_basic(user, admin=self.admin_level):
            return False
        g.user = user
        return True

    def authenticate(self, username: str, password: str) -> Any:
        """The user for these credentials (or False); only a failed check counts against the login throttle.

        Over the throttle's limit: a 429 with ``Retry-After``; the users' table unreachable: a
        503 with ``Retry-After``. Neither counts as a failure.
        """
        return _throttled(self.auth, username, lambda: self.auth.authenticate(username, password))

    def verify_user(self, user: Any) -> bool:
        """A hook to refuse some authenticated users; every active user passes here."""
        return True


class AdminAuthentication(UserAuthentication):
    """Like :class:`UserAuthentication`, for users whose ``admin`` attribute is true."""

    admin_level = True

    def verify_user(self, user: Any) -> bool:
        """Whether ``user`` is an administrator (``user.admin``)."""
        return bool(getattr(user, "admin", False))


def _throttled(auth: Any, name: str, check: Any) -> Any:
    """``check()`` run as one login attempt of ``name`` under ``auth``'s throttle (none without an ``auth``).

    A false result counts as a failure; over the limit a 429, the store unreachable a 503.
    """
    if auth is None:
        return check()
    try:
        with auth.login_attempt(name) as outcome:
            result = check()
            outcome.report(result)
    except LoginThrottled as refused:
        raise ApiError(429, "Too many login attempts", headers={"Retry-After": str(refused.wait)}) from None
    except AuthUnavailable as down:
        raise ApiError(503, "Service unavailable", headers={"Retry-After": str(down.wait)}) from None
    return result


def _credential(name: str, header: str) -> str | None:
    """``name`` from the query string, a header (``name`` or ``header``) or a form body, in that order."""
    value = request.args.get(name) or request.headers.get(name) or request.headers.get(header)
    form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if value is None and form and body_within_limit(max_body_size()):
        value = request.form.get(name)
    return value if isinstance(value, str) and value else None


class APIKeyAuthentication(Authentication):
    """Protected methods need a key and secret stored in ``model`` (fields :attr:`key_field` and :attr:`secret_field`).

    The pair is read from the query string (``?key=...&secret=...``), the headers (``key`` /
    ``secret`` or ``X-API-Key`` / ``X-API-Secret``) or a form body; the secret is compared in
    constant time. The matching row is ``g.api_key`` and, when it has a ``user``, that is ``g.user``.

    Lookups count against the login throttle of ``auth`` (the app's only ``Auth`` when not
    given) under the key's name, as HTTP Basic logins do: a wrong secret or unknown key is a
    failure, and past the limit the API answers 429 with ``Retry-After``.
    """

    #: the model field holding the key
    key_field: str = "key"
    #: the model field holding the secret
    secret_field: str = "secret"  # noqa: S105 - a field name

    def __init__(
        self, model: type[peewee.Model], protected_methods: Iterable[str] | None = None, *, auth: Any = None
    ) -> None:
        super().__init__(protected_methods)
        self.auth = auth
        for attribute in ("key_field", "secret_field"):
            name = getattr(self, attribute)
            if name not in model._meta.fields:
                owner = type(self).__name__
                raise TypeError(f"{owner} needs a model with a {name!r} field ({attribute}); {model.__name__} has none")
        self.model = model

    def get_query(self) -> peewee.ModelSelect:
        """The key rows that may authenticate; override to narrow them (e.g. only active keys)."""
        return self.model.select()

    def get_key_secret(self) -> tuple[str | None, str | None]:
        """The request's ``(key, secret)``: query string, then headers, then a form body; None when absent."""
        return _credential("key", "X-API-Key"), _credential("secret", "X-API-Secret")

    def get_key(self, key: str | None = None, secret: str | None = None) -> Any:
        """The key row of :meth:`get_query` matching ``key`` and ``secret`` (the request's when not given), or None."""
        if key is None and secret is None:
            key, secret = self.get_key_secret()
        if not key or not secret:
            return None
        key_field = self.model._meta.fields[self.key_field]
        try:
            obj = self.get_query().where(key_field == key).first()
        except (peewee.DataError, ValueError):
            return None
        stored = "" if obj is None else str(getattr(obj, self.secret_field) or "")
        # compare even when the key is unknown, so both cases take the same time
        if not hmac.compare_digest(stored.encode(), str(secret).encode()) or obj is None or not stored:
            return None
        return obj

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise require a valid key and secret."""
        g.user = None
        g.api_key = None
        if not self.is_protected():
            return True
        key, secret = self.get_key_secret()
        obj = None
        if key or secret:
            auth = self.auth if self.auth is not None else only_auth()
            obj = _throttled(auth, key or "", lambda: self.get_key(key, secret))
        if obj is None:
            return False
        g.api_key = obj
        if "user" in self.model._meta.fields and obj.__data__.get("user") is not None:
            g.user = obj.user
        return True


class BearerAuthentication(Authentication):
    """Protected methods need ``Authorization: Bearer <token>`` matching :attr:`token_field` of a row of ``model``.

    Kept for compatibility with the original flask-peewee: it stores tokens as given. New
    code should use :class:`TokenAuthentication`, which stores only their hash and expires
    them. The matching row is ``g.api_key``.
    """

    www_authenticate = 'Bearer realm="Login Required"'
    #: the model field holding the token
    token_field: str = "token"  # noqa: S105 - a field name

    def __init__(self, model: type[peewee.Model], protected_methods: Iterable[str] | None = None) -> None:
        super().__init__(protected_methods)
        if self.token_field not in model._meta.fields:
            raise TypeError(
                f"{type(self).__name__} needs a model with a {self.token_field!r} field (token_field); "
                f"{model.__name__} has none"
            )
        self.model = model

    def get_query(self) -> peewee.ModelSelect:
        """The token rows that may authenticate; override to narrow them."""
        return self.model.select()

    def get_token(self) -> str | None:
        """The token of the request's ``Authorization: Bearer`` header, or None."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None

    def get_key(self, token: str) -> Any:
        """The row of :meth:`get_query` whose :attr:`token_field` is ``token``, or None."""
        field = self.model._meta.fields[self.token_field]
        try:
            return self.get_query().where(field == token).first()
        except (peewee.DataError, ValueError):
            return None

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise require a known token."""
        g.api_key = None
        if not self.is_protected():
            return True
        token = self.get_token()
        if token:
            g.api_key = self.get_key(token)
        return g.api_key is not None


class UserBearerAuthentication(BearerAuthentication):
    """:class:`BearerAuthentication` whose token row names a user (:attr:`user_field`), who becomes ``g.user``.

    With ``user_field = None`` the token lives on the user model itself. Inactive users are refused.
    Kept for compatibility with the original flask-peewee (see :class:`TokenAuthentication`).
    """

    #: the token model's foreign key to the user; None when the token is a field of the user model
    user_field: str | None = "user"

    def authorize(self) -> bool:
        """Let unprotected methods through; otherwise require a known token of an active user."""
        g.user = None
        if not self.is_protected():
            return True
        token = self.get_token()
        key = self.get_key(token) if token else None
        if key is None:
            return False
        user = key if self.user_field is None else getattr(key, self.user_field)
        if user is None or not getattr(user, "active", True):
            return False
        g.api_key = key
        g.user = user
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
