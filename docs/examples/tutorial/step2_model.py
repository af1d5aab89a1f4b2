import datetime

from flask import Flask
from peewee import DateTimeField, TextField

from flask_peewee.db import Database

# configure our database
DATABASE = {
    "name": "example.db",
    "engine": "peewee.SqliteDatabase",
}
DEBUG = True
SECRET_KEY = "ssshhhh"

app = Flask(__name__)
app.config.from_object(__name__)

# instantiate the db wrapper
db = Database(app)


class Note(db.Model):
    message = TextField()
    created = DateTimeField(default=datetime.datetime.now)


if __name__ == "__main__":
    app.run()
