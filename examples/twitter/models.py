"""The example's models: users who post messages and follow each other."""

import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from app import db
from flask_peewee.auth import BaseUser
from flask_peewee.utils.uploads import ImageField

# The longest message or note the site takes, through its pages, the admin panel and the API alike.
MAX_MESSAGE_LENGTH = 1000


class User(db.Model, BaseUser):
    username = CharField(unique=True)
    password = CharField()
    email = CharField()
    join_date = DateTimeField(default=datetime.datetime.now)
    active = BooleanField(default=True)
    admin = BooleanField(default=False)
    # an uploaded picture (flask-peewee-utils[images]): an upload control in the admin, a URL in the API
    avatar = ImageField(null=True)

    def __str__(self):
        return self.username

    def following(self):
        return User.select().join(Relationship, on=Relationship.to_user).where(Relationship.from_user == self)

    def followers(self):
        return User.select().join(Relationship, on=Relationship.from_user).where(Relationship.to_user == self)

    def is_following(self, user):
        return Relationship.select().where((Relationship.from_user == self) & (Relationship.to_user == user)).exists()


class Relationship(db.Model):
    from_user = ForeignKeyField(User, backref="relationships")
    to_user = ForeignKeyField(User, backref="related_to")

    class Meta:
        indexes = ((("from_user", "to_user"), True),)

    def __str__(self):
        return f"{self.from_user} follows {self.to_user}"


class Message(db.Model):
    user = ForeignKeyField(User, backref="messages")
    content = TextField()
    pub_date = DateTimeField(default=datetime.datetime.now)

    def __str__(self):
        return f"{self.user}: {self.content}"


class Note(db.Model):
    user = ForeignKeyField(User)
    message = TextField()
    created = DateTimeField(default=datetime.datetime.now)
