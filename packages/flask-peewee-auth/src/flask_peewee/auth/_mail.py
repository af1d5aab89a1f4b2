"""Mail for the account views through Flask-Mail (the ``flask-peewee-auth[mail]`` extra), sent off the request.

Bodies are templates an app can override: ``auth/mail/<name>_subject.txt``,
``auth/mail/<name>.txt`` and ``auth/mail/<name>.html``. Sending happens in a background
thread, so an answer does not wait for the mail server and takes as long whether a message
was sent or not (the forgot-password form must not tell which addresses exist).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template

from flask_peewee.auth._settings import MAIL_SENDER
from flask_peewee.db import ImproperlyConfigured

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["build_message", "deliver", "ensure_mail"]

_log = logging.getLogger("flask_peewee.auth")


def _flask_mail() -> Any:
    try:
        import flask_mail
    except ImportError:
        raise ImproperlyConfigured(
            "flask-peewee-auth sends sign-up, password reset and email change mail through Flask-Mail: "
            "pip install 'flask-peewee-auth[mail]'"
        ) from None
    return flask_mail


def ensure_mail(app: Flask) -> None:
    """Set Flask-Mail up on ``app`` (its ``MAIL_*`` keys) unless the app did; a clear error when it is missing."""
    flask_mail = _flask_mail()
    if "mail" not in app.extensions:
        flask_mail.Mail(app)


def build_message(name: str, recipient: str, **context: Any) -> Any:
    """A Flask-Mail ``Message`` to ``recipient`` from the three ``auth/mail/<name>*`` templates."""
    flask_mail = _flask_mail()
    subject = " ".join(render_template(f"auth/mail/{name}_subject.txt", **context).split())
    body = render_template(f"auth/mail/{name}.txt", **context)
    html = render_template(f"auth/mail/{name}.html", **context)
    sender = MAIL_SENDER.get(current_app.config)
    return flask_mail.Message(subject=subject, recipients=[recipient], body=body, html=html, sender=sender)


def _send(app: Flask, message: Any) -> None:
    with app.app_context():
        try:
            app.extensions["mail"].send(message)
        except Exception:  # the request answered already: log it, nobody else can see it
            _log.exception("flask-peewee-auth: could not send the mail %r", getattr(message, "subject", ""))


def deliver(message: Any | None) -> threading.Thread:
    """Send ``message`` in a background thread with the app's context; None sends nothing the same way.

    Returns the thread (started), so tests and scripts can ``join()`` it.
    """
    proxy: Any = current_app
    app = proxy._get_current_object()
    if message is None:
        thread = threading.Thread(target=lambda: None, name="flask-peewee-auth-mail", daemon=True)
    else:
        thread = threading.Thread(target=_send, args=(app, message), name="flask-peewee-auth-mail", daemon=True)
    thread.start()
    return thread
