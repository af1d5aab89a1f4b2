"""The benchmark's data set, built with plain peewee (no flask-peewee) so both sides read the same rows.

    python dataset.py sqlite PATH --messages N [--users U]
    python dataset.py pg-create DSN NAME --messages N [--users U]
    python dataset.py pg-clone DSN TEMPLATE NAME
    python dataset.py pg-drop DSN NAME [NAME ...]
    python dataset.py pg-ping DSN

Tables ``user`` (username, password, email, active, admin) and ``message`` (user, content,
pub_date); user 1 is the admin. Passwords are placeholders: each side sets the benchmark
user's password with its own (cheap) scheme before timing. Runs with peewee 3.17 or 4.x.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any

import peewee

from _harness import pg_params

USERS = 100
BATCH = 5000
LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."
START = datetime.datetime(2024, 1, 1, 8, 0, 0)


def models(database: peewee.Database) -> tuple[type[peewee.Model], type[peewee.Model]]:
    """The data set's ``User`` and ``Message``: plain peewee models bound to ``database`` (the floor uses them)."""

    class Base(peewee.Model):
        class Meta:
            pass

    Base._meta.set_database(database)

    class User(Base):
        username = peewee.CharField(max_length=255, unique=True)
        password = peewee.CharField(max_length=255)
        email = peewee.CharField(max_length=255)
        active = peewee.BooleanField(default=True)
        admin = peewee.BooleanField(default=False)

        class Meta:
            table_name = "user"

    class Message(Base):
        user = peewee.ForeignKeyField(User, backref="messages")
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(index=True)

        class Meta:
            table_name = "message"

    return User, Message


def fill(database: peewee.Database, messages: int, users: int = USERS) -> None:
    """Create the two tables in ``database`` and insert ``users`` users and ``messages`` messages."""
    User, Message = models(database)
    database.connect(reuse_if_open=True)
    try:
        database.drop_tables([Message, User], safe=True)
        database.create_tables([User, Message])
        with database.atomic():
            User.insert_many(
                [(f"user{i}", "!", f"user{i}@example.com", True, i == 1) for i in range(1, users + 1)],
                fields=[User.username, User.password, User.email, User.active, User.admin],
            ).execute()
        fields = [Message.user, Message.content, Message.pub_date]
        for start in range(0, messages, BATCH):
            rows = [
                ((i % users) + 1, f"Message {i + 1}: {LOREM}", START + datetime.timedelta(minutes=i))
                for i in range(start, min(messages, start + BATCH))
            ]
            with database.atomic():
                Message.insert_many(rows, fields=fields).execute()
    finally:
        database.close()


def _server(dsn: str) -> peewee.PostgresqlDatabase:
    database = peewee.PostgresqlDatabase("postgres", **pg_params(dsn))
    database.connect()
    database.connection().autocommit = True
    return database


def pg_ping(dsn: str) -> bool:
    try:
        _server(dsn).close()
    except Exception as exc:  # any driver or connection error means "not reachable"
        print(f"PostgreSQL not reachable at {dsn}: {exc}", file=sys.stderr)
        return False
    return True


def pg_create(dsn: str, name: str, messages: int, users: int) -> None:
    server = _server(dsn)
    server.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')
    server.execute_sql(f'CREATE DATABASE "{name}"')
    server.close()
    database = peewee.PostgresqlDatabase(name, **pg_params(dsn))
    fill(database, messages, users)
    database.connect()
    database.execute_sql("ANALYZE")
    database.close()


def pg_clone(dsn: str, template: str, name: str) -> None:
    server = _server(dsn)
    server.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')
    server.execute_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    server.close()


def pg_drop(dsn: str, *names: str) -> None:
    server = _server(dsn)
    for name in names:
        server.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')
    server.close()


def _option(args: list[str], name: str, default: Any = None) -> Any:
    if name in args:
        return int(args[args.index(name) + 1])
    return default


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    messages = _option(rest, "--messages")
    users = _option(rest, "--users", USERS)
    if command == "sqlite":
        fill(peewee.SqliteDatabase(rest[0]), messages, users)
    elif command == "pg-create":
        pg_create(rest[0], rest[1], messages, users)
    elif command == "pg-clone":
        pg_clone(rest[0], rest[1], rest[2])
    elif command == "pg-drop":
        pg_drop(rest[0], *rest[1:])
    elif command == "pg-ping":
        return 0 if pg_ping(rest[0]) else 1
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
