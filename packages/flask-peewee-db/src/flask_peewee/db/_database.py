"""The :class:`Database` extension: one peewee database, a base model, a connection per request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import peewee
from flask import Flask, current_app, request

from flask_peewee.db._cli import make_group
from flask_peewee.db._config import config_key, database_from_config, describe_config
from flask_peewee.db._exceptions import ImproperlyConfigured
from flask_peewee.db._outage import discard_connection, install_outage_handler
from flask_peewee.db._replicas import install_router, replica_lag, replicas_key, router_from_config, routing_replicas
from flask_peewee.db._replicas import use_primary as _use_primary
from flask_peewee.db._settings import EXCLUDED_ROUTES
from flask_peewee.db.checks import remember_configured_debug
from flask_peewee.db.typed import sort_models

if TYPE_CHECKING:
    import contextlib

    import click

__all__ = ["Database", "get_database"]

EXTENSION_KEY = "flask_peewee.db"
_OPENED_FLAG = "flask_peewee.db.opened"
_UNBOUND = object()


def _endpoint_names(value: Any, setting: str) -> frozenset[str]:
    """Endpoint names from a list (or a comma-separated string, handy in environment-driven config)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = value.split(",")
    try:
        names = [name.strip() for name in value]
    except (TypeError, AttributeError):
        raise ImproperlyConfigured(f"{setting} must be a list of endpoint names, got {value!r}") from None
    return frozenset(name for name in names if name)


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


