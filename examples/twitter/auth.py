"""Authentication with the example's own User model, as the docs' "custom User model" shows."""

from app import app, db
from flask_peewee.auth import Auth
from models import User


class CustomAuth(Auth):
    def get_user_model(self):
        return User


auth = CustomAuth(app, db)
