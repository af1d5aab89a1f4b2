"""The Flask app and its database wrapper, as the flask-peewee docs set them up."""

import os

from flask import Flask, request, session
from flask_babel import Babel

from flask_peewee.db import Database

app = Flask(__name__)
app.config.from_object("config.Configuration")
# DATABASE_URL from the environment switches the app to PostgreSQL (or another server).
if os.environ.get("DATABASE_URL"):
    app.config["DATABASE"] = os.environ["DATABASE_URL"]

db = Database(app)

# The admin and the login pages in the visitor's language (flask-peewee's catalogues): ``?lang=de``
# on any page is kept in the session; otherwise the browser's Accept-Language chooses.
LANGUAGES = ("en", "de", "fr", "es")


@app.before_request
def remember_language():
    if request.args.get("lang") in LANGUAGES:
        session["lang"] = request.args["lang"]


def select_locale():
    return session.get("lang") or request.accept_languages.best_match(LANGUAGES)


babel = Babel(app, locale_selector=select_locale)
