"""``flask fp token issue|revoke|list``: API tokens from the command line, on the db layer's ``fp`` group."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click
import peewee
from flask.cli import AppGroup

from flask_peewee.auth import Auth, get_auth
from flask_peewee.db import ImproperlyConfigured, connection
from flask_peewee.rest._tokens import get_token_model, issue_token, revoke_token, revoke_tokens, utcnow

if TYPE_CHECKING:
    from flask_peewee.db import Database

__all__ = ["register_token_commands"]


def _auth() -> Auth:
    try:
        return get_auth()
    except ImproperlyConfigured as exc:
        raise click.ClickException(f"API tokens need exactly one flask_peewee.auth.Auth on the app: {exc}.") from None


def _user(auth: Any, username: str) -> Any:
    user = auth.User.get_or_none(auth.User.username == username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    return user


@contextlib.contextmanager
def _connection(db: Database) -> Iterator[None]:
    """Use the database (closing only a connection opened here); database errors become messages."""
    try:
        with connection(db):
            yield
    except peewee.DatabaseError as exc:
        raise click.ClickException(f"Database error: {exc}. Are the tables created? (flask fp create-tables)") from None


def _when(moment: datetime.datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def register_token_commands(db: Database) -> None:
    """Add the ``token`` group to ``db.cli`` (once per ``Database``)."""
    if "token" in db.cli.commands:
        return
    group = AppGroup("token", help="API tokens for Authorization: Bearer (only their hash is stored).")

    @group.command("issue")
    @click.argument("username")
    @click.argument("name")
    @click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after this many days.")
    def issue(username: str, name: str, days: int | None) -> None:
        """Issue a token named NAME for USERNAME and print it (it is shown only this once)."""
        with _connection(db):
            user = _user(_auth(), username)
            expires = datetime.timedelta(days=days) if days else None
            try:
                token = issue_token(user, name, expires, db=db)
            except (TypeError, ValueError) as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(token)
        click.echo("Store it now: only its hash is kept, it cannot be shown again.", err=True)

    @group.command("revoke")
    @click.argument("token", required=False)
    @click.option("--user", "username", help="Revoke the tokens of this user instead.")
    @click.option("--name", help="With --user: only the tokens with this name.")
    def revoke(token: str | None, username: str | None, name: str | None) -> None:
        """Revoke TOKEN (the token or its id, as `list` shows), or the tokens of --user."""
        if (token is None) == (username is None):
            raise click.UsageError("Give either a TOKEN (or token id) or --user USERNAME.")
        if name is not None and username is None:
            raise click.UsageError("--name goes with --user.")
        with _connection(db):
            if username is not None:
                count = revoke_tokens(_user(_auth(), username), name, db=db)
                click.echo(f"revoked {count} token{'s' if count != 1 else ''}")
                return
            try:
                revoked = revoke_token(token or "", db=db)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        if not revoked:
            raise click.ClickException("No live token matches.")
        click.echo("revoked 1 token")

    @group.command("list")
    @click.argument("username")
    def list_tokens(username: str) -> None:
        """List the tokens of USERNAME: id, name, created, last used, expires, state."""
        model = get_token_model(db)
        with _connection(db):
            user = _user(_auth(), username)
            rows = list(model.select().where(model.user_id == user.get_id()).order_by(model.created, model.id))
        if not rows:
            click.echo(f"{username} has no tokens")
            return
        now = utcnow()
        click.echo("\t".join(("id", "name", "created", "last_used", "expires", "state")))
        for row in rows:
            state = "revoked" if row.revoked else ("live" if row.is_usable(now) else "expired")
            fields = (row.token_id, row.name, _when(row.created), _when(row.last_used), _when(row.expires), state)
            click.echo("\t".join(fields))

    db.cli.add_command(group)
