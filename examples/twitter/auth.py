"""Authentication with the example's own User model, as the docs' "custom User model" shows."""

from flask_mail import email_dispatched

from app import app, db
from flask_peewee.auth import Auth
from models import User


class CustomAuth(Auth):
    def get_user_model(self):
        return User


auth = CustomAuth(app, db)


@email_dispatched.connect_via(app)
def print_mail(sender, message, **extra):
    """Without a mail server (MAIL_SUPPRESS_SEND), show each message on the console: the demo's inbox."""
    if sender.extensions["mail"].suppress:
        print(f"--- mail to {', '.join(message.recipients)}: {message.subject}\n{message.body}---", flush=True)
