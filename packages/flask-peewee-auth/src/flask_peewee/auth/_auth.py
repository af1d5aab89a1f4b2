"""The :class:`Auth` extension."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import peewee
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    url_for,
)

from flask_peewee.auth import _sessions
from flask_peewee.auth._account_support import set_up_accounts
from flask_peewee.auth._accounts import AccountViews
from flask_peewee.auth._audit import AuditLog
from flask_peewee.auth._csrf import csrf_token
from flask_peewee.auth._devices import prepare as prepare_device_columns
from flask_peewee.auth._forms import LoginForm, RememberLoginForm
from flask_peewee.auth._groups import GroupMethods
from flask_peewee.auth._headers import add_security_headers
from flask_peewee.auth._i18n import gettext as auth_gettext
from flask_peewee.auth._i18n import ngettext as auth_ngettext
from flask_peewee.auth._keyless import require_secret_key
from flask_peewee.auth._live_sessions import LiveSessions
from flask_peewee.auth._models import (
    make_audit_model,
    make_grant_model,
    make_group_models,
    make_remember_model,
    make_session_end_model,
    make_session_model,
    make_throttle_model,
    make_user_model,
)
from flask_peewee.auth._permissions import (
    PermissionPolicy,
    add_grant,
    model_label,
    remove_grant,
    stored_grants,
    user_id_of,
)
from flask_peewee.auth._remember import RememberMe, remember_settings
from flask_peewee.auth._sessions_page import SessionsPage, sessions_page_urls
from flask_peewee.auth._settings import FRESH_LOGIN_AGE, REMEMBER_ME
from flask_peewee.auth._signals import send_signal, user_logged_in, user_logged_out, user_login_failed
from flask_peewee.auth._throttle import AuthUnavailable, LoginOutcome, LoginThrottle, settings_from_config
from flask_peewee.auth._twofactor import TwoFactor
from flask_peewee.auth._twofactor_views import TwoFactorViews
from flask_peewee.auth._views import AuthViews
from flask_peewee.db import ImproperlyConfigured, create_tables_when_reachable, get_database, use_primary
from flask_peewee.utils import get_next, needs_rehash
from flask_peewee.utils.internal import RowLookup, html_language

if TYPE_CHECKING:
    from flask_peewee.db import Database

__all__ = ["Auth", "get_auth"]

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "flask_peewee.auth"
_G_USER = "_flask_peewee_auth_user"
_ATTEMPT_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("flask_peewee_auth_attempt", default=False)


def _rollback_quietly(database: Any) -> None:
    """After a failed statement, leave the connection usable (PostgreSQL aborts the transaction)."""
    with contextlib.suppress(Exception):
        if not database.is_closed() and not database.in_transaction():
            database.rollback()


class Auth(GroupMethods, SessionsPage, AuthViews, AccountViews, TwoFactorViews):
    """Users, login and logout views, and the current user on every request.

    Usage::

        db = Database(app)
        auth = Auth(app, db)

        @app.route("/private/")
        @auth.login_required
        def private():
            return f"Hello {auth.get_logged_in_user().username}"

    In an app factory, ``auth = Auth(db=db)`` at import time and ``auth.init_app(app)``
    later (after ``db.init_app(app)``). The login and logout views are registered on a
    blueprint named ``name`` (``auth``) under ``prefix``.
    """

    def __init__(
        self,
        app: Flask | None = None,
        db: Database | None = None,
        user_model: type[peewee.Model] | None = None,
        prefix: str = "/accounts",
        db_table: str = "user",
        *,
        name: str = "auth",
        default_next_url: str | None = None,
        permission_policy: PermissionPolicy | type[PermissionPolicy] | None = None,
        clear_session: bool = True,
    ) -> None:
        if db is None and app is not None:
            db = get_database(app)
        if db is None:
            raise ImproperlyConfigured("Auth needs the Database: Auth(app, db) or Auth(db=db)")
        self.db = db
        self.prefix = prefix
        #: Kept from the original; logging out always clears the whole session here.
        self.clear_session = clear_session
        self._initialising: Flask | None = None
        self._last_app: weakref.ref[Flask] | None = None
        self.db_table = db_table
        if default_next_url is not None:
            self.default_next_url = default_next_url
        self.User: Any = user_model or self.get_user_model()
        self.login_throttle_model: Any = make_throttle_model(db)
        self.PermissionGrant: Any = make_grant_model(db)
        self.Group, self.GroupMember, self.GroupGrant = make_group_models(db)
        self.AuditEntry: Any = make_audit_model(db)
        self.RememberToken: Any = make_remember_model(db)
        self.AuthSession: Any = make_session_model(db)
        self.AuthSessionEnd: Any = make_session_end_model(db)
        if isinstance(permission_policy, type):
            permission_policy = permission_policy()
        self.permission_policy: PermissionPolicy = permission_policy or self.get_permission_policy()
        #: The audit log helper (:class:`AuditLog`).
        self.audit = AuditLog(self)
        self._remember = RememberMe(self)
        self._live = LiveSessions(self)
        self._by_name: tuple[Any, RowLookup] | None = None
        #: Two-factor authentication (:class:`~flask_peewee.auth._twofactor.TwoFactor`), off unless configured.
        self.two_factor = TwoFactor(self)
        self.blueprint = self.get_blueprint(name)
        # security hooks stay on the blueprint whatever the overridable methods below do
        self.blueprint.before_request(self.refuse_cross_site)
        self.blueprint.before_request(require_secret_key)
        self.blueprint.after_request(add_security_headers)
        self._routes_configured = False
        if app is not None:
            self.init_app(app)

    # -- models and forms -------------------------------------------------------------

    def get_user_model(self) -> type[peewee.Model]:
        """The user model: the default ``User`` on ``db.Model`` with table ``db_table``.

        Override it (in a subclass) to use your own model mixing in :class:`BaseUser`.
        """
        return make_user_model(self.db, self.db_table)

    def get_permission_policy(self) -> PermissionPolicy:
        """The policy used when none is passed to ``Auth``; override it in a subclass to change the default."""
        return PermissionPolicy()

    def get_login_form(self) -> type[Any]:
        """The WTForms form class of the login view (fields ``username`` and ``password``).

        With ``FLASK_PEEWEE_REMEMBER_ME`` true it also has a ``remember`` checkbox. A form of
        your own with a ``remember`` field turns remember-me on as well.
        """
        if has_app_context() and REMEMBER_ME.get(current_app.config):
            return RememberLoginForm
        return LoginForm

    def get_model_admin(self, model_admin: type | None = None) -> type:
        """A ``ModelAdmin`` subclass for the user model that hashes a changed password before saving.

        ``model_admin`` is the base class; only when it is omitted is it imported from
        ``flask_peewee.admin`` (which must then be installed).
        """
        from flask_peewee.auth._admin import user_model_admin

        if model_admin is None:
            from flask_peewee.admin import ModelAdmin  # the one allowed upward import, see DESIGN.md

            model_admin = ModelAdmin
        return user_model_admin(model_admin)

    def register_admin(self, admin: Any, model_admin: type | None = None) -> Any:
        """Register the user model with ``admin`` using :meth:`get_model_admin`."""
        base = model_admin or getattr(admin, "model_admin_class", None)
        takes_base = len(inspect.signature(self.get_model_admin).parameters) > 0
        admin_class = self.get_model_admin(base) if base is not None and takes_base else self.get_model_admin()
        return admin.register(self.User, admin_class)

    # -- views and app wiring ---------------------------------------------------------

    def get_blueprint(self, blueprint_name: str) -> Blueprint:
        """The blueprint holding the auth views and the ``auth/*.html`` templates."""
        return Blueprint(blueprint_name, __name__, url_prefix=self.prefix, template_folder="templates")

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The ``(url, view)`` pairs of the blueprint; extend it to add views."""
        app = self.app
        return (
            ("/logout/", self.logout),
            ("/login/", self.login),
            # sign-up, password reset, change password and email: only those the app's config switches on
            *(self.get_account_urls(app.config) if app is not None else ()),
            *sessions_page_urls(self),  # /sessions/ with FLASK_PEEWEE_AUTH_SESSIONS_PAGE, else nothing
        )

    def configure_routes(self) -> None:
        """Add every view of :meth:`get_urls` to the blueprint, for GET and POST (:meth:`setup` calls it once)."""
        for url, view in self.get_urls():
            self.blueprint.add_url_rule(url, view.__name__, view, methods=["GET", "POST"])
        for url, view in self.two_factor_urls():  # none unless FLASK_PEEWEE_AUTH_2FA
            self.blueprint.add_url_rule(url, view.__name__, view, methods=["GET", "POST"])

    def register_urls(self) -> None:
        """Same as :meth:`configure_routes` (the name earlier versions of this package used)."""
        self.configure_routes()

    @property
    def url_prefix(self) -> str:
        """The URL prefix of the auth views (the original's name for ``prefix``)."""
        return self.prefix

    @property
    def app(self) -> Flask | None:
        """The app being set up, else the current app, else the last app this Auth was set up on.

        Kept for the original's ``auth.app``; the app is never stored strongly.
        """
        if self._initialising is not None:
            return self._initialising
        if has_app_context():
            proxy: Any = current_app  # flask types the proxy as the Flask it stands for
            return cast(Flask, proxy._get_current_object())
        return self._last_app() if self._last_app is not None else None

    def register_blueprint(self, **kwargs: Any) -> None:
        """Register the blueprint on :attr:`app` (called by :meth:`setup`), under :attr:`url_prefix`.

        Another Auth with the same ``name`` already on the app is refused with
        :class:`ImproperlyConfigured`.
        """
        app = self._require_app()
        other = app.extensions.get(EXTENSION_KEY, {}).get(self.blueprint.name)
        if other is not None and other is not self:
            raise ImproperlyConfigured(f"An Auth named {self.blueprint.name!r} is already registered on this app")
        kwargs.setdefault("url_prefix", self.url_prefix)
        app.register_blueprint(self.blueprint, **kwargs)

    def register_handlers(self) -> None:
        """Put the logged-in user on ``g.user`` before every request of :attr:`app` (:meth:`load_user`)."""
        self._require_app().before_request(self.load_user)

    def register_context_processors(self) -> None:
        """Give every template of :attr:`app` the ``user`` variable (:meth:`get_context_user`)."""
        self._require_app().context_processor(self.get_context_user)

    def setup(self) -> None:
        """Register this Auth on the app being set up, as the original's ``setup()`` did.

        :meth:`init_app` (so ``Auth(app, db)``) calls it with :attr:`app` set. It runs
        :meth:`configure_routes` (once per Auth), :meth:`register_blueprint`,
        :meth:`register_handlers` and :meth:`register_context_processors`. An override
        replaces that registration, as in the original: one that does not call
        ``super().setup()`` (nor :meth:`register_blueprint`) leaves the app untouched. Called
        by hand outside ``init_app`` it does nothing.
        """
        if self._initialising is None:
            return
        if not self._routes_configured:
            self._routes_configured = True
            self.configure_routes()
        self.register_blueprint()
        self.register_handlers()
        self.register_context_processors()

    def _require_app(self) -> Flask:
        app = self.app
        if app is None:
            raise RuntimeError("this Auth is not set up on an app yet: Auth(app, db) or auth.init_app(app)")
        return app

    def init_app(self, app: Flask) -> None:
        """Set this Auth up on ``app``: :meth:`setup` with :attr:`app` set, then what goes with its blueprint.

        The default :meth:`setup` registers the views, the ``g.user`` hook and the template
        context. Once the blueprint is on the app, the ``csrf_token()`` template global, the
        remember-me cookie, the CLI commands and the tables auth owns follow; an override of
        :meth:`setup` that registers no blueprint gets none of it (nothing is registered).
        """
        registry = app.extensions.setdefault(EXTENSION_KEY, {})
        if registry.get(self.blueprint.name) is self:
            raise ImproperlyConfigured(f"An Auth named {self.blueprint.name!r} is already registered on this app")
        settings_from_config(app.config)  # refuse a bad throttle configuration at start-up
        remember_settings(app.config)
        set_up_accounts(app, self.User)  # refuse a configuration the account views cannot work with
        self._initialising = app
        try:
            self.setup()  # the original's __init__ ended with it: an override replaces the registration
        finally:
            self._initialising = None
        self._last_app = weakref.ref(app)
        if app.blueprints.get(self.blueprint.name) is not self.blueprint:
            return  # an overridden setup() registered nothing on this app
        registry[self.blueprint.name] = self
        app.after_request(self._remember.write_cookie)
        app.add_template_global(csrf_token, "csrf_token")
        # the package's own gettext domain under its own names: the app's ``_``/``gettext`` stay the app's
        app.add_template_global(auth_gettext, "auth_gettext")
        app.add_template_global(auth_ngettext, "auth_ngettext")
        app.add_template_global(html_language, "auth_language")
        from flask_peewee.auth._checks import register_checks
        from flask_peewee.auth._cli import register_commands
        from flask_peewee.auth._keyless import register_missing_key_page
        from flask_peewee.auth._migrate_check import register_migrate_checks

        register_commands(self)
        register_migrate_checks(app, self)
        register_checks(app)
        register_missing_key_page(app)
        self._create_library_tables(app)
        self.two_factor.init_app(app)

    def _create_library_tables(self, app: Flask) -> None:
        """Create the tables auth owns when missing (and build the throttle, importing redis if configured)."""
        models = [self.PermissionGrant, self.AuditEntry, self.RememberToken, self.AuthSession, self.AuthSessionEnd]
        models += [self.Group, self.GroupMember, self.GroupGrant]
        throttle = LoginThrottle.for_app(app, self.login_throttle_model, self.blueprint.name)
        if throttle is not None and throttle.settings.backend == "database":
            models.append(self.login_throttle_model)
        create_tables_when_reachable(app, self.db, models)
        prepare_device_columns(app, self)  # with the sessions page on: columns an older table lacks

    # -- permissions ------------------------------------------------------------------

    def has_permission(self, user: Any, model: Any, action: str, *, default: bool) -> bool:
        """Whether ``user`` may do ``action`` ("view", "add", "change", "delete", "export") on ``model``.

        Asks :attr:`permission_policy`; the default policy answers ``default`` or a stored grant.
        """
        return bool(self.permission_policy.has_permission(self, user, model, action, default=default))

    def has_grant(self, user: Any, model: Any, action: str) -> bool:
        """Whether a grant of ``action`` on ``model`` is stored for ``user`` (read once per request)."""
        user_id = user_id_of(user, self.User)
        if user_id is None:
            return False
        return (model_label(model), action) in stored_grants(self, user_id)

    def grant_permission(self, user: Any, model: Any, action: str, *, source: str | None = None) -> Any:
        """Store a grant letting ``user`` (a user, an id, or a group) do ``action`` on ``model``; return the grant.

        With ``source`` (``"admin"``, ``"cli"``) a new grant is recorded in the audit log.
        """
        if isinstance(user, self.Group):
            return self.grant_group_permission(user, model, action, source=source)
        return add_grant(self, user, model, action, source=source)

    def revoke_permission(self, user: Any, model: Any, action: str, *, source: str | None = None) -> bool:
        """Delete the grant of ``action`` on ``model`` for ``user`` (or a group); whether there was one."""
        if isinstance(user, self.Group):
            return self.revoke_group_permission(user, model, action, source=source)
        return remove_grant(self, user, model, action, source=source)

    # -- the current user -------------------------------------------------------------

    def load_user(self) -> None:
        """Before each request: put the logged-in user (or None) on ``g.user``."""
        endpoint = request.endpoint or ""
        if endpoint.rpartition(".")[2] == "static":
            return
        g.user = self.get_logged_in_user()

    def get_context_user(self) -> dict[str, Any]:
        """Template context: the logged-in user as ``user`` (None when anonymous)."""
        return {"user": self.get_logged_in_user()}

    def get_logged_in_user(self) -> Any:
        """The logged-in user, or None when anonymous (or outside a request).

        The session must still match the user: an inactive user, a deleted one, one whose
        password hash changed since this session logged in, or a session ended on the server
        (a logout elsewhere) is logged out here. A database that cannot be reached raises
        :class:`AuthUnavailable` (a 503) and keeps the session.
        """
        if not has_request_context():
            return None
        cache = g.get(_G_USER)
        if cache is not None and cache[0] is self:
            return cache[1]
        with use_primary():  # a logout elsewhere or a password change must end this session at once
            user = self._user_from_session()
        setattr(g, _G_USER, (self, user))
        return user

    def _user_from_session(self) -> Any:
        user = self._user_from_stored_login()
        if user is None and self._remember.enabled():
            user = self._remember.restore()
        return user

    def _user_from_stored_login(self) -> Any:
        stored = _sessions.stored_login()
        if stored is None:
            return None
        user_pk, token, _login_time, sid, since = stored
        try:
            user = self._live.user(user_pk, sid, since) if sid else None
        except (peewee.DataError, ValueError, TypeError):  # a user id this column cannot hold
            _rollback_quietly(self.db.database)
            user = None
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            # an outage is a 503, never a logout: the session stays as it is
            _rollback_quietly(self.db.database)
            raise AuthUnavailable() from exc
        if (
            user is None
            or not getattr(user, "active", True)
            or not _sessions.token_matches(token, user_pk, getattr(user, "password", None))
        ):
            _sessions.drop_login()
            return None
        return user

    # -- logging in and out -----------------------------------------------------------

    @contextlib.contextmanager
    def login_attempt(self, username: str, address: str | None = None) -> Iterator[LoginOutcome]:
        """Run one credential check under the login throttle; report its result on the yielded outcome.

        ``with auth.login_attempt(username) as outcome: outcome.report(self.authenticate(...))``.
        Raises :class:`LoginThrottled` (429) when over a limit, before the body runs. Only an
        outcome reported as failed counts; a body that raises counts nothing. Attempts nested
        in one another (a view's attempt around :meth:`authenticate`) are counted once, by the
        outermost. ``address`` defaults to the request's remote address.
        """
        throttle = None
        if has_request_context() and not _ATTEMPT_ACTIVE.get():
            throttle = self._throttle()
        if throttle is None:
            outcome = LoginOutcome()
            yield outcome
            return
        if address is None:
            address = request.remote_addr
        with throttle.guard(username if isinstance(username, str) else "", address) as outcome:
            marker = _ATTEMPT_ACTIVE.set(True)
            try:
                yield outcome
            finally:
                _ATTEMPT_ACTIVE.reset(marker)

    def authenticate(self, username: str, password: str) -> Any:
        """The active user with this username and password, or False.

        Inside a request it runs under the login throttle (:meth:`login_attempt`): over a
        limit it raises :class:`LoginThrottled` (a 429); a database that cannot be reached
        raises :class:`AuthUnavailable` (a 503) instead of answering "wrong password", and
        counts nothing. An unknown username costs one password verification like a known one,
        and a correct password stored with an outdated hash is re-hashed and saved.
        """
        # the throttle's counters and the stored hash are read where they were last written
        with use_primary(), self.login_attempt(username) as outcome:
            user = self._check_credentials(username, password)
            outcome.report(user)
        if not user:
            send_signal(user_login_failed, username=username)
        return user

    def _check_credentials(self, username: str, password: str) -> Any:
        from flask_peewee.utils import dummy_verify

        if not isinstance(username, str) or not isinstance(password, str):
            dummy_verify("")
            return False
        try:
            user = self._user_by_name().first(username)
        except (peewee.DataError, ValueError, TypeError):  # a value this column cannot hold
            user = None
        except (peewee.DatabaseError, peewee.InterfaceError) as exc:
            _rollback_quietly(self.db.database)
            raise AuthUnavailable() from exc
        if user is None:
            dummy_verify(password)
            return False
        if not user.check_password(password) or not getattr(user, "active", True):
            return False
        if needs_rehash(user.password):
            try:
                user.set_password(password)
                user.save(only=[self.User.password])
            except peewee.DatabaseError:
                current_app.logger.warning("flask-peewee-auth: could not upgrade the password hash of %s", user)
        return user

    def _user_by_name(self) -> RowLookup:
        """The user with a username (at every login and HTTP Basic request): its SQL built once."""
        user_model = self.User
        cached = self._by_name
        if cached is None or cached[0] is not user_model:
            field = user_model.username
            lookup = RowLookup(user_model, lambda name: user_model.select().where(field == name).limit(1), 1)
            cached = self._by_name = (user_model, lookup)
        return cached[1]

    def login_user(self, user: Any) -> None:
        """Mark ``user`` as logged in: renew the session, record it server-side and store the login in it."""
        self.start_session(user)
        g.user = user
        setattr(g, _G_USER, (self, user))
        send_signal(user_logged_in, user=user)

    def start_session(self, user: Any, *, fresh: bool = True) -> None:
        """Start a login session of ``user``: recorded server-side (see below) and stored in the cookie session.

        :meth:`login_user` and a remember-me restore (not ``fresh``) both go through here.
        With the sessions page on the session gets a row in ``fp_auth_session``; off, its
        logout will record its end (``fp_auth_session_end``) and the login writes nothing.
        The browser's previous session, if any, is ended.
        """
        started = self._live.start(user, _sessions.current_sid(), _sessions.current_since())
        password_hash = getattr(user, "password", None)
        _sessions.start_login(user.get_id(), password_hash, fresh=fresh, sid=started.sid, since=started.since)
        if not fresh and self.two_factor.enabled():  # a remember-me cookie keeps the second factor's proof
            self.two_factor.mark_passed()

    def logout_user(self, user: Any = None) -> None:
        """Log the requesting user out: the session ends on the server, is cleared, and a remember-me token revoked."""
        if user is None and user_logged_out.receivers:
            user = self.get_logged_in_user()  # read once per request, before the login is cleared
        self._remember.forget()
        self._live.end(_sessions.current_sid(), _sessions.current_since())
        _sessions.end_login()
        g.user = None
        setattr(g, _G_USER, (self, None))
        send_signal(user_logged_out, user=user)

    def end_all_sessions(self, user: Any) -> int:
        """End every login session of ``user`` (a user or its id) on every device.

        Returns how many listed sessions (rows of the sessions page) it deleted; sessions
        started with the page off are ended too (by the user's cut-off), uncounted.
        """
        return self._live.end_all(user)

    def remember_user(self, user: Any) -> None:
        """Give this browser a remember-me cookie for ``user`` (the login view does it when asked)."""
        self._remember.issue(user)

    def revoke_remember_tokens(self, user: Any) -> int:
        """Revoke every remember-me token of ``user`` (a user or its id) on every device; how many."""
        return self._remember.revoke_all(user)

    def test_user(self, test_fn: Callable[[Any], Any]) -> Callable[[F], F]:
        """Decorator factory: the view runs when a user is logged in and ``test_fn(user)`` is true.

        Otherwise the request is redirected to the login view with ``next``, as in the
        original::

            @app.route("/staff/")
            @auth.test_user(lambda user: user.email.endswith("@example.com"))
            def staff(): ...
        """

        def decorator(func: F) -> F:
            @functools.wraps(func)
            def inner(*args: Any, **kwargs: Any) -> Any:
                user = self.get_logged_in_user()
                if not user or not test_fn(user):
                    return redirect(url_for(f"{self.blueprint.name}.login", next=get_next()))
                return func(*args, **kwargs)

            return cast(F, inner)

        return decorator

    def login_required(self, func: F) -> F:
        """Decorator: anonymous requests are redirected to the login view with ``next`` set."""
        return self.test_user(lambda user: True)(func)

    def is_site_admin(self, user: Any) -> bool:
        """Whether ``user`` is an administrator: what the admin site grants everything to by default.

        With an :class:`~flask_peewee.admin.Admin` of this Auth on the current app, its
        ``check_user_permission(user)``; otherwise the user's ``admin`` flag.
        """
        admins = [
            admin
            for admin in current_app.extensions.get("flask_peewee.admin", {}).values()
            if getattr(admin, "auth", None) is self
        ]
        if admins:
            return any(bool(admin.check_user_permission(user)) for admin in admins)
        return bool(getattr(user, "admin", False))

    def admin_required(self, func: F) -> F:
        """Decorator: only administrators (:meth:`is_site_admin`) get the view.

        Anyone else, anonymous or logged in, is redirected to the login view with ``next``
        (so they may log in as an administrator), as in the original (:meth:`test_user`).
        """
        return self.test_user(self.is_site_admin)(func)

    def fresh_login_required(self, func: F) -> F:
        """Decorator for sensitive views: the password must have been entered recently.

        Like :meth:`login_required`, and a login older than ``FLASK_PEEWEE_FRESH_LOGIN_AGE``
        seconds (default 900), or one restored from a remember-me cookie, is sent to the login
        view again, with ``next``.
        """

        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            max_age = FRESH_LOGIN_AGE.get(current_app.config)
            user = self.get_logged_in_user()
            stored = _sessions.stored_login()  # read after a remember-me restore, which is never fresh
            if user is None or stored is None or stored[2] <= 0 or time.time() - stored[2] > max_age:
                return redirect(url_for(f"{self.blueprint.name}.login", next=get_next()))
            return func(*args, **kwargs)

        return cast(F, inner)


def get_auth(app: Flask | None = None, name: str | None = None) -> Auth:
    """The :class:`Auth` set up on ``app`` (the current app by default).

    Without ``name``, the app's only Auth; with it, the Auth of that ``name`` (its blueprint's
    name, ``"auth"`` by default). :class:`ImproperlyConfigured` when there is none, or several
    and no ``name`` says which.
    """
    app = app or current_app
    registry: dict[str, Auth] = app.extensions.get(EXTENSION_KEY, {})
    if name is not None:
        try:
            return registry[name]
        except KeyError:
            known = ", ".join(repr(key) for key in sorted(registry)) or "none"
            raise ImproperlyConfigured(
                f"No flask_peewee.auth.Auth named {name!r} is set up on this app (set up: {known})"
            ) from None
    if not registry:
        raise ImproperlyConfigured("No flask_peewee.auth.Auth is set up on this app")
    if len(registry) > 1:
        known = ", ".join(repr(key) for key in sorted(registry))
        raise ImproperlyConfigured(
            f"{len(registry)} flask_peewee.auth.Auth instances are set up on this app ({known}): "
            "pass name= to say which"
        )
    return next(iter(registry.values()))
