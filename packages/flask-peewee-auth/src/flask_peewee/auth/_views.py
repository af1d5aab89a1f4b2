"""The login and logout views of :class:`~flask_peewee.auth.Auth`, as a mixin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from flask_peewee.auth._csrf import is_cross_site_request, validate_csrf_token
from flask_peewee.auth._i18n import CSRF_ERROR, N_, gettext, minutes
from flask_peewee.auth._throttle import LoginThrottle, LoginThrottled, retry_after_header
from flask_peewee.utils import safe_next_url

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from flask import Blueprint

    from flask_peewee.auth._remember import RememberMe
    from flask_peewee.auth._throttle import LoginOutcome

__all__ = ["AuthViews"]

LOGIN_ERROR = N_("Incorrect username or password")
THROTTLED = N_("Too many login attempts. Please wait %(minutes)s before trying again.")


class _Host(Protocol):
    """What :class:`AuthViews` expects of the class it is mixed into (:class:`~flask_peewee.auth.Auth`)."""

    login_throttle_model: Any
    blueprint: Blueprint
    _remember: RememberMe

    def get_login_form(self) -> type[Any]: ...
    def login_attempt(self, username: str, address: str | None = None) -> AbstractContextManager[LoginOutcome]: ...
    def authenticate(self, username: str, password: str) -> Any: ...
    def login_user(self, user: Any) -> None: ...
    def remember_user(self, user: Any) -> None: ...
    def logout_user(self, user: Any = None) -> None: ...
    def second_factor_challenge(self, user: Any, form: Any = None) -> Any: ...
    # the views' own helpers
    def get_next_url(self) -> str: ...
    def get_default_next_url(self) -> str: ...
    def _render(
        self, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> tuple[str, int, dict[str, str]]: ...


class AuthViews:
    """Views and redirect helpers; :class:`Auth` supplies the model, forms and session methods."""

    default_next_url = "homepage"

    # -- redirects ------------------------------------------------------------------

    def get_default_next_url(self) -> str:
        """Where to go after login or logout without a usable ``next``.

        ``default_next_url`` is an endpoint name (or a path starting with ``/``); when the app
        has no such endpoint, ``/``.
        """
        target = self.default_next_url
        if target.startswith("/"):
            return target
        try:
            return url_for(target)
        except BuildError:
            return "/"

    def get_next_url(self: _Host) -> str:
        """The ``next`` of the request when it stays on this site, else the default.

        A ``next`` pointing at the login or logout view itself is ignored too: after logging
        in, the user would land on the login form again.
        """
        target = request.args.get("next") or request.form.get("next")
        default = self.get_default_next_url()
        url = safe_next_url(target, default)
        own = set()
        for view in ("login", "logout"):
            try:
                own.add(url_for(f"{self.blueprint.name}.{view}").rstrip("/"))
            except BuildError:  # an app whose get_urls() left the view out
                continue
        return default if urlsplit(url).path.rstrip("/") in own else url

    # -- views ----------------------------------------------------------------------

    def refuse_cross_site(self) -> None:
        """Before every auth view: a POST the browser marks as cross-site gets a 403."""
        if request.method not in ("GET", "HEAD", "OPTIONS") and is_cross_site_request():
            abort(403, description="Cross-site form submissions are not accepted.")

    def _throttle(self: _Host) -> LoginThrottle | None:
        from flask import current_app

        return LoginThrottle.for_app(current_app, self.login_throttle_model, self.blueprint.name)

    def login(self: _Host) -> Any:
        """Show the login form; on a valid POST log the user in and redirect to ``next``."""
        form_class = self.get_login_form()
        status, error = 200, None
        headers: dict[str, str] = {}
        if request.method == "POST":
            form = form_class(request.form)
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            elif form.validate():
                username, password = form.username.data, form.password.data
                try:
                    with self.login_attempt(username) as outcome:
                        user = self.authenticate(username, password)
                        outcome.report(user)
                except LoginThrottled as refused:
                    error = gettext(THROTTLED, minutes=minutes(refused.wait))
                    status, headers = 429, {"Retry-After": retry_after_header(refused.wait)}
                else:
                    if user:
                        self._remember.forget()
                        challenge = self.second_factor_challenge(user, form)  # two-factor: the code comes next
                        if challenge is not None:
                            return challenge
                        self.login_user(user)
                        if getattr(getattr(form, "remember", None), "data", False) is True:
                            self.remember_user(user)
                        flash(gettext("You are logged in as %(user)s", user=user), "success")
                        return redirect(self.get_next_url())
                    error = gettext(LOGIN_ERROR)
        else:
            form = form_class()
        login_url = url_for(f"{self.blueprint.name}.login")
        return self._render(
            "auth/login.html", form=form, error=error, status=status, headers=headers, login_url=login_url
        )

    def logout(self: _Host) -> Any:
        """GET: a confirm form posting to the same URL; POST: log out and redirect to ``next``."""
        error = None
        if request.method == "POST":
            if validate_csrf_token():
                self.logout_user()
                flash(gettext("You are now logged out"), "success")
                return redirect(self.get_next_url())
            error = gettext(CSRF_ERROR)
        return self._render("auth/logout.html", error=error)

    def _render(
        self, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> tuple[str, int, dict[str, str]]:
        next_value = request.values.get("next", "")
        next_value = next_value if next_value and len(next_value) <= 2048 else ""
        if context.get("error"):
            # The original flashed its errors (category "danger"); templates show flashed
            # messages through base.html, ours included. ``error`` is passed as well.
            flash(context["error"], "danger")
        body = render_template(template, next=next_value, auth=self, **context)
        return body, status, headers or {}
