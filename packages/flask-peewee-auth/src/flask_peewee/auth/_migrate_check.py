"""What auth adds to ``flask fp migrate-check``: the stored password hashes, counted by scheme."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Flask

from flask_peewee.db import connection, migrate_check
from flask_peewee.db.migrate_check import Finding
from flask_peewee.utils.internal import password_scheme

if TYPE_CHECKING:
    from flask_peewee.auth._auth import Auth

__all__ = ["register_migrate_checks"]

# Schemes that verify as they are but are upgraded to the current default at the next login.
_LEGACY = {"sha1": "unsalted sha1", "salted_sha1": "the original flask-peewee's salted sha1", "werkzeug": "werkzeug"}


def _hash_schemes(auth: Auth) -> Iterator[Finding]:
    user_model = auth.User
    field = user_model._meta.fields.get("password")
    if field is None:
        return
    table = user_model._meta.table_name
    with connection(auth.db) as database:
        if not database.table_exists(table):
            return
        counts = Counter(password_scheme(value) for (value,) in user_model.select(field).tuples().iterator())
    for scheme, count in sorted(counts.items()):
        users = "1 user has" if count == 1 else f"{count} users have"
        if scheme in _LEGACY:
            message = (
                f"{users} a password hash in {_LEGACY[scheme]} format: it keeps working and is replaced "
                "by the current scheme at the next login; nothing to do"
            )
        elif scheme == "unknown":
            message = f"{users} a password hash no scheme recognises: they cannot log in until it is reset"
        else:
            message = f"{users} a password hash of scheme {scheme}"
        yield Finding(f"database table {table}", 0, "look", "password-hashes", message)


def register_migrate_checks(app: Flask, auth: Auth) -> None:
    """Count the user table's password-hash schemes when ``flask fp migrate-check`` runs."""
    migrate_check.register(app, lambda: list(_hash_schemes(auth)))
