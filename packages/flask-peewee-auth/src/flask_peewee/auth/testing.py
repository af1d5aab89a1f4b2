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
from flask_peewee.auth._auth import EXTENSION_KEY
from flask_peewee.db import connection

__all__ = ["log_in", "log_out"]


def _auth_of(app: Any, user: Any) -> Any:
    auths = list(app.extensions.get(EXTENSION_KEY, {}).values())
    for auth in auths:
        if isinstance(user, auth.User):
            return auth
    if not auths:
        raise RuntimeError("log_in() needs an Auth set up on the client's app")
    return auths[0]


def log_in(client: Any, user: Any) -> None:
    """Store a login of ``user`` in ``client``'s session, exactly as a login through the form would.

    The session is recorded in ``fp_auth_session`` like any other, so a logout ends it.
    """
    app = client.application
    auth = _auth_of(app, user)
    with app.test_request_context(), client.session_transaction() as session:
        with connection(auth.db):
            sid = auth._live.start(user, session.get(_sessions.SESSION_ID))
        token = _sessions.session_token(user.get_id(), getattr(user, "password", None))
        session.clear()
        session[_sessions.LOGGED_IN] = True
        session[_sessions.USER_PK] = user.get_id()
        session[_sessions.TOKEN] = token
        session[_sessions.LOGIN_TIME] = int(time.time())
        session[_sessions.SESSION_ID] = sid


def log_out(client: Any) -> None:
    """Forget ``client``'s session."""
    with client.session_transaction() as session:
        session.clear()
