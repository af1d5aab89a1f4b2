"""``flask fp group create|delete|add|remove|grant|revoke|list``: groups of users and their grants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from flask_peewee.auth._cli import _connection, _resolve_model

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["add_group_commands"]

SOURCE = "cli"


def _group(auth: Auth, name: str) -> Any:
    group = auth.get_group(name)
    if group is None:
        raise click.ClickException(f"No group named {name!r}. Create it with: flask fp group create {name!r}")
    return group


def _users(auth: Auth, usernames: tuple[str, ...]) -> list[Any]:
    user_model: Any = auth.User
    users, missing = [], []
    for username in dict.fromkeys(usernames):
        user = user_model.get_or_none(user_model.username == username) if "\x00" not in username else None
        if user is None:
            missing.append(username)
        users.append(user)
    if missing:
        raise click.ClickException(f"No user named {', '.join(repr(m) for m in missing)}.")
    return users


def _actions(auth: Auth, actions: tuple[str, ...]) -> list[str]:
    known = auth.permission_policy.actions
    unknown = [a for a in actions if a not in known]
    if unknown:
        raise click.ClickException(f"Unknown action(s) {', '.join(unknown)}; use {', '.join(known)}.")
    return list(dict.fromkeys(actions))


def _describe(auth: Auth, group: Any) -> None:
    members = auth.get_group_members(group)
    grants = sorted(auth.get_group_permissions(group))
    click.echo(f"{group.name}" + (f": {group.description}" if group.description else ""))
    click.echo("  members: " + (", ".join(str(getattr(u, "username", u)) for u in members) or "(none)"))
    by_model: dict[str, list[str]] = {}
    for model, action in grants:
        by_model.setdefault(model, []).append(action)
    if not by_model:
        click.echo("  grants: (none)")
    for model, actions in by_model.items():
        ordered = [a for a in auth.permission_policy.actions if a in actions]
        click.echo(f"  {model}: {' '.join(ordered)}")


def add_group_commands(group: click.Group, auth: Auth) -> None:
    """Add the ``group`` sub-group of commands of ``auth`` to the ``fp`` group."""

    @group.group("group")
    def groups() -> None:
        """Groups of users: a member may do what the group's grants allow."""

    @groups.command("create")
    @click.argument("name")
    @click.option("--description", default="", help="A line saying what the group is for.")
    def create(name: str, description: str) -> None:
        """Create the group NAME."""
        with _connection(auth):
            try:
                created = auth.create_group(name, description, source=SOURCE)
            except ValueError as exc:
                raise click.ClickException(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        click.echo(f"Created group {created.name!r}.")

    @groups.command("delete")
    @click.argument("name")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def delete(name: str, yes: bool) -> None:
        """Delete the group NAME with its memberships and grants."""
        with _connection(auth):
            found = _group(auth, name)
            if not yes:
                click.confirm(f"Delete the group {found.name!r}, its memberships and grants?", abort=True)
            auth.delete_group(found, source=SOURCE)
        click.echo(f"Deleted group {found.name!r}.")

    @groups.command("add")
    @click.argument("name")
    @click.argument("usernames", nargs=-1, required=True)
    def add(name: str, usernames: tuple[str, ...]) -> None:
        """Add the users USERNAMES to the group NAME."""
        with _connection(auth), auth.db.database.atomic():
            found = _group(auth, name)
            for user in _users(auth, usernames):
                if auth.add_to_group(user, found, source=SOURCE):
                    click.echo(f"Added {user.username!r} to {found.name!r}.")
                else:
                    click.echo(f"{user.username!r} was already in {found.name!r}.")

    @groups.command("remove")
    @click.argument("name")
    @click.argument("usernames", nargs=-1, required=True)
    def remove(name: str, usernames: tuple[str, ...]) -> None:
        """Take the users USERNAMES out of the group NAME."""
        with _connection(auth), auth.db.database.atomic():
            found = _group(auth, name)
            for user in _users(auth, usernames):
                if auth.remove_from_group(user, found, source=SOURCE):
                    click.echo(f"Removed {user.username!r} from {found.name!r}.")
                else:
                    click.echo(f"{user.username!r} was not in {found.name!r}.")

    @groups.command("grant")
    @click.argument("name")
    @click.argument("model")
    @click.argument("actions", nargs=-1, required=True)
    def grant(name: str, model: str, actions: tuple[str, ...]) -> None:
        """Let the members of NAME do ACTIONS (view, add, change, delete, export) on MODEL."""
        with _connection(auth):
            found = _group(auth, name)
            table = _resolve_model(auth, model)
            wanted = _actions(auth, actions)
            with auth.db.database.atomic():
                for action in wanted:
                    auth.grant_group_permission(found, table, action, source=SOURCE)
                    click.echo(f"Granted {action} on {table} to group {found.name!r}.")

    @groups.command("revoke")
    @click.argument("name")
    @click.argument("model")
    @click.argument("actions", nargs=-1, required=True)
    def revoke(name: str, model: str, actions: tuple[str, ...]) -> None:
        """Take back the grants of ACTIONS on MODEL from the group NAME."""
        with _connection(auth):
            found = _group(auth, name)
            table = _resolve_model(auth, model)
            wanted = _actions(auth, actions)
            with auth.db.database.atomic():
                for action in wanted:
                    if auth.revoke_group_permission(found, table, action, source=SOURCE):
                        click.echo(f"Revoked {action} on {table} from group {found.name!r}.")
                    else:
                        click.echo(f"Group {found.name!r} had no {action} grant on {table}.")

    @groups.command("list")
    @click.argument("name", required=False)
    def list_groups(name: str | None) -> None:
        """List the groups with their members and grants (or only the group NAME)."""
        with _connection(auth):
            chosen = [_group(auth, name)] if name is not None else auth.get_groups()
            if not chosen:
                click.echo("No groups. Create one with: flask fp group create NAME")
            for found in chosen:
                _describe(auth, found)
