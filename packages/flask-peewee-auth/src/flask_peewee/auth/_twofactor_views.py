"""The two-factor views and hooks of :class:`~flask_peewee.auth.Auth`, as a mixin.

Routes exist only when ``FLASK_PEEWEE_AUTH_2FA`` is on (:meth:`TwoFactorViews.two_factor_urls`):
``<prefix>/two-factor/`` (settings), ``/two-factor/enrol/`` and ``/two-factor/verify/`` (the
code after the password, or a step up for a session that has not passed the second factor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app, flash, redirect, request, url_for

from flask_peewee.auth._csrf import validate_csrf_token
from flask_peewee.auth._i18n import CSRF_ERROR, N_, THROTTLED, gettext, minutes, ngettext
from flask_peewee.auth._throttle import LoginThrottled, retry_after_header
from flask_peewee.auth._twofactor import enabled, is_totp_code, required_for_admin
from flask_peewee.auth._twofactor_forms import CodeForm, PasswordConfirmForm
from flask_peewee.utils import get_next

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from flask import Blueprint
    from werkzeug.wrappers import Response

    from flask_peewee.auth._throttle import LoginOutcome
    from flask_peewee.auth._twofactor import TwoFactor

__all__ = ["TwoFactorViews"]

CODE_ERROR = N_("That code is not valid. Enter the current code of your authenticator app, or a recovery code.")
ENROL_ERROR = N_("That code is not valid. Check the time of your device and enter the current code.")
PASSWORD_ERROR = N_("Incorrect password")
ADMIN_NEEDS_2FA = N_("The administration requires two-factor authentication: set it up to continue.")
_NO_STORE = {"Cache-Control": "no-store"}


class _Host(Protocol):
    """What :class:`TwoFactorViews` expects of :class:`~flask_peewee.auth.Auth`."""

    blueprint: Blueprint
    two_factor: TwoFactor

    def login_attempt(self, username: str, address: str | None = None) -> AbstractContextManager[LoginOutcome]: ...
    def login_user(self, user: Any) -> None: ...
    def remember_user(self, user: Any) -> None: ...
    def get_logged_in_user(self) -> Any: ...
    def get_next_url(self) -> str: ...
    def end_all_sessions(self, user: Any) -> int: ...
    def revoke_remember_tokens(self, user: Any) -> int: ...
    def _render(
        self, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> tuple[str, int, dict[str, str]]: ...
    def _two_factor_url(self, view: str, **values: Any) -> str: ...
    def _checked(self, user: Any, check: Callable[[], Any]) -> tuple[Any, str | None, int, dict[str, str]]: ...


def _username(user: Any) -> str:
    return str(getattr(user, "username", None) or user.get_id())


class TwoFactorViews:
    """Two-factor views, the login hook and the checks the admin and REST packages call."""

    def two_factor_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The ``(url, view)`` pairs of the two-factor views: none unless the app being set up turned it on."""
        host: Any = self  # the Auth this is mixed into
        app = getattr(host, "app", None)
        if app is None or not enabled(app.config):
            return ()
        return (
            ("/two-factor/", host.two_factor_settings),
            ("/two-factor/enrol/", host.two_factor_enrol),
            ("/two-factor/verify/", host.two_factor_verify),
        )

    def _two_factor_url(self: _Host, view: str, **values: Any) -> str:
        return url_for(f"{self.blueprint.name}.{view}", **values)

    # -- hooks ----------------------------------------------------------------------------

    def second_factor_challenge(self: _Host, user: Any, form: Any = None) -> Response | None:
        """Called by the login view once the password is right: a redirect to the code page, or None.

        None (log in now) when the feature is off (no query) or ``user`` has no second factor
        (one indexed query). Otherwise the session keeps only a pending marker.
        """
        if not self.two_factor.enabled() or self.two_factor.factor_of(user) is None:
            return None
        remember = getattr(getattr(form, "remember", None), "data", False) is True
        self.two_factor.start_pending(user, remember=remember)
        return redirect(self._two_factor_url("two_factor_verify", next=self.get_next_url()))

    def second_factor_gate(self: _Host, user: Any) -> Response | None:
        """For the admin site: None to let ``user`` in, or a redirect (to enrolment or to the code page).

        Only with ``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN``: a user without a second factor is
        sent to enrol one, a session that has not passed it to enter a code. Costs nothing when off.
        """
        if not self.two_factor.enabled() or not required_for_admin(current_app.config):
            return None
        if self.two_factor.factor_of(user) is None:
            flash(gettext(ADMIN_NEEDS_2FA), "warning")
            return redirect(self._two_factor_url("two_factor_enrol", next=get_next()))
        if not self.two_factor.passed():
            return redirect(self._two_factor_url("two_factor_verify", next=get_next()))
        return None

    def allows_basic_login(self: _Host, user: Any, *, admin: bool = False) -> bool:
        """For the REST API: whether HTTP Basic credentials of ``user`` may pass (see ``TwoFactor.allows_basic``)."""
        return self.two_factor.allows_basic(user, admin=admin)

    def reset_second_factor(self: _Host, user: Any, *, source: str = "app", actor: Any = None) -> bool:
        """Remove ``user``'s second factor and recovery codes, audited, and end all the user's sessions.

        For administrators (``flask fp reset-2fa``); whether there was a factor to remove.
        """
        with self.two_factor.auth.db.database.atomic():
            row = self.two_factor.remove(user)
            if row is not None:
                self.two_factor.auth.audit.record("delete", row, source=source, user=actor)
        self.end_all_sessions(user)
        self.revoke_remember_tokens(user)
        return row is not None

    # -- views ----------------------------------------------------------------------------

    def _checked(self: _Host, user: Any, check: Callable[[], Any]) -> tuple[Any, str | None, int, dict[str, str]]:
        """``check()`` as one attempt under the login throttle: ``(result, error, status, headers)``."""
        try:
            with self.login_attempt(_username(user)) as outcome:
                result = check()
                outcome.report(result)
        except LoginThrottled as refused:
            message = gettext(THROTTLED, minutes=minutes(refused.wait))
            return None, message, 429, {"Retry-After": retry_after_header(refused.wait), **_NO_STORE}
        return result, None, 200, dict(_NO_STORE)

    def two_factor_verify(self: _Host) -> Any:
        """The code after the password (a pending login), or a step up for a logged-in session."""
        pending = self.two_factor.pending()
        user = pending[0] if pending else self.get_logged_in_user()
        if user is None or self.two_factor.factor_of(user) is None:
            return redirect(url_for(f"{self.blueprint.name}.login", next=request.values.get("next") or None))
        if pending is None and self.two_factor.passed():
            return redirect(self.get_next_url())
        form = CodeForm(request.form if request.method == "POST" else None)
        error, status, headers = None, 200, dict(_NO_STORE)
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                answer, error, status, headers = self._checked(
                    user, lambda: self.two_factor.check_any(user, form.code.data or "")[0]
                )
                if answer:
                    if pending is not None:
                        self.two_factor.drop_pending()
                        self.login_user(user)
                        if pending[1]:
                            self.remember_user(user)
                    self.two_factor.mark_passed()
                    if not is_totp_code(form.code.data):
                        left = self.two_factor.recovery_codes_left(user)
                        flash(
                            ngettext(
                                "You used a recovery code: %(num)d left.",
                                "You used a recovery code: %(num)d left.",
                                left,
                            ),
                            "warning",
                        )
                    flash(gettext("You are logged in as %(user)s", user=user), "success")
                    return redirect(self.get_next_url())
                error = error or gettext(CODE_ERROR)
        return self._render(
            "auth/twofactor_verify.html", form=form, error=error, status=status, headers=headers, pending=pending
        )

    def two_factor_enrol(self: _Host) -> Any:
        """Enrol a second factor: a QR code (inline SVG) and the secret; confirm one code to switch it on."""
        user = self.get_logged_in_user()
        if user is None:
            return redirect(url_for(f"{self.blueprint.name}.login", next=get_next()))
        if self.two_factor.factor_of(user) is not None:
            return redirect(self._two_factor_url("two_factor_settings"))
        form = CodeForm(request.form if request.method == "POST" else None)
        error, status, headers = None, 200, dict(_NO_STORE)
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                codes, error, status, headers = self._checked(
                    user, lambda: self.two_factor.confirm(user, form.code.data or "")
                )
                if codes:
                    self.two_factor.end_other_sessions(user)
                    self.two_factor.mark_passed()
                    flash(gettext("Two-factor authentication is on."), "success")
                    return self._render(
                        "auth/twofactor_codes.html", codes=codes, headers=headers, continue_url=self.get_next_url()
                    )
                error = error or gettext(ENROL_ERROR)
        secret = self.two_factor.pending_secret(user)
        uri = self.two_factor.provisioning_uri(user, secret)
        return self._render(
            "auth/twofactor_enrol.html",
            form=form,
            error=error,
            status=status,
            headers=headers,
            secret=secret,
            qr_svg=self.two_factor.qr_svg(uri),
        )

    def two_factor_settings(self: _Host) -> Any:
        """The logged-in user's second factor: enrol, or (current password) regenerate codes or switch it off."""
        user = self.get_logged_in_user()
        if user is None:
            return redirect(url_for(f"{self.blueprint.name}.login", next=get_next()))
        factor = self.two_factor.factor_of(user)
        if factor is not None and not self.two_factor.passed():
            return redirect(self._two_factor_url("two_factor_verify", next=get_next()))
        form = PasswordConfirmForm(request.form if request.method == "POST" else None)
        error, status, headers = None, 200, dict(_NO_STORE)
        if request.method == "POST" and factor is not None:
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                ok, error, status, headers = self._checked(user, lambda: user.check_password(form.password.data))
                if ok and form.action.data == "regenerate":
                    codes = self.two_factor.regenerate_recovery_codes(user)
                    flash(gettext("New recovery codes: the old ones no longer work."), "success")
                    return self._render(
                        "auth/twofactor_codes.html",
                        codes=codes,
                        headers=headers,
                        continue_url=self._two_factor_url("two_factor_settings"),
                    )
                if ok:
                    self.two_factor.remove(user)
                    self.two_factor.end_other_sessions(user)
                    flash(gettext("Two-factor authentication is off."), "success")
                    return redirect(self._two_factor_url("two_factor_settings"))
                error = error or gettext(PASSWORD_ERROR)
        left = self.two_factor.recovery_codes_left(user) if factor is not None else 0
        return self._render(
            "auth/twofactor_settings.html",
            form=form,
            error=error,
            status=status,
            headers=headers,
            factor=factor,
            recovery_left=left,
        )
