"""Optional remember-me: a long-lived signed cookie that restores a login when the session is gone.

The cookie holds ``selector.validator.signature`` (:func:`~flask_peewee.utils.sign`). The
``fp_remember_token`` table keeps the selector, a SHA-256 of the validator (a stolen table
gives no usable cookie), the expiry and a fingerprint of the user's password hash (a
:func:`~flask_peewee.utils.keyed_digest` under the app's secret key), so a
password change, by any route, revokes every token of that user. A token is used once:
restoring a login replaces it by a new one with the same expiry.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import peewee
from flask import current_app, g, request

from flask_peewee.auth._devices import device_values
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._settings import REMEMBER_ME, REMEMBER_ME_COOKIE_NAME, REMEMBER_ME_DURATION
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import digest_matches, keyed_digest, sign, unsign

if TYPE_CHECKING:
    from flask import Response

    from flask_peewee.auth._auth import Auth

__all__ = ["RememberMe", "remember_settings"]

ENABLED = REMEMBER_ME.key
DURATION = REMEMBER_ME_DURATION.key
COOKIE_NAME = REMEMBER_ME_COOKIE_NAME.key
DEFAULT_DURATION = REMEMBER_ME_DURATION.default
DEFAULT_COOKIE_NAME = REMEMBER_ME_COOKIE_NAME.default
_G_COOKIE = "_flask_peewee_auth_remember_cookie"
_COOKIE_SALT = "flask-peewee-auth.remember-me"
_FINGERPRINT_SALT = "flask-peewee-auth.remember-me.fingerprint"


def remember_settings(config: Mapping[str, Any]) -> tuple[int, str]:
    """The validated ``(duration in seconds, cookie name)``; a bad value raises ImproperlyConfigured."""
    duration = REMEMBER_ME_DURATION.get(config)
    if isinstance(duration, datetime.timedelta):
        duration = int(duration.total_seconds())
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 1:
        raise ImproperlyConfigured(f"{DURATION} must be a positive number of seconds or a timedelta, got {duration!r}")
    name = REMEMBER_ME_COOKIE_NAME.get(config)
    if not isinstance(name, str) or not name or any(c in name for c in ' ;,="\\'):
        raise ImproperlyConfigured(f"{COOKIE_NAME} must be a plain cookie name, got {name!r}")
    return duration, name


def _fingerprint(user_pk: Any, password_hash: str | None) -> str:
    """Changes whenever the user's stored password hash changes (or the secret key does)."""
    return keyed_digest(_fingerprint_message(user_pk, password_hash), salt=_FINGERPRINT_SALT)


def _fingerprint_matches(fingerprint: str, user_pk: Any, password_hash: str | None) -> bool:
    return digest_matches(fingerprint, _fingerprint_message(user_pk, password_hash), salt=_FINGERPRINT_SALT)


def _fingerprint_message(user_pk: Any, password_hash: str | None) -> str:
    return f"{user_pk}\0{password_hash or ''}"


def _hash(validator: str) -> str:
    return hashlib.sha256(validator.encode("utf-8", "surrogatepass")).hexdigest()


def _parse(value: str) -> tuple[str, str] | None:
    """``(selector, validator)`` of a cookie value whose signature is right, else None."""
    if len(value) > 256:
        return None
    payload = unsign(value, salt=_COOKIE_SALT)
    parts = payload.split(".") if payload is not None else []
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


