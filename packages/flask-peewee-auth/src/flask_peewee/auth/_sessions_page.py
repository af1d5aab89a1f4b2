"""The "Your sessions" page (``FLASK_PEEWEE_AUTH_SESSIONS_PAGE``): the user's logins and remember-me devices.

The rows of ``fp_auth_session`` and ``fp_remember_token`` are the truth: ending one deletes
its row, and every worker on every host checks that row on each request, so the ended login
is refused at its next request wherever it comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app, flash, redirect, request, url_for

from flask_peewee.auth import _sessions
from flask_peewee.auth._csrf import validate_csrf_token
from flask_peewee.auth._i18n import CSRF_ERROR, N_, gettext, ngettext
from flask_peewee.auth._live_sessions import LiveSessions, session_key
from flask_peewee.auth._models import utcnow
from flask_peewee.auth._settings import SESSIONS_PAGE
from flask_peewee.db import use_primary
from flask_peewee.utils import get_next

if TYPE_CHECKING:
    from flask import Blueprint

    from flask_peewee.auth._remember import RememberMe

__all__ = ["SessionsPage", "sessions_page_urls"]

NOT_YOURS = N_("That session has already ended or is not one of yours.")


class _Host(Protocol):
    """What :class:`SessionsPage` expects of :class:`~flask_peewee.auth.Auth`."""

    blueprint: Blueprint
    AuthSession: Any
    RememberToken: Any
    _remember: RememberMe
    _live: LiveSessions

    def get_logged_in_user(self) -> Any: ...
    def _render_sessions(
        self, user: Any, now: Any, current_key: str | None, current_selector: str | None, error: str | None
    ) -> Any: ...
    def logout_user(self, user: Any = None) -> None: ...
    def _render(
        self, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
    ) -> tuple[str, int, dict[str, str]]: ...


def sessions_page_urls(auth: Any) -> tuple[tuple[str, Any], ...]:
    """``(("/sessions/", auth.sessions),)`` when the app being set up has the page on, else nothing (no route)."""
    app = auth.app
    if app is None or not SESSIONS_PAGE.get(app.config):
        return ()
    return (("/sessions/", auth.sessions),)


def _row_id(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


class SessionsPage:
    """The ``sessions`` view of :class:`~flask_peewee.auth.Auth` (a mixin)."""

    def sessions(self: _Host) -> Any:
        """List the user's live sessions and remember-me devices; POST ends one, or all but this browser's."""
        if not SESSIONS_PAGE.get(current_app.config):  # the route of an app with the page, served to another
            return current_app.make_response(("Not Found", 404))
        user = self.get_logged_in_user()
        if user is None:
            return redirect(url_for(f"{self.blueprint.name}.login", next=get_next()))
        here = url_for(f"{self.blueprint.name}.sessions")
        sessions, tokens = self.AuthSession, self.RememberToken
        sid = _sessions.current_sid()
        current_key = session_key(sid) if sid else None
        current_selector = self._remember.current_selector()
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            else:
                do = request.form.get("do")
                row = _row_id(request.form.get("id"))
                mine_s = sessions.user_id == user.get_id()
                mine_t = tokens.user_id == user.get_id()
                if do == "end_session" and row is not None:
                    ended = sessions.select(sessions.key).where(mine_s, sessions.id == row).scalar()
                    if ended is None:
                        error = gettext(NOT_YOURS)
                    elif ended == current_key:
                        self.logout_user(user)
                        flash(gettext("This session is ended: you are logged out."), "success")
                        return redirect(url_for(f"{self.blueprint.name}.login"))
                    else:
                        sessions.delete().where(mine_s, sessions.id == row).execute()
                        flash(gettext("The session is ended."), "success")
                        return redirect(here)
                elif do == "end_device" and row is not None:
                    selector = tokens.select(tokens.selector).where(mine_t, tokens.id == row).scalar()
                    if selector is None:
                        error = gettext(NOT_YOURS)
                    else:
                        tokens.delete().where(mine_t, tokens.id == row).execute()
                        if selector == current_selector:
                            self._remember.forget()  # and this browser's cookie goes too
                        flash(gettext("The remembered device is forgotten."), "success")
                        return redirect(here)
                elif do == "end_others":
                    others_t = tokens.delete().where(mine_t)
                    if current_selector is not None:
                        others_t = others_t.where(tokens.selector != current_selector)
                    with sessions._meta.database.atomic():
                        # the listed rows, and the cut-off for sessions started while the page was off
                        count = self._live.end_all(user, keep_sid=sid) + others_t.execute()
                    flash(ngettext("Ended %(num)d other session.", "Ended %(num)d other sessions.", count), "success")
                    return redirect(here)
                else:
                    error = gettext(NOT_YOURS)
        now = utcnow()
        with use_primary():  # what was just ended is gone from the list, replicas or not
            return self._render_sessions(user, now, current_key, current_selector, error)

    def _render_sessions(
        self: _Host, user: Any, now: Any, current_key: str | None, current_selector: str | None, error: str | None
    ) -> Any:
        sessions, tokens = self.AuthSession, self.RememberToken
        live = list(
            sessions.select(
                sessions.id,
                sessions.key,
                sessions.created,
                sessions.last_used,
                sessions.remote_addr,
                sessions.user_agent,
            )
            .where(sessions.user_id == user.get_id(), sessions.expires > now)
            .order_by(sessions.created.desc(), sessions.id.desc())
        )
        devices = list(
            tokens.select(
                tokens.id, tokens.selector, tokens.created, tokens.last_used, tokens.remote_addr, tokens.user_agent
            )
            .where(tokens.user_id == user.get_id(), tokens.expires > now)
            .order_by(tokens.created.desc(), tokens.id.desc())
        )
        return self._render(
            "auth/sessions.html",
            sessions=live,
            devices=devices,
            current_key=current_key,
            current_selector=current_selector,
            error=error,
        )
