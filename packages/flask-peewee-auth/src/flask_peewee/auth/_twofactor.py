"""Two-factor authentication (TOTP, RFC 6238): the stored factors, recovery codes and session markers.

Off unless ``FLASK_PEEWEE_AUTH_2FA`` is true: then, and only then, the ``fp_two_factor`` and
``fp_two_factor_recovery`` tables exist and a login costs one more (indexed) query. pyotp and
segno come with the ``flask-peewee-auth[2fa]`` extra and are imported only when used.

The session of a user who gave the password but not yet the code holds only a *pending*
marker (user id, expiry, a nonce, the remember-me choice and a digest of the password hash),
never the login itself: every protected view sees an anonymous visitor. A session that passed
a second factor holds a *proof* tied to its server-side session id.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import peewee
from flask import current_app, g, has_request_context, session

from flask_peewee.auth import _sessions
from flask_peewee.auth._live_sessions import now_us, session_key
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._permissions import user_id_of
from flask_peewee.auth._settings import (
    TWO_FACTOR,
    TWO_FACTOR_ALLOW_BASIC,
    TWO_FACTOR_ISSUER,
    TWO_FACTOR_PENDING_AGE,
    TWO_FACTOR_REQUIRED_FOR_ADMIN,
)
from flask_peewee.db import Database, ImproperlyConfigured, create_tables_when_reachable
from flask_peewee.utils import digest_matches, keyed_digest

if TYPE_CHECKING:
    from flask import Flask

    from flask_peewee.auth._auth import Auth

__all__ = [
    "RECOVERY_CODES",
    "TwoFactor",
    "enabled",
    "is_totp_code",
    "required_for_admin",
]

#: how many recovery codes an enrolment (or a regeneration) gives
RECOVERY_CODES = 10
#: seconds per TOTP time step, and how many steps either side of now a code may be from
STEP = 30
DRIFT = 1
PENDING = "_fp_2fa_pending"
PROOF = "_fp_2fa_proof"
_RECOVERY_SALT = "flask-peewee-auth.2fa.recovery"
_PENDING_SALT = "flask-peewee-auth.2fa.pending"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_CODE = re.compile(r"^[0-9]{6}$")
_G_FACTOR = "_flask_peewee_auth_2fa_factor"
_MARK = "_flask_peewee_auth_2fa_model"


def enabled(config: Mapping[str, Any]) -> bool:
    """Whether the app turned two-factor authentication on (``FLASK_PEEWEE_AUTH_2FA``)."""
    return bool(TWO_FACTOR.get(config))


def required_for_admin(config: Mapping[str, Any]) -> bool:
    """Whether the admin site needs a second factor (``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN``)."""
    return bool(TWO_FACTOR_REQUIRED_FOR_ADMIN.get(config))


def is_totp_code(value: Any) -> bool:
    """Whether ``value`` reads as a TOTP code (six digits); anything else is taken for a recovery code."""
    return isinstance(value, str) and bool(_CODE.match(value.strip()))


def _pyotp() -> Any:
    try:
        import pyotp
    except ImportError:  # pragma: no cover - the tests install the extra
        raise ImproperlyConfigured(
            "FLASK_PEEWEE_AUTH_2FA needs pyotp and segno: pip install 'flask-peewee-auth[2fa]'"
        ) from None
    return pyotp


def _check_libraries() -> None:
    _pyotp()
    try:
        import segno  # noqa: F401
    except ImportError:  # pragma: no cover - the tests install the extra
        raise ImproperlyConfigured(
            "FLASK_PEEWEE_AUTH_2FA needs pyotp and segno: pip install 'flask-peewee-auth[2fa]'"
        ) from None


def make_factor_models(db: Database) -> tuple[Any, Any]:
    """The ``(TwoFactorSecret, RecoveryCode)`` models of ``db``, made once per ``Database``.

    They are ``db.Model`` subclasses made only when an app turns the feature on, so ``flask fp
    create-tables`` creates their tables then and never otherwise.
    """
    found = [model for model in db.models if model.__dict__.get(_MARK)]
    if found:
        secret_model = next(m for m in found if m.__dict__[_MARK] == "secret")
        recovery_model = next(m for m in found if m.__dict__[_MARK] == "recovery")
        return secret_model, recovery_model

    base: Any = db.Model  # bound at run time: mypy takes it as an unknown base

    class TwoFactorSecret(base):
        """The TOTP secret of user ``user_id``; ``confirmed`` once a code from it was entered."""

        __sensitive_fields__ = ("secret",)
        user_id = peewee.BigIntegerField(unique=True)
        secret = peewee.CharField(max_length=64)
        confirmed = peewee.BooleanField(default=False)
        #: the last TOTP time step accepted: a code of this step or an earlier one is refused
        last_step = peewee.BigIntegerField(default=0)
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_two_factor"

        def __str__(self) -> str:
            return f"second factor of user {self.user_id}"

    class RecoveryCode(base):
        """One single-use recovery code of user ``user_id``: only its keyed SHA-256 is stored."""

        __sensitive_fields__ = ("code_hash",)
        user_id = peewee.BigIntegerField(index=True)
        code_hash = peewee.CharField(max_length=64)
        created = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "fp_two_factor_recovery"

    setattr(TwoFactorSecret, _MARK, "secret")
    setattr(RecoveryCode, _MARK, "recovery")
    return TwoFactorSecret, RecoveryCode


def new_recovery_code() -> str:
    """A random recovery code, ``xxxx-xxxx-xxxx-xxxx`` (about 79 bits)."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _normalise_recovery(value: str) -> str:
    return "".join(c for c in value.lower() if c.isalnum())