class RememberMe:
    """Issues, restores and revokes the remember-me tokens of one :class:`Auth`."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth

    @property
    def model(self) -> Any:
        return self.auth.RememberToken

    def enabled(self) -> bool:
        """On when ``FLASK_PEEWEE_REMEMBER_ME`` is true or the login form has a ``remember`` field."""
        if REMEMBER_ME.get(current_app.config):
            return True
        return hasattr(self.auth.get_login_form(), "remember")

    # -- issuing and revoking -----------------------------------------------------------

    def issue(self, user: Any) -> None:
        """Store a new token for ``user`` and send its cookie with this response."""
        duration, _name = remember_settings(current_app.config)
        now = utcnow()
        expires = now + datetime.timedelta(seconds=duration)
        model = self.model
        user_pk = user.get_id()
        model.delete().where(model.user_id == user_pk, model.expires <= now).execute()
        self._store(user, expires)

    def _store(self, user: Any, expires: datetime.datetime, created: datetime.datetime | None = None) -> None:
        selector, validator = secrets.token_hex(16), secrets.token_urlsafe(32)
        now = utcnow()
        self.model.create(
            user_id=user.get_id(),
            selector=selector,
            token_hash=_hash(validator),
            fingerprint=_fingerprint(user.get_id(), getattr(user, "password", None)),
            created=created or now,  # a replaced token keeps the device's first login
            expires=expires,
            **device_values(now),
        )
        setattr(g, _G_COOKIE, (sign(f"{selector}.{validator}", salt=_COOKIE_SALT), expires, selector))

    def forget(self) -> None:
        """Revoke the token of this request's cookie (if any) and delete the cookie."""
        selectors = []
        pending = g.get(_G_COOKIE)
        if pending is not None:  # issued earlier in this request (a restore): revoke it too
            selectors.append(pending[2])
        parsed = self._cookie()
        if isinstance(parsed, tuple):
            selectors.append(parsed[0])
        if selectors:
            self.model.delete().where(self.model.selector.in_(selectors)).execute()
        if parsed is not None or pending is not None:
            setattr(g, _G_COOKIE, None)

    def current_selector(self) -> str | None:
        """The selector of this browser's token: issued in this request, else its valid-looking cookie's."""
        pending = g.get(_G_COOKIE)
        if pending is not None:
            return str(pending[2])
        parsed = self._cookie()
        return parsed[0] if isinstance(parsed, tuple) else None

    def revoke_all(self, user: Any) -> int:
        """Delete every remember-me token of ``user`` (a user or its id); how many there were."""
        user_pk = user.get_id() if hasattr(user, "get_id") else user
        return int(self.model.delete().where(self.model.user_id == user_pk).execute())

    # -- restoring ----------------------------------------------------------------------

    def _cookie(self) -> tuple[str, str] | Literal[False] | None:
        """None: no cookie; False: a cookie that is not ours (bad signature); else ``(selector, validator)``."""
        _duration, name = remember_settings(current_app.config)
        value = request.cookies.get(name)
        if not value:
            return None
        return _parse(value) or False

    def restore(self) -> Any:
        """The user of a valid remember-me cookie, logged in again (not fresh), or None.

        The token used is replaced by a new one; a wrong validator for a known selector (a
        forged or stolen cookie) and a changed password revoke all the user's tokens.
        """
        parsed = self._cookie()
        if parsed is None:
            return None
        user = None
        if parsed:
            try:
                user = self._check(*parsed)
            except (peewee.DatabaseError, ValueError, TypeError):
                current_app.logger.warning("flask-peewee-auth: could not check a remember-me token", exc_info=True)
                user = None
        if user is None:
            setattr(g, _G_COOKIE, None)  # delete the useless cookie
            return None
        self.auth.start_session(user, fresh=False)
        return user

    def _check(self, selector: str, validator: str) -> Any:
        model = self.model
        # named columns: the sessions page's columns may not exist in an older table while it is off
        columns = (model.id, model.user_id, model.token_hash, model.fingerprint, model.created, model.expires)
        token = model.select(*columns).where(model.selector == selector).get_or_none()
        if token is None:
            return None
        if not hmac.compare_digest(token.token_hash, _hash(validator)):
            self.revoke_all(token.user_id)
            return None
        if token.expires <= utcnow():
            token.delete_instance()
            return None
        user_model = self.auth.User
        user = user_model.get_or_none(user_model._meta.primary_key == token.user_id)
        if (
            user is None
            or not getattr(user, "active", True)
            or not _fingerprint_matches(token.fingerprint, user.get_id(), getattr(user, "password", None))
        ):
            self.revoke_all(token.user_id)
            return None
        with self.auth.db.database.atomic():
            if model.delete().where(model.id == token.id).execute() != 1:
                return None  # used at the same moment by another request: a token works once
            self._store(user, token.expires, token.created)
        return user

    # -- the cookie ---------------------------------------------------------------------

    def write_cookie(self, response: Response) -> Response:
        """After each request: set or delete the cookie as this request decided."""
        if not hasattr(g, _G_COOKIE):
            return response
        decision = getattr(g, _G_COOKIE)
        app = current_app
        _duration, name = remember_settings(app.config)
        options: dict[str, Any] = {
            "path": app.session_interface.get_cookie_path(app),
            "domain": app.session_interface.get_cookie_domain(app),
            "secure": bool(app.config.get("SESSION_COOKIE_SECURE")),
            "httponly": True,
            "samesite": app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        }
        if decision is None:
            response.delete_cookie(name, **options)
        else:
            value, expires, _selector = decision
            response.set_cookie(name, value, expires=expires.replace(tzinfo=datetime.timezone.utc), **options)
        response.vary.add("Cookie")
        return response
