"""The ``flask fp`` command group owned by :class:`~flask_peewee.db.Database`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

if TYPE_CHECKING:
    from flask_peewee.db._database import Database

__all__ = ["make_group"]


def make_group(db: Database) -> click.Group:
    """Build the ``fp`` group for ``db``; higher layers add commands to it."""
    group = AppGroup("fp", help="flask-peewee: tables, migrations and users.")

    @group.command("create-tables")
    def create_tables() -> None:
        """Create the table of every model (safe to re-run)."""
        created = db.create_tables()
        for name in created:
            click.echo(f"created {name}")
        if not created:
            click.echo("all tables exist")

    @group.command("drop-tables")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def drop_tables(yes: bool) -> None:
        """Drop the table of every model."""
        if not yes:
            click.confirm("Drop every table of every model? All their rows are lost", abort=True)
        for name in db.drop_tables():
            click.echo(f"dropped {name}")

    return group
