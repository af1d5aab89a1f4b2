"""A small app written only with the original flask-peewee's API, the way public projects use it.

It is never edited for our packages: compat/test_oldstyle_app.py runs it and checks that
``flask fp migrate-check`` says what it needs (only its login template must change).
"""

import datetime

from flask import Flask, jsonify, render_template

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth, BaseUser
from flask_peewee.db import BooleanField, CharField, Database, DateTimeField, ForeignKeyField, TextField
from flask_peewee.exceptions import ImproperlyConfigured
from flask_peewee.filters import FilterMapping, QueryFilter
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication
from flask_peewee.serializer import Serializer
from flask_peewee.utils import get_dictionary_from_model, get_object_or_404, object_list

app = Flask(__name__)
app.config.update(
    DATABASE={"name": "oldstyle.db", "engine": "peewee.SqliteDatabase", "threadlocals": True},
    SECRET_KEY="oldstyle",
)
db = Database(app)


class User(db.Model, BaseUser):
    username = CharField(unique=True)
    password = CharField()
    email = CharField()
    join_date = DateTimeField(default=datetime.datetime.now)
    active = BooleanField(default=True)
    admin = BooleanField(default=False)

    def __unicode__(self):
        return self.username


class Post(db.Model):
    author = ForeignKeyField(User, related_name="posts")
    title = CharField()
    body = TextField()
    published = BooleanField(default=False)


auth = Auth(app, db, user_model=User)
admin = Admin(app, auth, branding="Old Style")


class PostAdmin(ModelAdmin):
    columns = ("title", "author", "published")
    export_exclude = ("body",)


auth.register_admin(admin)
admin.register(Post, PostAdmin)

api = RestAPI(app, default_auth=UserAuthentication(auth))


class UserResource(RestResource):
    exclude = ("password", "email")
    readonly_fields = ("admin", "active")


class PostResource(RestResource):
    include_resources = {"author": UserResource}

    def get_urls(self):
        return super().get_urls() + (("/published/", self.published),)

    def published(self):
        query = self.get_query().where(Post.published == True)
        return self.response({"titles": [p.title for p in query]})


api.register(User, UserResource)
api.register(Post, PostResource)
admin.setup()
api.setup()


@app.route("/")
def index():
    return object_list("index.html", Post.select().order_by(Post.id), "post_list")


@app.route("/post/<int:pk>.json")
def post_json(pk):
    post = get_object_or_404(Post, Post.id == pk)
    return jsonify(Serializer().serialize_object(post))


@app.route("/author/<int:pk>.json")
def author_json(pk):
    return jsonify(get_dictionary_from_model(get_object_or_404(User, User.id == pk)))


@app.route("/staff/")
@auth.admin_required
def staff():
    return render_template("index.html", post_list=[])


def check_config():
    if not app.config.get("SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY")


__all__ = ["FilterMapping", "QueryFilter"]
