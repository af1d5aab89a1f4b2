"""The :class:`Database` extension: one peewee database, a base model, a connection per request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import peewee
from flask import Flask, current_app, g, request

from flask_peewee.db._config import database_from_config, describe
from flask_peewee.db._exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    import click

__all__ = ["Database"]

EXTENSION_KEY = "flask_peewee.db"


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
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        model_class: type[peewee.Model] = peewee.Model,
        excluded_routes: Iterable[str] = (),
    ) -> None:
        self.proxy = peewee.DatabaseProxy()
        self.excluded_routes = frozenset(excluded_routes)
        self.models: list[type[peewee.Model]] = []
        self._config_id: object = None
        self._base_model_class = model_class
        self.Model: type[peewee.Model] = self.get_model_class()
        self._cli: click.Group | None = None
        if app is not None:
            self.init_app(app)

    # -- models -----------------------------------------------------------------

    def get_model_class(self) -> type[peewee.Model]:
        """Build the base model class bound to this database; subclasses register themselves."""
        registry = self.models

        class Model(self._base_model_class):  # type: ignore[misc, valid-type]
            __abstract__ = True

            class Meta:
                database = self.proxy

            def __init_subclass__(cls, **kwargs: Any) -> None:
                super().__init_subclass__(**kwargs)
                if not cls.__dict__.get("__abstract__", False):
                    registry.append(cls)

        return Model

    def get_models(self) -> list[type[peewee.Model]]:
        """Every registered model in foreign-key dependency order."""
        return list(peewee.sort_models(self.models))

    def create_tables(self, models: Iterable[type[peewee.Model]] | None = None, *, safe: bool = True) -> list[str]:
        """Create the tables of ``models`` (all registered ones by default); return the names created."""
        models = list(peewee.sort_models(list(models) if models is not None else self.models))
        database = self.database
        existing = set(database.get_tables())
        created = [m._meta.table_name for m in models if m._meta.table_name not in existing]
        database.create_tables(models, safe=safe)
        return created

    def drop_tables(self, models: Iterable[type[peewee.Model]] | None = None, *, safe: bool = True) -> list[str]:
        """Drop the tables of ``models`` (all registered ones by default); return the names dropped."""
        models = list(peewee.sort_models(list(models) if models is not None else self.models))
        database = self.database
        existing = set(database.get_tables())
        dropped = [m._meta.table_name for m in reversed(models) if m._meta.table_name in existing]
        database.drop_tables(models, safe=safe)
        return dropped

    # -- the database -------------------------------------------------------------

    @property
    def database(self) -> peewee.Database:
        """The peewee database the models are bound to (once ``init_app`` ran)."""
        if self.proxy.obj is None:
            raise ImproperlyConfigured("Database is not initialised: call init_app(app) first")
        return self.proxy.obj

    def init_app(self, app: Flask) -> None:
        """Read the app's config, bind the models and install the request hooks."""
        extensions = app.extensions.setdefault(EXTENSION_KEY, {})
        if id(self) in extensions:
            raise ImproperlyConfigured("This Database is already initialised on this app")
        config_id = describe(app.config)
        if self.proxy.obj is None:
            self.proxy.initialize(database_from_config(app.config))
            self._config_id = config_id
        elif config_id != self._config_id:
            raise ImproperlyConfigured(
                "This Database is already bound to another database; one Database binds its "
                "models to one database per process (create a second Database for another one)"
            )
        extensions[id(self)] = self
        app.extensions.setdefault("flask_peewee.db.default", self)
        excluded = set(self.excluded_routes) | set(app.config.get("FLASK_PEEWEE_EXCLUDED_ROUTES", ("static",)))
        app.before_request(self._make_connect(frozenset(excluded)))
        app.teardown_request(self._close)
        app.shell_context_processor(self._shell_context)
        self._register_cli(app)

    def _flag(self) -> str:
        return f"_flask_peewee_db_opened_{id(self)}"

    def _make_connect(self, excluded: frozenset[str]) -> Any:
        def connect_db() -> None:
            endpoint = request.endpoint or ""
            if endpoint in excluded or endpoint.rpartition(".")[2] == "static" and "static" in excluded:
                return
            opened = self.database.connect(reuse_if_open=True)
            setattr(g, self._flag(), opened)

        return connect_db

    def _close(self, exc: BaseException | None = None) -> None:
        flag = self._flag()
        if g.pop(flag, False) and not self.database.is_closed():
            self.database.close()

    def connect_db(self) -> bool:
        """Open a connection unless one is open; return True when this call opened it."""
        return self.database.connect(reuse_if_open=True)

    def close_db(self, exc: BaseException | None = None) -> None:
        """Close the connection if one is open (pooled databases give it back to the pool)."""
        if not self.database.is_closed():
            self.database.close()

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
            from flask_peewee.db._cli import make_group

            self._cli = make_group(self)
        return self._cli

    def _register_cli(self, app: Flask) -> None:
        existing = app.cli.commands.get("fp")
        if existing is None:
            app.cli.add_command(self.cli)
        elif existing is not self.cli:
            raise ImproperlyConfigured("Another Database already owns the 'flask fp' command group on this app")


def get_database(app: Flask | None = None) -> Database:
    """The first :class:`Database` initialised on ``app`` (the current app by default)."""
    app = app or current_app
    try:
        return app.extensions["flask_peewee.db.default"]
    except KeyError:
        raise ImproperlyConfigured("No flask_peewee.db.Database is initialised on this app") from None
