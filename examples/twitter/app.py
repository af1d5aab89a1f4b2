"""The Flask app and its database wrapper, as the flask-peewee docs set them up."""

import os
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel

from flask_peewee.db import Database

app = Flask(__name__)
app.config.from_object("config.Configuration")
# DATABASE_URL from the environment switches the app to PostgreSQL (or another server).
if os.environ.get("DATABASE_URL"):
    app.config["DATABASE"] = os.environ["DATABASE_URL"]

db = Database(app)

# The admin and the login pages in the visitor's language (flask-peewee's catalogues, and the app's own
# in translations/ for its model and field names and its links): ``?lang=de`` on any page is kept in
# the session; otherwise the browser's Accept-Language chooses.
LANGUAGES = ("en", "de", "fr", "es")


@app.before_request
def remember_language():
    if request.args.get("lang") in LANGUAGES:
        session["lang"] = request.args["lang"]


def select_locale():
    return session.get("lang") or request.accept_languages.best_match(LANGUAGES)


def compile_translations(folder):
    """Compile the example's own catalogues (translations/<lang>/LC_MESSAGES/messages.po: its model and
    field names, panels and links) to the .mo files Flask-Babel reads, when missing or older than the .po."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(folder).glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")  # several workers may start at once
        with partial.open("wb") as f:
            write_mo(f, catalog)
        os.replace(partial, mo)


compile_translations(Path(app.root_path) / "translations")
babel = Babel(app, locale_selector=select_locale)  # the app's catalogue: translations/ beside this file
