"""Account self-service views, each switched on by config: sign-up (with optional confirmation by
mail), password reset by mail, change password and change email (confirmed at the new address).

Off (the default), a feature has no route and costs nothing. The views are methods of
:class:`~flask_peewee.auth.Auth` (this mixin), so a subclass can override any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import peewee
from flask import current_app, flash, redirect, request, url_for

from flask_peewee.auth._account_forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignupForm,
    normalize_email,
)
from flask_peewee.auth._account_support import (
    account_link,
    confirm_age,
    email_taken,
    enabled_features,
    get_user,
    reset_age,
    user_by_email,
    username_taken,
)
from flask_peewee.auth._csrf import validate_csrf_token
from flask_peewee.auth._i18n import CSRF_ERROR, N_, THROTTLED, gettext, minutes
from flask_peewee.auth._mail import build_message, deliver
from flask_peewee.auth._policy import form_password_problems
from flask_peewee.auth._signals import password_changed, send_signal, user_created
from flask_peewee.auth._throttle import LoginThrottled, retry_after_header
from flask_peewee.auth._tokens import make_token, read_token, state_digest, state_matches
from flask_peewee.db import use_primary
from flask_peewee.utils import get_next
from flask_peewee.utils.internal import unique_violation

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from flask import Blueprint

    from flask_peewee.auth._audit import AuditLog
    from flask_peewee.auth._remember import RememberMe
    from flask_peewee.auth._throttle import LoginOutcome
    from flask_peewee.db import Database

__all__ = ["AccountViews"]

BAD_LINK = N_("This link is invalid or has expired.")
TAKEN_USERNAME = N_("This username is already taken.")
TAKEN_EMAIL = N_("An account with this email address already exists.")
WRONG_PASSWORD = N_("Incorrect password.")
_DUMMY_HASH = "$flask-peewee$no-such-user"


def _add_errors(field: Any, errors: list[str]) -> None:
    field.errors = [*field.errors, *errors]


class _Host(Protocol):
    """What :class:`AccountViews` expects of the class it is mixed into (:class:`~flask_peewee.auth.Auth`)."""

    User: Any
    db: Database
    audit: AuditLog
    blueprint: Blueprint
    _remember: RememberMe

    def get_logged_in_user(self) -> Any: ...
    def login_attempt(self, username: str, address: str | None = None) -> AbstractContextManager[LoginOutcome]: ...
    def login_user(self, user: Any) -> None: ...
    def start_session(self, user: Any, *, fresh: bool = True) -> None: ...
    def end_all_sessions(self, user: Any) -> int: ...
    def revoke_remember_tokens(self, user: Any) -> int: ...
    def get_next_url(self) -> str: ...
    def get_default_next_url(self) -> str: ...
    def confirm_signup_url(self, user: Any) -> str: ...
    def reset_password_url(self, user: Any) -> str: ...
    def confirm_email_url(self, user: Any, email: str) -> str: ...
    def _render(
        self, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> tuple[str, int, dict[str, str]]: ...


def _throttled_page(host: _Host, template: str, refused: LoginThrottled, **context: Any) -> Any:
    error = gettext(THROTTLED, minutes=minutes(refused.wait))
    headers = {"Retry-After": retry_after_header(refused.wait)}
    return host._render(template, status=429, headers=headers, error=error, **context)


def _message_page(host: _Host, title: str, message: str, *, status: int = 200) -> Any:
    return host._render("auth/message.html", status=status, title=title, message=message)


def _endpoint(host: _Host, view: str) -> str:
    return f"{host.blueprint.name}.{view}"


class AccountViews:
    """The sign-up, password reset, change password and change email views (see the module)."""

    def get_account_urls(self, config: Mapping[str, Any]) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The ``(url, view)`` pairs of the account features ``config`` switches on (none by default)."""
        features = enabled_features(config)
        views: Any = self  # the views below are typed for their host, Auth
        urls: list[tuple[str, Callable[..., Any]]] = []
        if "signup" in features:
            urls.append(("/signup/", views.signup))
        if "confirm" in features:
            urls.append(("/signup/confirm/<token>/", views.confirm_signup))
        if "reset" in features:
            urls.append(("/password/forgot/", views.forgot_password))
            urls.append(("/password/reset/<token>/", views.reset_password))
        if "password" in features:
            urls.append(("/password/change/", views.change_password))
        if "email" in features:
            urls.append(("/email/change/", views.change_email))
            urls.append(("/email/confirm/<token>/", views.confirm_email))
        return tuple(urls)

    def confirm_signup_url(self: _Host, user: Any) -> str:
        """The absolute confirmation link of ``user``'s sign-up, as mailed (``FLASK_PEEWEE_CONFIRM_TOKEN_AGE``)."""
        digest = state_digest("signup", user.get_id(), user.password, user.email)
        return account_link(_endpoint(self, "confirm_signup"), token=make_token("signup", [user.get_id(), digest]))

    def reset_password_url(self: _Host, user: Any) -> str:
        """The absolute password reset link of ``user``, as mailed: for an invitation or a support desk, say."""
        digest = state_digest("reset", user.get_id(), user.password)
        return account_link(_endpoint(self, "reset_password"), token=make_token("reset", [user.get_id(), digest]))

    def confirm_email_url(self: _Host, user: Any, email: str) -> str:
        """The absolute link that makes ``email`` the address of ``user``, as mailed to that address."""
        digest = state_digest("email", user.get_id(), user.email, user.password)
        return account_link(_endpoint(self, "confirm_email"), token=make_token("email", [user.get_id(), email, digest]))

    def has_account_view(self: _Host, view: str) -> bool:
        """Whether the account view ``view`` (``"signup"``, ``"forgot_password"``, ...) is on for this app."""
        return _endpoint(self, view) in current_app.view_functions

    # -- sign-up --------------------------------------------------------------------

    def signup(self: _Host) -> Any:
        """Sign-up form: username, email, password; uniqueness and the password policy are form errors.

        With ``FLASK_PEEWEE_SIGNUP_CONFIRM`` the account is created inactive and a confirmation
        link is mailed; without it the new user is logged in at once. Every valid submission
        counts on the login throttle of the client's address.
        """
        form = SignupForm(request.form) if request.method == "POST" else SignupForm()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                try:
                    with use_primary(), self.login_attempt(f"\0signup\0{request.remote_addr or ''}") as outcome:
                        outcome.failed()  # every sign-up counts: it bounds accounts made per address
                        user = _create_account(self, form)
                except LoginThrottled as refused:
                    return _throttled_page(self, "auth/signup.html", refused, form=form)
                if user is not None:
                    return _after_signup(self, user)
        return self._render("auth/signup.html", form=form, error=error)

    def confirm_signup(self: _Host, token: str) -> Any:
        """The mailed sign-up link: activates the account, then on to the login form."""
        values = read_token("signup", token, confirm_age())
        user = None
        if values is not None and len(values) == 2:
            with use_primary():
                user = get_user(self.User, values[0])
            if user is not None and not state_matches(values[1], "signup", user.get_id(), user.password, user.email):
                user = None
        if user is None:
            return _message_page(self, gettext("Confirm your account"), gettext(BAD_LINK), status=400)
        if not user.active:
            before = self.audit.snapshot(user)
            user.active = True
            with self.db.database.atomic():
                user.save(only=[self.User.active])
                self.audit.record("change", user, before=before, source="signup-confirm", user=user)
        flash(gettext("Your account is confirmed. You can log in now."), "success")
        return redirect(url_for(_endpoint(self, "login")))

    # -- password reset -------------------------------------------------------------

    def forgot_password(self: _Host) -> Any:
        """Ask for a reset link: the same answer, and the same work, whether or not the address is known.

        Each request counts on the login throttle (per address and per email), so it answers
        429 with ``Retry-After`` when repeated too often.
        """
        form = ForgotPasswordForm(request.form) if request.method == "POST" else ForgotPasswordForm()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                email = normalize_email(form.email.data)
                try:
                    with use_primary(), self.login_attempt(f"\0reset\0{email.lower()}") as outcome:
                        outcome.failed()  # every request counts: it bounds the mail sent
                        _send_reset_link(self, email)
                except LoginThrottled as refused:
                    return _throttled_page(self, "auth/forgot_password.html", refused, form=form)
                return _message_page(
                    self,
                    gettext("Check your email"),
                    gettext("If an account uses this address, we sent it a link to choose a new password."),
                )
        return self._render("auth/forgot_password.html", form=form, error=error)

    def reset_password(self: _Host, token: str) -> Any:
        """The mailed reset link: a new password (twice); afterwards every session of the user ends."""
        values = read_token("reset", token, reset_age())
        user = None
        if values is not None and len(values) == 2:
            with use_primary():
                user = get_user(self.User, values[0])
            if user is not None and (
                not getattr(user, "active", True) or not state_matches(values[1], "reset", user.get_id(), user.password)
            ):
                user = None
        if user is None:
            return _message_page(self, gettext("Choose a new password"), gettext(BAD_LINK), status=400)
        form = ResetPasswordForm(request.form) if request.method == "POST" else ResetPasswordForm()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate() and _policy_allows(form, user.username, user.email):
                _store_password(self, user, str(form.password.data), source="reset")
                flash(gettext("Your password has been changed. You can log in with it now."), "success")
                return redirect(url_for(_endpoint(self, "login")))
        return self._render("auth/reset_password.html", form=form, error=error, account=user)

    # -- changes by the logged-in user ------------------------------------------------

    def change_password(self: _Host) -> Any:
        """The logged-in user changes the password (current one required); other sessions end."""
        user = self.get_logged_in_user()
        if user is None:
            return redirect(url_for(_endpoint(self, "login"), next=get_next()))
        form = ChangePasswordForm(request.form) if request.method == "POST" else ChangePasswordForm()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                try:
                    right = _check_current_password(self, user, str(form.current_password.data))
                except LoginThrottled as refused:
                    return _throttled_page(self, "auth/change_password.html", refused, form=form)
                if not right:
                    _add_errors(form.current_password, [gettext(WRONG_PASSWORD)])
                elif _policy_allows(form, user.username, user.email):
                    _store_password(self, user, str(form.password.data), source="change")
                    self._remember.forget()
                    self.start_session(user)  # this session goes on; every other one has ended
                    flash(gettext("Your password has been changed."), "success")
                    return redirect(url_for(_endpoint(self, "change_password")))
        return self._render("auth/change_password.html", form=form, error=error)

    def change_email(self: _Host) -> Any:
        """The logged-in user asks for a new address (current password required); a link goes to it."""
        user = self.get_logged_in_user()
        if user is None:
            return redirect(url_for(_endpoint(self, "login"), next=get_next()))
        form = ChangeEmailForm(request.form) if request.method == "POST" else ChangeEmailForm()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                try:
                    right = _check_current_password(self, user, str(form.current_password.data))
                except LoginThrottled as refused:
                    return _throttled_page(self, "auth/change_email.html", refused, form=form)
                email = normalize_email(form.email.data)
                if not right:
                    _add_errors(form.current_password, [gettext(WRONG_PASSWORD)])
                elif email.lower() == (user.email or "").lower():
                    _add_errors(form.email, [gettext("This is already your email address.")])
                elif email_taken(self.User, email, exclude=user.get_id()):
                    _add_errors(form.email, [gettext(TAKEN_EMAIL)])
                else:
                    link = self.confirm_email_url(user, email)
                    hours = max(1, confirm_age() // 3600)
                    deliver(build_message("change_email", email, user=user, link=link, email=email, hours=hours))
                    return _message_page(
                        self,
                        gettext("Check your email"),
                        gettext("We sent a link to %(email)s: open it to confirm the new address.", email=email),
                    )
        return self._render("auth/change_email.html", form=form, error=error)

    def confirm_email(self: _Host, token: str) -> Any:
        """The link mailed to the new address: it becomes the account's address."""
        values = read_token("email", token, confirm_age())
        user = None
        if values is not None and len(values) == 3 and isinstance(values[1], str):
            with use_primary():
                user = get_user(self.User, values[0])
            if user is not None and not state_matches(values[2], "email", user.get_id(), user.email, user.password):
                user = None
        if user is None:
            return _message_page(self, gettext("Confirm your email address"), gettext(BAD_LINK), status=400)
        email = values[1] if values is not None else ""
        if email_taken(self.User, email, exclude=user.get_id()):
            return _message_page(self, gettext("Confirm your email address"), gettext(TAKEN_EMAIL), status=409)
        before = self.audit.snapshot(user)
        user.email = email
        try:
            with self.db.database.atomic():
                user.save(only=[self.User.email])
                self.audit.record("change", user, before=before, source="change-email", user=user)
        except peewee.IntegrityError:  # a model with a unique email, taken a moment ago
            return _message_page(self, gettext("Confirm your email address"), gettext(TAKEN_EMAIL), status=409)
        flash(gettext("Your email address is now %(email)s.", email=email), "success")
        return redirect(self.get_default_next_url())


# -- helpers of the views ---------------------------------------------------------------


def _policy_allows(form: Any, username: str | None, email: str | None) -> bool:
    problems = form_password_problems(form.password.data, username=username, email=email)
    if problems:
        _add_errors(form.password, problems)
    return not problems


def _check_current_password(host: _Host, user: Any, password: str) -> bool:
    """One verification of the logged-in user's password, under the login throttle of its username."""
    with use_primary(), host.login_attempt(str(user.username)) as outcome:
        right = bool(user.check_password(password))
        outcome.report(right)
    return right


def _create_account(host: _Host, form: Any) -> Any:
    """The new user, or None with the reasons as form errors (uniqueness, even when two race)."""
    model = host.User
    username = form.username.data
    email = normalize_email(form.email.data)
    ok = _policy_allows(form, username, email)
    if username_taken(model, username):
        _add_errors(form.username, [gettext(TAKEN_USERNAME)])
        ok = False
    if email_taken(model, email):
        _add_errors(form.email, [gettext(TAKEN_EMAIL)])
        ok = False
    if not ok:
        return None
    user = model(username=username, email=email)
    if "confirm" in enabled_features(current_app.config):
        user.active = False
    user.set_password(form.password.data)
    try:
        with host.db.database.atomic():
            user.save(force_insert=True)
            host.audit.record("add", user, source="signup", user=user)
    except (peewee.IntegrityError, peewee.DataError) as exc:
        conflicts = unique_violation(user, exc)
        for fields in conflicts:
            field = getattr(form, fields[0], None) if len(fields) == 1 else None
            message = TAKEN_EMAIL if fields == ("email",) else TAKEN_USERNAME
            if field is not None:
                _add_errors(field, [gettext(message)])
        if not conflicts:
            _add_errors(form.username, [gettext("This account could not be created. Please check the fields.")])
        return None
    return user


def _after_signup(host: _Host, user: Any) -> Any:
    send_signal(user_created, user=user, source="signup")
    if user.active:
        host.login_user(user)
        flash(gettext("Welcome, %(username)s!", username=user.username), "success")
        return redirect(host.get_next_url())
    link = host.confirm_signup_url(user)
    hours = max(1, confirm_age() // 3600)
    deliver(build_message("signup_confirm", user.email, user=user, link=link, hours=hours))
    return _message_page(
        host,
        gettext("Check your email"),
        gettext("We sent a link to %(email)s: open it to confirm your account, then log in.", email=user.email),
    )


def _send_reset_link(host: _Host, email: str) -> None:
    """Mail a reset link when an active user has ``email``; otherwise the same work, sending nothing."""
    user = user_by_email(host.User, email)
    usable = user is not None and getattr(user, "active", True)
    if usable:
        user_pk, password_hash, recipient, name = user.get_id(), user.password, user.email, user.username
    else:
        user_pk, password_hash, recipient, name = 0, _DUMMY_HASH, email, email
    token = make_token("reset", [user_pk, state_digest("reset", user_pk, password_hash)])
    link = account_link(_endpoint(host, "reset_password"), token=token)
    minutes = max(1, reset_age() // 60)
    message = build_message("reset_password", recipient, username=name, link=link, minutes=minutes)
    deliver(message if usable else None)


def _store_password(host: _Host, user: Any, password: str, *, source: str) -> None:
    """Hash and save the new password, audited, and end every session and remember-me token of the user."""
    before = host.audit.snapshot(user)
    user.set_password(password)
    with host.db.database.atomic():
        user.save(only=[host.User.password])
        host.audit.record("change", user, before=before, source=f"password-{source}", user=user)
        host.end_all_sessions(user)
        host.revoke_remember_tokens(user)
    send_signal(password_changed, user=user, source=source)
