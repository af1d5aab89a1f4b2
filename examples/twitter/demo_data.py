"""Demo data for the example app: a few users, follows and messages, and an admin account."""

import datetime
import secrets

from playhouse.migrate import SchemaMigrator, migrate

from main import db
from models import Message, Relationship, User

PEOPLE = {
    "alice": ["Just set up my flask-peewee app. It took ten minutes.", "peewee queries read like SQL, nice."],
    "bob": ["Hello, world!", "Anyone here running this on PostgreSQL?", "Yes: set DATABASE_URL and go."],
    "carol": ["Admin, REST and auth in five small packages.", "Following alice for the tips."],
}
FOLLOWS = [("alice", "bob"), ("bob", "alice"), ("carol", "alice"), ("admin", "carol")]


def _add_avatar_column():
    """A demo database made before avatars existed gets the column (the demo keeps its SQLite file)."""
    database = User._meta.database
    if "avatar" not in {column.name for column in database.get_columns(User._meta.table_name)}:
        migrate(SchemaMigrator.from_database(database).add_column(User._meta.table_name, "avatar", User.avatar))


def load(admin_password: str | None = None) -> str:
    """Create the tables, add the demo rows once, and (re)set the admin's password; return it."""
    db.create_tables()
    _add_avatar_column()
    password = admin_password or secrets.token_urlsafe(9)
    with db.database.atomic():
        admin = User.get_or_none(User.username == "admin")
        if admin is None:
            admin = User(username="admin", email="admin@example.com", admin=True, active=True)
        admin.set_password(password)
        admin.save()
        if not User.select().where(User.username == "alice").exists():
            start = datetime.datetime.now().replace(second=0, microsecond=0) - datetime.timedelta(days=2)
            users = {"admin": admin}
            for n, (name, lines) in enumerate(PEOPLE.items()):
                person = User(username=name, email=f"{name}@example.com")
                person.set_password(secrets.token_urlsafe(12))
                person.save()
                users[name] = person
                for m, line in enumerate(lines):
                    Message.create(user=person, content=line, pub_date=start + datetime.timedelta(hours=5 * n + m))
            for a, b in FOLLOWS:
                Relationship.create(from_user=users[a], to_user=users[b])
    return password
