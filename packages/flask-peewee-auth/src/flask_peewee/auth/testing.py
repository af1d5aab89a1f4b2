"""Helpers for apps' own tests (and the admin and REST suites): log a test client in without the form.

Usage::

    from flask_peewee.auth.testing import log_in

    def test_dashboard(app, client, auth, user):
        log_in(client, user)
        assert client.get("/admin/").status_code == 200
"""

from __future__ import annotations

import time
from typing import Any

from flask_peewee.auth import _sessions

__all__ = ["log_in", "log_out"]


def log_in(client: Any, user: Any) -> None:
    """Store a login of ``user`` in ``client``'s session, exactly as a login through the form would."""
    with client.application.test_request_context(), client.session_transaction() as session:
        token = _sessions.session_token(user.get_id(), getattr(user, "password", None))
        session.clear()
        session[_sessions.LOGGED_IN] = True
        session[_sessions.USER_PK] = user.get_id()
        session[_sessions.TOKEN] = token
        session[_sessions.LOGIN_TIME] = int(time.time())


def log_out(client: Any) -> None:
    """Forget ``client``'s session."""
    with client.session_transaction() as session:
        session.clear()
