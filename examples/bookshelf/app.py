"""A db + utils app: flask-peewee-db and flask-peewee-utils alone (no auth, admin or REST).

pip install flask-peewee-utils
flask --app app fp create-tables
flask --app app run
"""

import os

from flask import Flask, render_template
from peewee import CharField, ForeignKeyField, IntegerField

from flask_peewee.db import Database
from flask_peewee.utils import get_object_or_404, object_list, slugify

app = Flask(__name__)
app.config["DATABASE"] = os.environ.get("DATABASE_URL", "sqlite:///bookshelf.db")

db = Database(app)


class Author(db.Model):
    name = CharField()
    slug = CharField(unique=True)

    def save(self, *args, **kwargs):
        self.slug = slugify(self.name)
        return super().save(*args, **kwargs)


class Book(db.Model):
    author = ForeignKeyField(Author, backref="books")
    title = CharField()
    year = IntegerField()


@app.route("/")
def author_list():
    return object_list("authors.html", Author.select().order_by(Author.name), paginate_by=10)


@app.route("/<slug>/")
def author_detail(slug):
    author = get_object_or_404(Author, Author.slug == slug)
    books = author.books.order_by(Book.year)
    return object_list("author.html", books, "book_list", paginate_by=5, author=author)


@app.route("/books/<int:book_id>/")
def book_detail(book_id):
    return render_template("book.html", book=get_object_or_404(Book.select().join(Author), Book.id == book_id))
