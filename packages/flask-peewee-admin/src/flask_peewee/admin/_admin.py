"""The :class:`Admin` extension: registry of model admins and panels, the blueprint, access control."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import peewee
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    has_app_context,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import BuildError

from flask_peewee.admin._audit import AuditViews
from flask_peewee.admin._checks import register_checks
from flask_peewee.admin._helpers import AdminTemplateHelper
from flask_peewee.admin._i18n import gettext as admin_gettext
from flask_peewee.admin._i18n import ngettext as admin_ngettext
from flask_peewee.admin._model_admin import ModelAdmin
from flask_peewee.admin._panels import AdminPanel
from flask_peewee.auth import add_security_headers, is_cross_site_request
from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import get_next
from flask_peewee.utils.internal import body_within_limit, effective_body_limit, register_extension

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from flask_peewee.auth import Auth

__all__ = ["ACTIONS", "Admin"]

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION_KEY = "flask_peewee.admin"
ACTIONS = ("view", "add", "change", "delete", "export")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: the admin's own body limit by default (16 MiB: form posts and uploads)
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024
_G_PERMS = "_flask_peewee_admin_permissions"
_G_URLS = "_flask_peewee_admin_url_patterns"


class _Routed(Protocol):
    """What :meth:`Admin.object_url` needs of a model admin."""

    def get_url_name(self, name: str) -> str: ...


_URL_MARKER = "fp0url0marker"
_URL_PROBE = "a/b c?%&"


def _url_pattern(endpoint: str) -> tuple[str, str, Callable[[Any], str]] | None:
    """``(head, tail, quote)`` with ``url_for(endpoint, pk=k) == head + quote(k) + tail``, or None.

    Checked on a key with characters a converter quotes, so a route with another converter
    (``<int:pk>``, ``<path:pk>``) falls back to ``url_for``.
    """
    try:
        head, found, tail = url_for(endpoint, pk=_URL_MARKER).partition(_URL_MARKER)
        probe = url_for(endpoint, pk=_URL_PROBE)
    except (BuildError, ValueError):
        return None
    quote = current_app.url_map.converters["default"](current_app.url_map).to_url
    if not found or probe != f"{head}{quote(_URL_PROBE)}{tail}":
        return None
    return head, tail, quote


class Admin(AuditViews):
    """The admin area: register models and panels, then :meth:`setup`.

    Usage::

        admin = Admin(app, auth)
        admin.register(Note, NoteAdmin)
        admin.register_panel("Notes", NotePanel)
        admin.setup()

    In an app factory: ``admin = Admin(auth=auth)``, registrations, ``admin.setup()``, then
    ``admin.init_app(app)`` (either order of ``setup`` and ``init_app`` works).
    ``branding`` names the site in page titles and the header; ``theme`` adds the stylesheet
    ``admin-<theme>.css`` from the blueprint's static folder (the original's arguments).
    ``blueprint_factory(name, import_name, **options)`` makes the blueprint (default
    :class:`flask.Blueprint`); ``template_helper`` is an :class:`AdminTemplateHelper` subclass.
    """

    model_admin_class: type[ModelAdmin] = ModelAdmin

    def __init__(
        self,
        app: Flask | None = None,
        auth: Auth | None = None,
        blueprint_factory: Callable[..., Blueprint] | None = None,
        template_helper: type[AdminTemplateHelper] | None = None,
        prefix: str = "/admin",
        *,
        name: str = "admin",
        branding: str = "flask-peewee",
        theme: str | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        if auth is None:
            raise ImproperlyConfigured("Admin needs the Auth instance: Admin(app, auth) or Admin(auth=auth)")
        if isinstance(blueprint_factory, str):
            # the original's positional order was (app, auth, prefix, name, ...): a string here is a prefix
            prefix, blueprint_factory = blueprint_factory, None
            if isinstance(template_helper, str):
                name, template_helper = template_helper, None
        self.auth: Auth = auth
        self.prefix = prefix.rstrip("/")
        self.name = name
        #: the site's name, shown in the admin's page titles and header (the original's ``branding``)
        self.branding = branding
        #: the original's theme name: its stylesheet ``admin-<theme>.css`` from the admin's static files, if any
        self.theme = theme
        #: the largest request body (form post or upload) the admin reads, in bytes; the app's stricter
        #: ``MAX_CONTENT_LENGTH`` wins. None: only ``MAX_CONTENT_LENGTH`` limits it.
        self.max_body_size = max_body_size
        self.blueprint_factory = blueprint_factory or Blueprint
        self.template_helper = (template_helper or AdminTemplateHelper)(self)
        self._registry: dict[type[peewee.Model], ModelAdmin] = {}
        self._panels: dict[str, AdminPanel] = {}
        self._is_setup = False
        self._waiting_apps: weakref.WeakSet[Flask] = weakref.WeakSet()
        self.blueprint = self.get_blueprint(name)
        if app is not None:
            self.init_app(app)

    # -- registration -----------------------------------------------------------------

    def register(self, model: type[peewee.Model], admin_class: type[ModelAdmin] | None = None) -> ModelAdmin:
        """Expose ``model`` in the admin through ``admin_class`` (a :class:`ModelAdmin` subclass)."""
        if self._is_setup:
            raise ImproperlyConfigured("register() must be called before Admin.setup()")
        if not (isinstance(model, type) and issubclass(model, peewee.Model)):
            raise TypeError(f"Admin.register() needs a peewee model class, not {model!r}")
        model_admin = (admin_class or ModelAdmin)(self, model)
        self._registry[model] = model_admin
        return model_admin

    def register_panel(self, title: str, panel: type[AdminPanel], *args: Any, **kwargs: Any) -> AdminPanel:
        """Show ``panel`` (an :class:`AdminPanel` subclass) on the dashboard under ``title``.

        More arguments go to the panel's constructor, after the admin and the title.
        """
        if self._is_setup:
            raise ImproperlyConfigured("register_panel() must be called before Admin.setup()")
        instance = panel(self, title, *args, **kwargs)
        if instance.slug in {p.slug for p in self._panels.values()}:
            raise ImproperlyConfigured(f"A panel with the URL name {instance.slug!r} is already registered")
        self._panels[title] = instance
        return instance

    def unregister(self, model: type[peewee.Model]) -> None:
        """Remove ``model`` from the admin (before :meth:`setup`)."""
        if self._is_setup:
            raise ImproperlyConfigured("unregister() must be called before Admin.setup()")
        del self._registry[model]

    def unregister_panel(self, title: str) -> None:
        """Remove the panel registered under ``title`` (before :meth:`setup`)."""
        if self._is_setup:
            raise ImproperlyConfigured("unregister_panel() must be called before Admin.setup()")
        del self._panels[title]

    def __contains__(self, model: object) -> bool:
        return model in self._registry

    def __getitem__(self, model: type[peewee.Model]) -> ModelAdmin:
        return self._registry[model]

    def get_admin_for(self, model: type[peewee.Model]) -> ModelAdmin | None:
        """The original's name for :meth:`get_model_admin`."""
        return self.get_model_admin(model)

    def get_model_admins(self) -> list[ModelAdmin]:
        """The registered model admins, ordered by their admin name (URL segment), as in the original."""
        return sorted(self._registry.values(), key=lambda ma: ma.get_admin_name())

    def get_model_admin(self, model: type[peewee.Model]) -> ModelAdmin | None:
        """The :class:`ModelAdmin` of ``model``, or None when it is not registered."""
        return self._registry.get(model)

    def get_panels(self) -> list[AdminPanel]:
        """The registered panels, ordered by their slug, as in the original."""
        return sorted(self._panels.values(), key=lambda panel: panel.slug)

    # -- blueprint and app wiring -----------------------------------------------------

    def get_blueprint(self, blueprint_name: str) -> Blueprint:
        """The blueprint of the admin, with its templates and ``static`` files, from ``blueprint_factory``."""
        return self.blueprint_factory(
            blueprint_name,
            __name__,
            url_prefix=self.prefix,
            template_folder="templates",
            static_folder="static",
            static_url_path="/static",
        )

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """The admin's own ``(url, view)`` pairs: the dashboard and the audit log."""
        return (
            ("/", self.auth_required(self.index)),
            ("/audit-log/", self.auth_required(self.audit_log)),
        )

    @property
    def app(self) -> Flask | None:
        """The current app (the original stored it; this admin serves several apps and stores none)."""
        if not has_app_context():
            return None
        proxy: Any = current_app  # flask types the proxy as the Flask it stands for
        return cast(Flask, proxy._get_current_object())

    @property
    def url_prefix(self) -> str:
        """The URL prefix of the admin (the original's name for ``prefix``)."""
        return self.prefix

    def setup(self) -> None:
        """Add the URLs of the admin, every model admin and panel to the blueprint and register it.

        Calls :meth:`configure_routes`, then, for each app, :meth:`prepare_template_environment` and
        :meth:`register_blueprint` inside that app's context (``self.app`` is that app).
        """
        if self._is_setup:
            raise ImproperlyConfigured("Admin.setup() was already called")
        bp = self.blueprint
        self.configure_routes()
        bp.before_request(self.refuse_cross_site)
        bp.before_request(self.limit_body_size)
        bp.after_request(self.add_security_headers)
        bp.context_processor(self.template_helper.get_context)
        self._is_setup = True
        for app in list(self._waiting_apps):
            self._attach(app)
        self._waiting_apps.clear()

    def configure_routes(self) -> None:
        """Add to the blueprint the views of :meth:`get_urls`, of every model admin and of every panel."""
        bp = self.blueprint
        for url, view in self.get_urls():
            bp.add_url_rule(url, view.__name__, view, methods=["GET", "POST"])
        for model_admin in self._registry.values():
            admin_name = model_admin.get_admin_name()
            for url, view in model_admin.get_urls():
                endpoint = f"{admin_name}_{view.__name__}"
                bp.add_url_rule(f"/{admin_name}{url}", endpoint, self.auth_required(view), methods=["GET", "POST"])
        for panel in self._panels.values():
            for url, view in panel.get_urls():
                endpoint = f"panel_{panel.slug.replace('-', '_')}_{view.__name__}"
                guarded = self.auth_required(self.panel_required(panel, view))
                bp.add_url_rule(f"/{panel.slug}{url}", endpoint, guarded, methods=["GET", "POST"])

    def init_app(self, app: Flask) -> None:
        """Attach the admin to ``app``; the blueprint is registered once :meth:`setup` has run."""
        register_extension(app, EXTENSION_KEY, self.name, self, label="An Admin")
        register_checks(app)
        if self._is_setup:
            self._attach(app)
        else:
            self._waiting_apps.add(app)

    def _attach(self, app: Flask) -> None:
        with app.app_context():
            self.prepare_template_environment()
            self.register_blueprint()

    def prepare_template_environment(self) -> None:
        """Adjust the current app's Jinja environment (``self.app.jinja_env``): adds the original's ``apply_prefix``.

        It also adds ``admin_gettext`` and ``admin_ngettext``, the admin templates' translation functions.
        """
        assert self.app is not None
        self.app.jinja_env.filters.setdefault("apply_prefix", self.apply_prefix)
        # the admin's own gettext domain under its own names: the app's ``_``/``gettext`` stay the app's
        self.app.jinja_env.globals.setdefault("admin_gettext", admin_gettext)
        self.app.jinja_env.globals.setdefault("admin_ngettext", admin_ngettext)

    def register_blueprint(self, **kwargs: Any) -> None:
        """Register the admin's blueprint on the current app (``self.app``); ``kwargs`` go to Flask."""
        assert self.app is not None
        self.app.register_blueprint(self.blueprint, **kwargs)

    # -- access control ---------------------------------------------------------------

    def check_user_permission(self, user: Any) -> bool:
        """Whether ``user`` may use the whole admin (default: ``user.admin``)."""
        return bool(getattr(user, "admin", False))

    def has_permission(self, model: type[peewee.Model], action: str, user: Any = None) -> bool:
        """Whether the logged-in user (or ``user``) may ``action`` (view/add/change/delete/export) ``model``.

        Asks the auth layer's permission policy with ``default=check_user_permission(user)``;
        answers are cached for the request.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown admin action {action!r}; use one of {ACTIONS}")
        if user is None:
            user = self.auth.get_logged_in_user()
        if user is None:
            return False
        cache = g.setdefault(_G_PERMS, {})
        key = (id(self), user.get_id(), model, action)
        if key not in cache:
            default = bool(self.check_user_permission(user))
            cache[key] = bool(self.auth.has_permission(user, model, action, default=default))
        return cache[key]

    def can_enter(self, user: Any) -> bool:
        """Whether ``user`` may open the admin: full permission, or a view grant on a registered model."""
        if self.check_user_permission(user):
            return True
        return any(self.has_permission(model, "view", user) for model in self._registry)

    def auth_required(self, func: F) -> F:
        """Decorator: anonymous users go to the login view (with ``next``), others without permission get 403.

        When auth requires two-factor authentication for the admin, a session that has not passed
        a second factor is sent to enter a code, or to enrol one (``Auth.second_factor_gate``).
        """

        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            user = self.auth.get_logged_in_user()
            if user is None:
                return redirect(url_for(f"{self.auth.blueprint.name}.login", next=get_next()))
            if not self.can_enter(user):
                abort(403)
            refusal = self.auth.second_factor_gate(user)  # auth's two-factor requirement for the admin
            if refusal is not None:
                return refusal
            return func(*args, **kwargs)

        return cast(F, inner)

    def panel_required(self, panel: AdminPanel, func: F) -> F:
        """Decorator of a panel's views: 403 unless :meth:`AdminPanel.check_permission`; 400 for NUL characters.

        A panel's view reads the form itself, so text no database stores is refused before it runs.
        """

        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if not panel.check_permission(self.auth.get_logged_in_user()):
                abort(403)
            values = [v for source in (request.args, request.form) for _k, v in source.items(multi=True)]
            if any("\x00" in value for value in values):
                abort(400, description=admin_gettext("The form holds a NUL character, which no field may contain."))
            return func(*args, **kwargs)

        return cast(F, inner)

    def visible_panels(self) -> list[AdminPanel]:
        """The panels the logged-in user may see."""
        user = self.auth.get_logged_in_user()
        return [panel for panel in self.get_panels() if panel.check_permission(user)]

    def refuse_cross_site(self) -> None:
        """Before every admin view: a state-changing request the browser marks as cross-site gets a 403."""
        if request.method not in _SAFE_METHODS and is_cross_site_request():
            abort(403, description="Cross-site form submissions are not accepted.")

    def limit_body_size(self) -> None:
        """Before every admin view: bodies past the smaller of :attr:`max_body_size` and the app's
        ``MAX_CONTENT_LENGTH`` (both read now, so a change takes effect at once) get a 413, before anything is read."""
        limit = effective_body_limit(self.max_body_size, request.max_content_length)
        if limit is not None and request.method not in _SAFE_METHODS and not body_within_limit(limit):
            abort(
                413,
                description=admin_gettext(
                    "The request is larger than the admin accepts (%(limit)s bytes).", limit=limit
                ),
            )

    def add_security_headers(self, response: Response) -> Response:
        """After every admin view: forbid framing (clickjacking) and MIME sniffing
        (:func:`flask_peewee.auth.add_security_headers`)."""
        return add_security_headers(response)

    # -- the dashboard ----------------------------------------------------------------

    def url_name(self, name: str) -> str:
        """The endpoint of the admin's own view ``name`` (``admin.index``)."""
        return f"{self.blueprint.name}.{name}"

    def get_url_name(self, name: str) -> str:
        """The original's name for :meth:`url_name`."""
        return self.url_name(name)

    def get_admin_url(self, obj: Any) -> str | None:
        """The edit URL of ``obj`` when its model is registered and the user may view it (links in lists)."""
        if obj is None or not isinstance(obj, peewee.Model):
            return None
        model_admin = self.get_model_admin(type(obj))
        if model_admin is None or obj.get_id() is None:
            return None
        if not self.has_permission(model_admin.model, "view"):
            return None
        return self.object_url(model_admin, obj.get_id())

    def object_url(self, model_admin: _Routed, pk: Any, view: str = "edit") -> str:
        """``url_for`` of ``model_admin``'s ``view`` (``edit``, ``history``) for the primary key ``pk``.

        The URL is built by ``url_for`` once per request and view, around a marker that the
        next keys replace, quoted as the route's converter quotes them: a list page links
        every row without rebuilding the route each time.
        """
        endpoint = model_admin.get_url_name(view)
        patterns = g.setdefault(_G_URLS, {})
        pattern = patterns.get(endpoint)
        if endpoint not in patterns:
            patterns[endpoint] = _url_pattern(endpoint)
        pattern = patterns[endpoint]
        if pattern is None:  # a route or url_defaults the marker does not go through: url_for each time
            return url_for(endpoint, pk=pk)
        return f"{pattern[0]}{pattern[2](pk)}{pattern[1]}"

    def get_model_name(self, model_class: type[peewee.Model]) -> str:
        """A model's name as shown: its admin's :meth:`ModelAdmin.get_display_name`, else made readable."""
        model_admin = self.get_model_admin(model_class)
        if model_admin is not None:
            return model_admin.get_display_name()
        return self.template_helper.readable_name(model_class)

    def get_logout_url(self) -> str:
        """The URL of the auth's logout view."""
        return url_for(f"{self.auth.blueprint.name}.logout")

    def fix_underscores(self, s: str) -> str:
        """``pub_date`` -> ``Pub Date`` (the original's title case)."""
        return self.template_helper.fix_underscores(s)

    def get_verbose_name(self, model: type[peewee.Model], column_name: str) -> str:
        """The label of a column of ``model``."""
        return self.template_helper.get_verbose_name(model, column_name)

    def get_model_field(self, model: Any, field: str) -> Any:
        """The value of column ``field`` for the object ``model``: an attribute (called when callable) or a
        method of its model admin taking the object."""
        try:
            attr = getattr(model, field)
        except AttributeError:
            model_admin = self[type(model)]
            method = getattr(model_admin, field, None)
            if method is None:
                raise AttributeError(f"Could not find attribute or method named {field!r}.") from None
            return method(model)
        return attr() if callable(attr) and not isinstance(attr, peewee.Model) else attr

    def get_form_field(self, form: Any, field_name: str) -> Any:
        """``form``'s field ``field_name``."""
        return getattr(form, field_name)

    def update_querystring(self, querystring: bytes | str, key: str, val: Any) -> str:
        """``querystring`` with ``key`` set to ``val`` (the original's helper; no leading ``?``)."""
        from urllib.parse import parse_qsl, urlencode

        text = querystring.decode("utf-8", "replace") if isinstance(querystring, bytes) else (querystring or "")
        pairs = [(k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k != key]
        return urlencode([*pairs, (key, str(val))])

    def apply_prefix(
        self, field_name: str, prefix_accum: Any, field_prefix: str, rel_prefix: str = "fr_", rel_sep: str = "-"
    ) -> str:
        """The original filter form's input name of a field reached through ``prefix_accum`` foreign keys."""
        return rel_sep.join([*(f"{rel_prefix}{p}" for p in prefix_accum), f"{field_prefix}{field_name}"])

    def theme_stylesheet(self) -> str | None:
        """The URL of the theme's stylesheet ``css/admin-<theme>.css`` when a ``theme`` is set.

        As in the original, the link is made for any theme name; ``crisp`` and ``crux`` are shipped.
        """
        if not self.theme:
            return None
        return url_for(f"{self.blueprint.name}.static", filename=f"css/admin-{self.theme}.css")

    def visible_model_admins(self) -> list[ModelAdmin]:
        """The model admins the logged-in user may view."""
        return [ma for ma in self.get_model_admins() if self.has_permission(ma.model, "view")]

    def index(self) -> str:
        """The dashboard: the models the user may view and every panel."""
        return render_template(
            "admin/index.html",
            model_admins=self.visible_model_admins(),
            panels=self.visible_panels(),
        )
