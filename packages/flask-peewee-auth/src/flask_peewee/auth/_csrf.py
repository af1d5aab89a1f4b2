"""CSRF protection: a session-bound token for the forms auth renders, and an origin check for the rest."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import current_app, request, session

from flask_peewee.auth._settings import TRUSTED_ORIGINS
from flask_peewee.utils import MissingSecretKey

__all__ = [
    "CSRF_FIELD_NAME",
    "csrf_token",
    "is_cross_site_request",
    "validate_csrf_token",
]

CSRF_FIELD_NAME = "csrf_token"
_SEASURF_FIELD_NAME = "_csrf_token"
_SESSION_KEY = "_fp_csrf"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """The CSRF token of the current session, made on first use (a template global of the same name).

    Put it in a hidden input named ``csrf_token`` of any POST form::

        <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    """
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        if not current_app.secret_key:
            raise MissingSecretKey("the session's CSRF token")  # the session cannot be signed
        token = session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def _trusted_origins() -> set[str]:
    origin = f"{request.scheme}://{request.host}".lower()
    extra = TRUSTED_ORIGINS.get(current_app.config) or ()
    if isinstance(extra, str):
        extra = [extra]
    return {origin, *(str(o).rstrip("/").lower() for o in extra)}


def is_cross_site_request() -> bool:
    """Whether the browser says this request comes from another site.

    Reads ``Sec-Fetch-Site`` when the browser sends it (anything but ``same-origin`` or
    ``none`` is cross-site), else ``Origin`` (must be this host or one of
    ``FLASK_PEEWEE_TRUSTED_ORIGINS``). A request
    without either header (older browsers, scripts, test clients) is not cross-site.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    origin = origin.strip().rstrip("/").lower()
    if origin == "null":
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return True
    return f"{parts.scheme}://{parts.netloc}" not in _trusted_origins()


def _is_same_origin_proven() -> bool:
    if request.headers.get("Sec-Fetch-Site", "").strip().lower() == "same-origin":
        return True
    return "Origin" in request.headers and not is_cross_site_request()


def validate_csrf_token(token: str | None = None) -> bool:
    """Whether the current request carries this session's CSRF token (safe methods always pass).

    ``token`` defaults to the ``csrf_token`` form field (or ``_csrf_token``, the original's
    login template's name) or the ``X-CSRF-Token`` header and is
    compared in constant time. A request without any token passes only when the browser
    proves it same-origin (``Sec-Fetch-Site: same-origin`` or a matching ``Origin``), so
    templates written before tokens existed keep working in browsers while forged
    cross-site posts and token-less scripts are refused.
    """
    if request.method in _SAFE_METHODS:
        return True
    if token is None:
        token = (
            request.form.get(CSRF_FIELD_NAME)
            # The original's login template posts ``_csrf_token`` whenever a ``csrf_token`` global
            # exists (it was written for Flask-SeaSurf): a copy of it in an app works unchanged.
            or request.form.get(_SEASURF_FIELD_NAME)
            or request.headers.get("X-CSRF-Token")
        )
    expected = session.get(_SESSION_KEY)
    if not token:
        return _is_same_origin_proven()
    if not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(token.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))
