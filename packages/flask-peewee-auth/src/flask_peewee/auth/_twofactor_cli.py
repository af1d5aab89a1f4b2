"""``flask fp reset-2fa USERNAME``: an administrator removes a user's second factor (audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from flask_peewee.auth._cli import _connection

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["register_two_factor_commands"]


def register_two_factor_commands(auth: Auth) -> None:
    """Add ``reset-2fa`` to ``auth.db.cli`` (once per group; only when two-factor is on)."""
    group = auth.db.cli
    if "reset-2fa" in group.commands:
        return

    @group.command("reset-2fa")
    @click.argument("username")
    def reset_2fa(username: str) -> None:
        """Remove USERNAME's second factor and recovery codes and end the user's sessions (audited)."""
        with _connection(auth):
            user_model: Any = auth.User
            user = user_model.get_or_none(user_model.username == username)
            if user is None:
                raise click.ClickException(f"No user named {username!r}.")
            if auth.reset_second_factor(user, source="cli"):
                click.echo(f"Removed the second factor of {username!r}; the user's sessions are ended.")
            else:
                click.echo(f"{username!r} has no second factor; the user's sessions are ended.")
