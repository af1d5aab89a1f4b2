"""The ``flask fp`` command group owned by :class:`~flask_peewee.db.Database`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from flask_peewee.db._connection import connection
from flask_peewee.db._migrations import add_migration_commands
from flask_peewee.db._replicas import use_primary
from flask_peewee.db.checks import add_command as add_check_command
from flask_peewee.db.migrate_check import add_command as add_migrate_check_command

if TYPE_CHECKING:
    from flask_peewee.db._database import Database

__all__ = ["make_group"]


def make_group(db: Database) -> click.Group:
    """Build the ``fp`` group for ``db``; higher layers add commands with ``@db.cli.command()``."""

    @click.pass_context
    def on_primary(ctx: click.Context) -> None:
        # Commands read what they are about to change (applied migrations, users): never from a replica.
        ctx.with_resource(use_primary())

    group = AppGroup("fp", help="flask-peewee: tables, migrations and users.", callback=on_primary)

    @group.command("create-tables")
    def create_tables() -> None:
        """Create the table of every model, in foreign-key order (safe to re-run)."""
        with connection(db.database):
            created = db.create_tables()
        for name in created:
            click.echo(f"created {name}")
        if not created:
            click.echo("all tables exist")

    @group.command("drop-tables")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def drop_tables(yes: bool) -> None:
        """Drop the table of every model; all their rows are lost."""
        if not yes:
            click.confirm("Drop the table of every model? All their rows are lost", abort=True)
        with connection(db.database):
            dropped = db.drop_tables()
        for name in dropped:
            click.echo(f"dropped {name}")
        if not dropped:
            click.echo("no tables to drop")

    add_migration_commands(group, db)
    add_migrate_check_command(group, lambda: current_app.root_path)
    add_check_command(group)
    return group