def _recovery_message(user_id: int, code: str) -> str:
    return f"{user_id}\0{_normalise_recovery(code)}"


class TwoFactor:
    """The second factors of one :class:`~flask_peewee.auth.Auth` (``auth.two_factor``)."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self._models: tuple[Any, Any] | None = None

    # -- set up ---------------------------------------------------------------------------

    def enabled(self) -> bool:
        """Whether the current app turned the feature on (False outside an app context)."""
        try:
            return enabled(current_app.config)
        except RuntimeError:
            return False

    @property
    def models(self) -> tuple[Any, Any]:
        """``(TwoFactorSecret, RecoveryCode)``, made on first use."""
        if self._models is None:
            self._models = make_factor_models(self.auth.db)
        return self._models

    def init_app(self, app: Flask) -> None:
        """Check the settings and libraries, make the models and create their tables (only when on)."""
        if not enabled(app.config):
            if required_for_admin(app.config):
                raise ImproperlyConfigured("FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN needs FLASK_PEEWEE_AUTH_2FA = True")
            return
        age = TWO_FACTOR_PENDING_AGE.get(app.config)
        if isinstance(age, bool) or not isinstance(age, int) or age < 1:
            raise ImproperlyConfigured(f"FLASK_PEEWEE_AUTH_2FA_PENDING_AGE must be a positive integer, got {age!r}")
        _check_libraries()
        from flask_peewee.auth._twofactor_cli import register_two_factor_commands

        register_two_factor_commands(self.auth)
        create_tables_when_reachable(app, self.auth.db, list(self.models))

    # -- reading a user's factor ----------------------------------------------------------

    def factor_of(self, user: Any) -> Any:
        """The confirmed :class:`TwoFactorSecret` row of ``user``, or None (one indexed query, cached per request)."""
        user_id = user_id_of(user)
        if user_id is None:
            return None
        cache = g.setdefault(_G_FACTOR, {}) if has_request_context() else {}
        if user_id not in cache:
            model = self.models[0]
            cache[user_id] = model.get_or_none(model.user_id == user_id, model.confirmed == True)  # noqa: E712
        return cache[user_id]

    def has_factor(self, user: Any) -> bool:
        """Whether ``user`` has a confirmed second factor (False when the feature is off: no query)."""
        return self.enabled() and self.factor_of(user) is not None

    def _forget_cached(self, user_id: int) -> None:
        if has_request_context():
            g.setdefault(_G_FACTOR, {}).pop(user_id, None)

    # -- codes ------------------------------------------------------------------------------

    def totp(self, secret: str) -> Any:
        """The ``pyotp.TOTP`` of ``secret``."""
        return _pyotp().TOTP(secret, interval=STEP)

    def _matching_step(self, secret: str, code: str, now: float | None = None) -> int | None:
        """The time step (within :data:`DRIFT` of now) whose code is ``code``, else None."""
        if not isinstance(code, str) or not _CODE.match(code):
            return None
        totp = self.totp(secret)
        current = int((time.time() if now is None else now) // STEP)
        found = None
        for step in range(current - DRIFT, current + DRIFT + 1):  # every step is compared: same time for all
            if hmac.compare_digest(totp.at(step * STEP), code):
                found = step
        return found

    def check_code(self, user: Any, code: str) -> bool:
        """Whether ``code`` is a TOTP code of ``user``'s confirmed factor not used before.

        The accepted time step is stored in the same statement that checks it is newer than
        the last one, so a code works once, even when two requests bring it at the same moment.
        """
        factor = self.factor_of(user)
        if factor is None:
            return False
        step = self._matching_step(factor.secret, code.strip() if isinstance(code, str) else code)
        if step is None:
            return False
        model = self.models[0]
        updated = model.update(last_step=step).where(model.id == factor.id, model.last_step < step).execute()
        if updated != 1:
            return False
        factor.last_step = step
        return True

    def check_recovery_code(self, user: Any, code: str) -> bool:
        """Whether ``code`` is an unused recovery code of ``user``; a matching code is used up."""
        user_id = user_id_of(user)
        if user_id is None or not isinstance(code, str) or len(code) > 64:
            return False
        model = self.models[1]
        rows = list(model.select(model.id, model.code_hash).where(model.user_id == user_id).tuples())
        message = _recovery_message(user_id, code)
        match = None
        for row_id, digest in rows:
            if digest_matches(digest, message, salt=_RECOVERY_SALT):
                match = row_id
        if match is None:
            return False
        return int(model.delete().where(model.id == match).execute()) == 1

    def check_any(self, user: Any, code: str) -> tuple[bool, bool]:
        """``(accepted, was a recovery code)``: six digits are a TOTP code, anything else a recovery code."""
        value = code.strip() if isinstance(code, str) else ""
        if is_totp_code(value):
            return self.check_code(user, value), False
        return self.check_recovery_code(user, value), True

    def recovery_codes_left(self, user: Any) -> int:
        """How many unused recovery codes ``user`` has."""
        model = self.models[1]
        return int(model.select().where(model.user_id == user_id_of(user)).count())

    # -- enrolment and removal -------------------------------------------------------------

    def pending_secret(self, user: Any) -> str:
        """The secret being enrolled for ``user`` (an unconfirmed row, made when missing)."""
        model = self.models[0]
        user_id = user_id_of(user)
        row = model.get_or_none(model.user_id == user_id)
        if row is not None and not row.confirmed:
            return str(row.secret)
        if row is not None:
            raise ValueError("this user already has a confirmed second factor")
        secret = _pyotp().random_base32(32)
        try:
            with self.auth.db.database.atomic():
                model.insert(user_id=user_id, secret=secret, confirmed=False).execute()
        except peewee.IntegrityError:  # made by another request at the same moment
            row = model.get(model.user_id == user_id)
            return str(row.secret)
        return secret

    def provisioning_uri(self, user: Any, secret: str) -> str:
        """The ``otpauth://`` URI an authenticator app reads from the QR code."""
        issuer = TWO_FACTOR_ISSUER.get(current_app.config) or current_app.name
        name = str(getattr(user, "username", None) or user_id_of(user))
        return str(self.totp(secret).provisioning_uri(name=name, issuer_name=str(issuer)))

    def qr_svg(self, uri: str) -> str:
        """``uri`` as a QR code in inline SVG (segno): no image request, no outside service."""
        import segno

        qr = segno.make(uri, error="m", micro=False)
        return str(qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", title="QR code"))

    def confirm(self, user: Any, code: str) -> list[str] | None:
        """Confirm the pending enrolment of ``user`` with ``code``; its new recovery codes, or None.

        In one transaction: the factor is confirmed, its time step stored (the code cannot be
        used again) and :data:`RECOVERY_CODES` recovery codes replace any older ones.
        """
        model = self.models[0]
        user_id = user_id_of(user)
        row = model.get_or_none(model.user_id == user_id, model.confirmed == False)  # noqa: E712
        if row is None:
            return None
        step = self._matching_step(row.secret, code.strip() if isinstance(code, str) else "")
        if step is None:
            return None
        with self.auth.db.database.atomic():
            done = (
                model.update(confirmed=True, last_step=step)
                .where(model.id == row.id, model.confirmed == False)  # noqa: E712
                .execute()
            )
            if done != 1:
                return None
            codes = self._replace_recovery_codes(user_id)
        if user_id is not None:
            self._forget_cached(user_id)
        return codes

    def regenerate_recovery_codes(self, user: Any) -> list[str]:
        """Replace ``user``'s recovery codes by :data:`RECOVERY_CODES` new ones (returned, shown once)."""
        user_id = user_id_of(user)
        if user_id is None:
            raise TypeError(f"second factors need a user with an integer id, got {user!r}")
        with self.auth.db.database.atomic():
            return self._replace_recovery_codes(user_id)

    def _replace_recovery_codes(self, user_id: Any) -> list[str]:
        model = self.models[1]
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        model.delete().where(model.user_id == user_id).execute()
        model.insert_many(
            [(user_id, keyed_digest(_recovery_message(user_id, code), salt=_RECOVERY_SALT)) for code in codes],
            fields=[model.user_id, model.code_hash],
        ).execute()
        return codes

    def remove(self, user: Any) -> Any:
        """Delete ``user``'s second factor and recovery codes (one transaction); the factor row deleted, or None."""
        secret_model, recovery_model = self.models
        user_id = user_id_of(user)
        with self.auth.db.database.atomic():
            row = secret_model.get_or_none(secret_model.user_id == user_id)
            if row is not None:
                row.delete_instance()
            recovery_model.delete().where(recovery_model.user_id == user_id).execute()
        if user_id is not None:
            self._forget_cached(user_id)
        return row

    def end_other_sessions(self, user: Any) -> None:
        """End ``user``'s login sessions on other devices and every remember-me token.

        The current session (if it is ``user``'s) stays.
        """
        user_id = user_id_of(user)
        sid = _sessions.current_sid() if has_request_context() else None
        self.auth._live.end_all(user, keep_sid=sid)
        if sid and session.get(_sessions.USER_PK) == user_id:
            _sessions.restamp(now_us())  # started after the cut-off just written: this session stays
        self.auth.revoke_remember_tokens(user_id)

    # -- the session: pending login and proof ------------------------------------------------

    def start_pending(self, user: Any, *, remember: bool) -> None:
        """Put only the pending marker in a fresh session: the password was right, the code is due."""
        user_id = user_id_of(user)
        age = int(TWO_FACTOR_PENDING_AGE.get(current_app.config))
        check = keyed_digest(self._pending_message(user_id, user), salt=_PENDING_SALT)
        session.clear()  # nothing of the anonymous session survives, as at a login
        session[PENDING] = [user_id, int(time.time()) + age, secrets.token_urlsafe(16), bool(remember), check]

    @staticmethod
    def _pending_message(user_id: Any, user: Any) -> str:
        return f"{user_id}\0{getattr(user, 'password', '') or ''}"

    def pending(self) -> tuple[Any, bool] | None:
        """``(user, remember)`` of this session's unexpired pending login, or None.

        A marker whose user is gone, inactive or has changed password since is dropped.
        """
        marker = session.get(PENDING)
        if not isinstance(marker, list) or len(marker) != 5:
            return None
        user_id, expires, _nonce, remember, check = marker
        if not isinstance(user_id, int) or not isinstance(expires, int) or expires < time.time():
            session.pop(PENDING, None)
            return None
        user_model = self.auth.User
        user = user_model.get_or_none(user_model._meta.primary_key == user_id)
        if (
            user is None
            or not getattr(user, "active", True)
            or not isinstance(check, str)
            or not digest_matches(check, self._pending_message(user_id, user), salt=_PENDING_SALT)
        ):
            session.pop(PENDING, None)
            return None
        return user, bool(remember)

    def drop_pending(self) -> None:
        """Forget the pending login (cancelled, or done)."""
        session.pop(PENDING, None)

    def mark_passed(self) -> None:
        """Record in the session that it passed a second factor (tied to its server-side session id)."""
        sid = _sessions.current_sid()
        if sid:
            session[PROOF] = session_key(sid)[:32]

    def passed(self) -> bool:
        """Whether this session passed a second factor since its login started."""
        sid = _sessions.current_sid()
        proof = session.get(PROOF)
        if not sid or not isinstance(proof, str):
            return False
        return hmac.compare_digest(proof, session_key(sid)[:32])

    def allows_basic(self, user: Any, *, admin: bool = False) -> bool:
        """Whether an HTTP Basic request of ``user`` may pass (it can carry no second factor).

        Refused for a user with a second factor (unless ``FLASK_PEEWEE_AUTH_2FA_ALLOW_BASIC``)
        and, with ``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN``, for ``admin``-level access.
        """
        if not self.enabled():
            return True
        config = current_app.config
        if admin and required_for_admin(config):
            return False
        if TWO_FACTOR_ALLOW_BASIC.get(config):
            return True
        return self.factor_of(user) is None
