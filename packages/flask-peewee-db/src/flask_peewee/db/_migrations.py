"""``flask fp status|up|down|create|generate``: migrations on peewee's ``playhouse.migrations``.

Migration files are numbered Python scripts with ``up(migrator, db)`` and
``down(migrator, db)`` in ``migrations/`` beside the app (``app.root_path``) or in
``FLASK_PEEWEE_MIGRATIONS_DIR``; the applied ones are recorded in the
``schema_migration`` table.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from playhouse.migrations import MigrationError, Runner, template
from playhouse.schema_diff import diff_models

from flask_peewee.db._connection import connection
from flask_peewee.db._settings import MIGRATIONS_DIR

if TYPE_CHECKING:
    from flask_peewee.db._database import Database

__all__ = ["add_migration_commands", "migrations_dir"]


def migrations_dir(app: Flask) -> str:
    """The migrations folder of ``app``; a relative ``FLASK_PEEWEE_MIGRATIONS_DIR`` is read from ``app.root_path``."""
    configured = MIGRATIONS_DIR.get(app.config) or MIGRATIONS_DIR.default
    return os.path.join(app.root_path, os.fspath(configured))


def _runner(db: Database) -> Runner:
    return Runner(db.database, directory=migrations_dir(current_app))


def _shown(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


def _applied_names(runner: Runner) -> set[str]:
    return set(runner.applied())


def add_migration_commands(group: click.Group, db: Database) -> None:
    """Add the migration commands to the ``fp`` group of ``db``."""

    @group.command("status")
    @click.option("--check", is_flag=True, help="Exit with status 1 when a migration is not applied.")
    def status(check: bool) -> None:
        """List the migrations: [x] applied, [ ] pending, [?] applied but its file is gone."""
        runner = _runner(db)
        with connection(db.database):
            rows = runner.status()
        if not rows:
            click.echo(f"no migrations in {_shown(runner.directory)}")
        for row in rows:
            if row.applied is None:
                click.echo(f"[ ] {row.name}")
                continue
            when = row.applied.strftime("%Y-%m-%d %H:%M:%S")
            missing = "  (file missing)" if row.path is None else ""
            click.echo(f"[{'?' if missing else 'x'}] {row.name}  {when}{missing}")
        if check and any(row.applied is None for row in rows):
            raise click.exceptions.Exit(1)

    @group.command("up")
    @click.argument("target", required=False)
    @click.option("--fake", is_flag=True, help="Record the migrations as applied without running them.")
    def up(target: str | None, fake: bool) -> None:
        """Apply the pending migrations in order, or those up to and including TARGET."""
        runner = _runner(db)
        with connection(db.database):
            plan = []
            for row in runner.status():
                if row.path is not None and row.applied is None:
                    plan.append(row.name)
                if row.name == target:
                    break
            before = _applied_names(runner)
            try:
                runner.up(target, fake=fake)
            except MigrationError as exc:
                raise click.ClickException(str(exc)) from exc
            except Exception as exc:
                done = _applied_names(runner) - before
                for name in (n for n in plan if n in done):
                    click.echo(f"applied {name}")
                failed = next((n for n in plan if n not in done), "?")
                raise click.ClickException(f"migration {failed} failed: {type(exc).__name__}: {exc}") from exc
        verb = "recorded" if fake else "applied"
        for name in plan:
            click.echo(f"{verb} {name}")
        if not plan:
            click.echo("nothing to apply: every migration is applied")

    @group.command("down")
    @click.argument("target", required=False)
    def down(target: str | None) -> None:
        """Revert the latest applied migration, or every one back to and including TARGET."""
        runner = _runner(db)
        with connection(db.database):
            before = _applied_names(runner)
            if not before:
                click.echo("nothing to revert: no migration is applied")
                return
            try:
                reverted = runner.down(target)
            except MigrationError as exc:
                raise click.ClickException(str(exc)) from exc
            except Exception as exc:
                gone = before - _applied_names(runner)
                for row in reversed(runner.status()):
                    if row.name in gone:
                        click.echo(f"reverted {row.name}")
                raise click.ClickException(f"reverting failed: {type(exc).__name__}: {exc}") from exc
        for name in reverted:
            click.echo(f"reverted {name}")

    @group.command("create")
    @click.argument("name")
    def create(name: str) -> None:
        """Write an empty, numbered migration file called NAME to fill in by hand."""
        path = _runner(db).create(name)
        click.echo(f"created {_shown(path)}")

    @group.command("generate")
    @click.argument("name")
    def generate(name: str) -> None:
        """Write a migration NAME from the difference between the models and the database."""
        if not db.models:
            raise click.ClickException("no models are registered on db.Model: nothing to compare")
        runner = _runner(db)
        with connection(db.database):
            pending = [row.name for row in runner.status() if row.applied is None]
            if pending:
                raise click.ClickException(
                    f"apply the pending migrations first ({', '.join(pending)}): `flask fp up`, "
                    "so the difference is taken against the schema they produce"
                )
            diff = diff_models(db.database, db.get_models())
        if not diff:
            click.echo("the database matches the models: nothing to generate")
            return
        path = runner.create(name, body=template(diff))
        click.echo(f"created {_shown(path)}")
        for line in str(diff).splitlines():
            click.echo(f"  {line}")