class Database:
    """Bind peewee models to the database named by the app's config.

    Usage::

        app.config["DATABASE"] = {"name": "example.db", "engine": "peewee.SqliteDatabase"}
        db = Database(app)

        class Note(db.Model):
            message = TextField()

    or, in an app factory, ``db = Database()`` at import time and
    ``db.init_app(app)`` later: models declared on ``db.Model`` before then work
    once the app is initialised.

    :param app: the Flask app, or ``None`` to call :meth:`init_app` later.
    :param database: a peewee database to bind instead of reading the app's config (the
        original's second argument).
    :param model_class: the base class of :attr:`Model` (``peewee.Model`` by default).
    :param excluded_routes: endpoint names whose requests open no connection (static
        files never do).
    """

    def __init__(
        self,
        app: Flask | None = None,
        database: peewee.Database | None = None,
        *,
        model_class: type[peewee.Model] = peewee.Model,
        excluded_routes: Iterable[str] = (),
    ) -> None:
        if not (isinstance(model_class, type) and issubclass(model_class, peewee.Model)):
            raise TypeError(f"model_class must be a peewee.Model subclass, got {model_class!r}")
        #: The ``peewee.DatabaseProxy`` that ``init_app`` fills in with the bound database.
        #: A Database created without an app or database binds its models to it (late binding).
        self.proxy = peewee.DatabaseProxy()
        if database is not None and not isinstance(database, peewee.Database):
            raise TypeError(f"database must be a peewee.Database, got {database!r}")
        self._given = database
        # What the models are bound to, as in the original: the database itself when it is
        # known at creation (an app or a database given), else the proxy, for good.
        self._target: peewee.Database | peewee.DatabaseProxy | None = None
        if database is not None:
            self.proxy.initialize(database)
            self._target = database
        elif app is None:
            self._target = self.proxy
        #: What :meth:`load_database` read from the config, as the original kept it: the
        #: engine's dotted path, the database name, the other options and the engine class.
        self.database_engine: str | None = None
        self.database_name: Any = None
        self.database_config: dict[str, Any] | None = None
        self.database_class: type[peewee.Database] | None = None
        self.excluded_routes = _endpoint_names(excluded_routes, "excluded_routes")
        #: Every concrete subclass of :attr:`Model`, in declaration order.
        self.models: list[type[peewee.Model]] = []
        self.model_class = model_class
        self._config_key: object = _UNBOUND
        self._cli: click.Group | None = None
        #: The base model class bound to this database (built once the database is known).
        self.Model: type[peewee.Model]
        if self._target is not None:
            self.Model = self.get_model_class()
        if app is not None:
            self.init_app(app)

    # -- models -----------------------------------------------------------------

    def get_model_class(self) -> type[peewee.Model]:
        """Build the base model class bound to this database; its subclasses register themselves.

        A subclass with ``__abstract__ = True`` in its own body is not registered (its
        subclasses are, unless they say so too).
        """
        registry = self.models
        base: Any = self.model_class  # a class chosen at run time: mypy takes it as an unknown base

        class Model(base):
            __abstract__ = True

            class Meta:
                database = self.database

            def __init_subclass__(cls, **kwargs: Any) -> None:
                super().__init_subclass__(**kwargs)
                if not cls.__dict__.get("__abstract__", False):
                    registry.append(cls)

            @classmethod
            def create_table(cls, safe: bool = True, **options: Any) -> None:
                """peewee's ``create_table``; also takes the docs' ``fail_silently=True`` (same as ``safe``)."""
                if "fail_silently" in options:
                    safe = bool(options.pop("fail_silently"))
                super().create_table(safe=safe, **options)

        return Model

    def get_models(self) -> list[type[peewee.Model]]:
        """Every registered model in foreign-key dependency order."""
        return list(sort_models(self.models))

    def create_tables(self, models: Iterable[type[peewee.Model]] | None = None, *, safe: bool = True) -> list[str]:
        """Create the tables of ``models`` (all registered ones by default); return the names created."""
        ordered = list(sort_models(list(models) if models is not None else self.models))
        database = self._bound()
        existing = set(database.get_tables())
        created = [m._meta.table_name for m in ordered if m._meta.table_name not in existing]
        database.create_tables(ordered, safe=safe)
        return created

    def drop_tables(self, models: Iterable[type[peewee.Model]] | None = None, *, safe: bool = True) -> list[str]:
        """Drop the tables of ``models`` (all registered ones by default); return the names dropped."""
        ordered = list(sort_models(list(models) if models is not None else self.models))
        database = self._bound()
        existing = set(database.get_tables())
        dropped = [m._meta.table_name for m in reversed(ordered) if m._meta.table_name in existing]
        database.drop_tables(ordered, safe=safe)
        return dropped

    # -- the database -------------------------------------------------------------

    @property
    def database(self) -> peewee.Database | peewee.DatabaseProxy:
        """What the models are bound to: ``db.database is db.Model._meta.database``, as in the original.

        ``Database(app)`` and ``Database(None, database)`` bind the peewee database itself. A
        ``Database()`` created without either binds :attr:`proxy`, the ``peewee.DatabaseProxy``
        that ``init_app`` fills in, and ``db.database`` stays that proxy (it forwards every
        attribute to the database): ``Meta.database = db.database`` in a model declared before
        the app exists binds late.
        """
        return self._target if self._target is not None else self.proxy

    def _bound(self) -> peewee.Database:
        """The bound database, or a clear error before ``init_app``."""
        if self.proxy.obj is None:
            raise ImproperlyConfigured("Database is not initialised: call init_app(app) first")
        return self.proxy.obj

    def init_app(self, app: Flask, database: peewee.Database | None = None) -> None:
        """Read the app's config, bind the models and install the request hooks and CLI.

        The first app binds this Database for the life of the process; a later app
        must describe the same database, else :class:`ImproperlyConfigured` is raised.
        ``database`` (the original's second argument) binds that peewee database instead of
        reading the config; it is refused once another database is bound.
        """
        existing = app.extensions.get(EXTENSION_KEY)
        if existing is self:
            raise ImproperlyConfigured("This Database is already initialised on this app")
        if existing is not None:
            raise ImproperlyConfigured(
                "This app already has a flask_peewee.db.Database; use that one (one Database per app)"
            )
        owner = app.cli.commands.get("fp")
        if owner is not None and owner is not self.cli:
            raise ImproperlyConfigured("The app already has a 'flask fp' command that this Database does not own")
        _endpoint_names(EXCLUDED_ROUTES.get(app.config), EXCLUDED_ROUTES.key)  # fail early
        if database is not None:
            if not isinstance(database, peewee.Database):
                raise TypeError(f"database must be a peewee.Database, got {database!r}")
            if (self._config_key is not _UNBOUND or self._given is not None) and database is not self._given:
                raise ImproperlyConfigured("This Database is already bound to another database")
            self._given = database
        key = self._binding_key(app)
        if self._config_key is _UNBOUND:
            bound = self._given if self._given is not None else self.load_database(app)
            if not isinstance(bound, peewee.Database):
                raise ImproperlyConfigured(f"load_database() must return a peewee.Database, got {bound!r}")
            router = router_from_config(app.config, bound, self.replica_lag)
            if router is not None:
                install_router(bound, router)
            self.proxy.initialize(bound)
            self._config_key = key
            if self._target is None:  # Database(app): the models bind the database itself
                self._target = bound
                self.Model = self.get_model_class()
        elif key != self._config_key:
            raise ImproperlyConfigured(
                "This Database is already bound to another database: one Database binds its models "
                "to one database per process, so every app it is initialised on needs the same "
                "DATABASE setting (create a second Database for another database)"
            )

        app.extensions[EXTENSION_KEY] = self
        remember_configured_debug(app)
        self.register_handlers(app)
        router = routing_replicas(self.proxy.obj)
        if router is not None:  # nothing at all on the request path of an app without replicas
            app.before_request(lambda: router.begin(request.method))
            app.teardown_request(lambda exc=None: router.end())
        app.shell_context_processor(self._shell_context)
        if owner is None:
            app.cli.add_command(self.cli)

    def _binding_key(self, app: Flask) -> object:
        """What must match for a second app to share the bound database (its replicas too)."""
        if self._given is not None:
            return ("instance", id(self._given)), replicas_key(app.config)
        if type(self).load_database is not Database.load_database:
            return ("load_database", id(self)), replicas_key(app.config)  # the override ran for the first app
        return config_key(app.config), replicas_key(app.config)

    def load_database(self, app: Flask) -> peewee.Database:
        """Build the peewee database from ``app.config`` (``DATABASE`` or ``DATABASE_URL``).

        Sets :attr:`database_engine`, :attr:`database_name`, :attr:`database_config` and
        :attr:`database_class` as the original did. :meth:`init_app` calls it for the first
        app; a subclass may override it to build the database another way.
        """
        database = database_from_config(app.config)
        self.database_engine, self.database_name, self.database_config = describe_config(app.config)
        self.database_class = type(database)
        return database

    def register_handlers(self, app: Flask) -> None:
        """Install the request hooks: :meth:`connect_db` before a request, :meth:`close_db` after it.

        Overrides of :meth:`connect_db` and :meth:`close_db` are called there. A request to
        an excluded endpoint or a static file opens nothing, and only a connection the
        request opened is closed. A database that cannot be reached, a connection lost
        mid-request or a pool with no free connection within its ``timeout`` answers a plain
        503 page with ``Retry-After`` (unless the app handles those errors itself).
        """
        excluded = self.excluded_routes | _endpoint_names(EXCLUDED_ROUTES.get(app.config), EXCLUDED_ROUTES.key)
        app.before_request(self._make_connect_hook(excluded))
        app.teardown_request(self._close_hook)
        install_outage_handler(app)

    def _make_connect_hook(self, excluded: frozenset[str]) -> Callable[[], None]:
        def connect_db() -> None:
            endpoint = request.endpoint or ""
            if endpoint in excluded or _is_static(endpoint):
                return
            database = self.database
            was_closed = database.is_closed()
            self.connect_db()
            if was_closed and not database.is_closed():
                request.environ[self._opened_key] = True

        return connect_db

    def _close_hook(self, exc: BaseException | None = None) -> None:
        # The mark stays on the request: Flask tears a request down once before a streamed body
        # (stream_with_context) runs and again after it, and queries in that body reconnect.
        if request.environ.get(self._opened_key) and not self.database.is_closed():
            self.close_db(exc)

    @property
    def _opened_key(self) -> str:
        """The WSGI environ key marking a connection this Database opened for the request."""
        return f"{_OPENED_FLAG}.{id(self)}"

    def connect_db(self) -> bool:
        """Open a connection unless one is open; return True when this call opened it."""
        return self._bound().connect(reuse_if_open=True)

    def close_db(self, exc: BaseException | None = None) -> None:
        """Close the connection if one is open (pooled databases give it back to the pool).

        A connection the server dropped is discarded (a pool never hands it out again), and
        failing to close it never fails the request.
        """
        database = self._bound()
        if database.is_closed():
            return
        try:
            database.close()
        except (peewee.DatabaseError, peewee.InterfaceError):
            discard_connection(database)

    # -- replicas ---------------------------------------------------------------------

    @property
    def replicas(self) -> list[peewee.Database]:
        """The read replicas of the bound database (empty when none is configured)."""
        router = routing_replicas(self.proxy.obj)
        return list(router.replicas) if router is not None else []

    def primary(self) -> contextlib.AbstractContextManager[None]:
        """Read from the primary in this block: ``with db.primary(): ...`` (see :func:`~flask_peewee.db.use_primary`).

        It also works as a decorator, and costs next to nothing when no replica is configured.
        """
        return _use_primary()

    def replica_lag(self, replica: peewee.Database) -> float | None:
        """Seconds ``replica`` is behind the primary (``None`` when unknown), checked when
        ``FLASK_PEEWEE_REPLICA_MAX_LAG`` is set; override it for another way to measure."""
        return replica_lag(replica)

    def _shell_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"db": self, "database": self.database}
        for model in self.models:
            context.setdefault(model.__name__, model)
        return context

    # -- CLI ------------------------------------------------------------------------

    @property
    def cli(self) -> click.Group:
        """The ``fp`` click group; higher layers add their commands to it."""
        if self._cli is None:
            self._cli = make_group(self)
        return self._cli


def get_database(app: Flask | None = None) -> Database:
    """The :class:`Database` initialised on ``app`` (the current app by default)."""
    app = app or current_app
    try:
        return app.extensions[EXTENSION_KEY]
    except KeyError:
        raise ImproperlyConfigured("No flask_peewee.db.Database is initialised on this app") from None
