"""Wires the example together: import this module to get the whole app.

cd examples/twitter && flask --app main run
"""

import views  # noqa: F401  (registers the routes)
from admin import admin
from api import api
from app import app, db
from auth import auth
from models import Message, Note, Relationship, User

__all__ = ["Message", "Note", "Relationship", "User", "admin", "api", "app", "auth", "db"]


if __name__ == "__main__":
    db.create_tables()
    app.run()
