"""``flask fp createsuperuser`` and ``flask fp changepassword``, added to the db layer's ``fp`` group."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click
import peewee

from flask_peewee.auth._policy import password_problems
from flask_peewee.auth._signals import password_changed, send_signal, user_created
from flask_peewee.db import connection

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["register_commands"]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise click.ClickException("The password must not be empty.")
    return password


def _check_policy(password: str, username: str, email: Any) -> None:
    """Refuse a password the policy refuses, with each reason on a line of its own."""
    problems = password_problems(password, username=username, email=email if isinstance(email, str) else None)
    if problems:
        raise click.ClickException("The password was refused:\n" + "\n".join(f"  - {p}" for p in problems))


@contextlib.contextmanager
def _connection(auth: Auth) -> Iterator[None]:
    """Use the database, closing only a connection opened here; turn database errors into messages."""
    try:
        with connection(auth.db):
            yield
    except peewee.DatabaseError as exc:
        raise click.ClickException(f"Database error: {exc}. Are the tables created? (flask fp create-tables)") from None


def _create_superuser(auth: Auth, username: str, email: str, password_stdin: bool) -> None:
    user_model: Any = auth.User
    username = username.strip()
    if not username:
        raise click.ClickException("The username must not be empty.")
    duplicate = click.ClickException(f"A user named {username!r} already exists.")
    if user_model.get_or_none(user_model.username == username) is not None:
        raise duplicate
    password = _read_password(password_stdin)
    _check_policy(password, username, email)
    fields = user_model._meta.fields
    values: dict[str, Any] = {"username": username}
    for name, value in (("email", email), ("admin", True), ("active", True), ("is_superuser", True)):
        if name in fields:
            values[name] = value
    user = user_model(**values)
    user.set_password(password)
    try:
        with auth.db.database.atomic():
            user.save(force_insert=True)
    except peewee.IntegrityError:
        raise duplicate from None
    send_signal(user_created, user=user, source="cli")
    click.echo(f"Created superuser {username!r}.")


def _change_password(auth: Auth, username: str, password_stdin: bool) -> None:
    user_model: Any = auth.User
    user = user_model.get_or_none(user_model.username == username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    password = _read_password(password_stdin)
    _check_policy(password, username, getattr(user, "email", None))
    user.set_password(password)
    user.save(only=[user_model.password])
    auth.revoke_remember_tokens(user)
    send_signal(password_changed, user=user, source="cli")
    click.echo(f"Password changed for {username!r}; the user's existing sessions are ended.")


def _resolve_model(auth: Auth, name: str) -> str:
    """The table name of the registered model called ``name`` (its table name or class name)."""
    wanted = name.strip().lower()
    for model in auth.db.models:
        if wanted in (model._meta.table_name.lower(), model.__name__.lower()):
            return model._meta.table_name
    known = sorted({m._meta.table_name for m in auth.db.models if not m._meta.table_name.startswith("fp_")})
    raise click.ClickException(f"No model named {name!r}. Known models: {', '.join(known) or '(none)'}.")


def _change_grants(auth: Auth, username: str, model_name: str, actions: tuple[str, ...], grant: bool) -> None:
    user_model: Any = auth.User
    user = user_model.get_or_none(user_model.username == username)
    if user is None:
        raise click.ClickException(f"No user named {username!r}.")
    table = _resolve_model(auth, model_name)
    known = auth.permission_policy.actions
    unknown = [a for a in actions if a not in known]
    if unknown:
        raise click.ClickException(f"Unknown action(s) {', '.join(unknown)}; use {', '.join(known)}.")
    with auth.db.database.atomic():
        for action in dict.fromkeys(actions):
            if grant:
                auth.grant_permission(user, table, action)
                click.echo(f"Granted {action} on {table} to {username!r}.")
            elif auth.revoke_permission(user, table, action):
                click.echo(f"Revoked {action} on {table} from {username!r}.")
            else:
                click.echo(f"{username!r} had no {action} grant on {table}.")


def register_commands(auth: Auth) -> None:
    """Add the user commands of ``auth`` to ``auth.db.cli`` (once per group)."""
    group = auth.db.cli
    if "createsuperuser" in group.commands:
        return

    @group.command("createsuperuser")
    @click.option("--username", prompt=True, help="The new user's username.")
    @click.option("--email", default="", help="The new user's email address.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
    def createsuperuser(username: str, email: str, password_stdin: bool) -> None:
        """Create an active admin user (prompts for a hidden, confirmed password)."""
        with _connection(auth):
            _create_superuser(auth, username, email, password_stdin)

    @group.command("changepassword")
    @click.argument("username")
    @click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
    def changepassword(username: str, password_stdin: bool) -> None:
        """Set a new password for USERNAME (ends the user's sessions and remember-me tokens)."""
        with _connection(auth):
            _change_password(auth, username, password_stdin)

    @group.command("grant")
    @click.argument("username")
    @click.argument("model")
    @click.argument("actions", nargs=-1, required=True)
    def grant(username: str, model: str, actions: tuple[str, ...]) -> None:
        """Let USERNAME do ACTIONS (view, add, change, delete, export) on MODEL (table or class name)."""
        with _connection(auth):
            _change_grants(auth, username, model, actions, grant=True)

    @group.command("revoke")
    @click.argument("username")
    @click.argument("model")
    @click.argument("actions", nargs=-1, required=True)
    def revoke(username: str, model: str, actions: tuple[str, ...]) -> None:
        """Take back grants of ACTIONS on MODEL from USERNAME."""
        with _connection(auth):
            _change_grants(auth, username, model, actions, grant=False)

    from flask_peewee.auth._group_cli import add_group_commands

    add_group_commands(group, auth)
