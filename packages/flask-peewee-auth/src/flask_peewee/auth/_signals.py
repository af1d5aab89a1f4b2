"""Blinker signals sent by auth, the admin and the REST API, so apps can log, notify or invalidate caches.

Every signal is sent with the Flask app as sender. Subscribe with
``user_logged_in.connect(receiver, app)`` (or without the app for every app); receivers get
the app and the keyword arguments documented on each signal and in docs/auth.rst.
"""

from __future__ import annotations

from typing import Any, cast

from blinker import Namespace
from flask import current_app, has_app_context

__all__ = [
    "object_changed",
    "object_created",
    "object_deleted",
    "password_changed",
    "send_signal",
    "user_created",
    "user_logged_in",
    "user_logged_out",
    "user_login_failed",
]

_signals = Namespace()

#: A user logged in through :meth:`Auth.login_user` (the login form among others). ``user``.
user_logged_in = _signals.signal("user-logged-in")
#: :meth:`Auth.authenticate` refused a username and password (not sent when throttled). ``username``.
user_login_failed = _signals.signal("user-login-failed")
#: :meth:`Auth.logout_user` ended the requesting user's login. ``user`` (None when nobody was logged in).
user_logged_out = _signals.signal("user-logged-out")
#: The library stored a new password hash for a user. ``user``, ``source`` ("cli", "admin", "reset", "change").
password_changed = _signals.signal("password-changed")
#: The library created a user. ``user``, ``source`` ("cli", "admin", "signup").
user_created = _signals.signal("user-created")
#: The admin or the REST API added an object, after its transaction committed.
#: ``object``, ``model``, ``user``, ``source`` ("admin", "rest"), ``entry`` (the audit entry or None).
object_created = _signals.signal("object-created")
#: The admin or the REST API changed an object, after its transaction committed (same arguments).
object_changed = _signals.signal("object-changed")
#: The admin or the REST API deleted an object, after its transaction committed (same arguments).
object_deleted = _signals.signal("object-deleted")


def send_signal(signal: Any, **kwargs: Any) -> None:
    """Send ``signal`` with the current app as sender; nothing to do (and no cost) without receivers."""
    if not signal.receivers or not has_app_context():
        return
    signal.send(cast(Any, current_app)._get_current_object(), **kwargs)
