"""The Flask app and its database wrapper, as the flask-peewee docs set them up."""

import os

from flask import Flask

from flask_peewee.db import Database

app = Flask(__name__)
app.config.from_object("config.Configuration")
# DATABASE_URL from the environment switches the app to PostgreSQL (or another server).
if os.environ.get("DATABASE_URL"):
    app.config["DATABASE"] = os.environ["DATABASE_URL"]

db = Database(app)
