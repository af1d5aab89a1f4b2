"""A REST-only app: flask-peewee-rest alone (it brings auth, utils and db), no admin, no wtf-peewee.

    pip install flask-peewee-rest
    flask --app app run

Anyone may read; writes need an API key pair (`?key=...&secret=...` or the X-API-Key and
X-API-Secret headers), as the docs' APIKeyAuthentication shows.
"""

import datetime
import os

from flask import Flask
from peewee import CharField, DateTimeField, TextField

from flask_peewee.db import Database
from flask_peewee.rest import APIKeyAuthentication, RestAPI, RestResource

app = Flask(__name__)
app.config["DATABASE"] = os.environ.get("DATABASE_URL", "sqlite:///notes_api.db")
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "change me")

db = Database(app)


class APIKey(db.Model):
    key = CharField(unique=True)
    secret = CharField()


class Note(db.Model):
    title = CharField()
    body = TextField(default="")
    created = DateTimeField(default=datetime.datetime.now)


class NoteResource(RestResource):
    paginate_by = 10
    filter_fields = ("title", "created")


api = RestAPI(app, default_auth=APIKeyAuthentication(APIKey))
api.register(Note, NoteResource)
api.setup()


if __name__ == "__main__":
    db.create_tables()
    app.run()
