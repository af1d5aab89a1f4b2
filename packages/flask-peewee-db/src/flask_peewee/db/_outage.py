"""A database that cannot be reached (or a pool with no free connection) answers 503, not 500.

It imports no other module of the package, like ``_connection``.
"""

from __future__ import annotations

import logging
from typing import Any

import peewee
from flask import Flask, Response
from playhouse.pool import MaxConnectionsExceeded, PooledDatabase

__all__ = ["OUTAGE_ERRORS", "RETRY_AFTER", "discard_connection", "install_outage_handler", "outage_response"]

#: seconds a client is asked to wait (``Retry-After``) before trying again
RETRY_AFTER = 5

#: what a request gets when the database is unreachable, busy or gone away mid-request, or
#: when the pool had no connection to give within its ``timeout``
OUTAGE_ERRORS: tuple[type[Exception], ...] = (peewee.OperationalError, peewee.InterfaceError, MaxConnectionsExceeded)

_PAGE = (
    "<!doctype html>\n<html lang=en><meta charset=utf-8><title>503 Service Unavailable</title>\n"
    "<h1>Service Unavailable</h1>\n<p>The database cannot be reached right now. "
    "Please try again in a few seconds.</p>\n"
)
_log = logging.getLogger("flask_peewee.db")


def outage_response(exc: BaseException) -> Response:
    """A plain 503 page with ``Retry-After``; the error is logged, never shown."""
    _log.warning("Request failed: database unavailable (%s: %s)", type(exc).__name__, exc)
    return Response(_PAGE, 503, {"Retry-After": str(RETRY_AFTER)}, mimetype="text/html")


def install_outage_handler(app: Flask) -> None:
    """Answer :data:`OUTAGE_ERRORS` with :func:`outage_response` unless the app handles them itself.

    Blueprint handlers (the REST API's JSON 503) win over this app-wide one.
    """
    own = app.error_handler_spec.get(None, {}).get(None, {})
    for error in OUTAGE_ERRORS:
        if error not in own:
            app.register_error_handler(error, outage_response)


def discard_connection(database: peewee.Database) -> None:
    """Drop this thread's connection of ``database`` without reusing it: a pool forgets it, the driver closes it.

    For a connection peewee refuses to close the usual way (a transaction left open on it,
    the server gone): the next request of this thread starts on a fresh one.
    """
    state: Any = getattr(database, "_state")  # noqa: B009 - peewee's per-thread state, not in its stubs
    conn = state.conn
    state.reset()
    if conn is None:
        return
    if isinstance(database, PooledDatabase):
        pool: Any = database
        with pool._pool_lock:
            pool._in_use.pop(pool.conn_key(conn), None)
            pool._pool_available.notify()
    try:
        conn.close()
    except Exception:  # the driver may refuse to close what the server already dropped
        _log.debug("Closing a discarded connection failed", exc_info=True)
