"""Reading a request: the JSON (or form ``data``) body with a size limit, and the page size (``?limit=``)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._settings import MAX_BODY_SIZE
from flask_peewee.utils.internal import body_within_limit, effective_body_limit

__all__ = ["DEFAULT_MAX_BODY_SIZE", "read_body", "read_limit"]

DEFAULT_MAX_BODY_SIZE = MAX_BODY_SIZE.default
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not valid JSON"
        raise ApiError(400, f"Malformed JSON body: {reason}") from None


def max_body_size() -> int:
    """The largest body accepted: ``FLASK_PEEWEE_REST_MAX_BODY_SIZE`` bytes (1 MiB by default), or the app's
    ``MAX_CONTENT_LENGTH`` when that is smaller. Both are read from ``app.config`` on every request."""
    own = MAX_BODY_SIZE.get(current_app.config)
    limit = effective_body_limit(own, current_app.config.get("MAX_CONTENT_LENGTH"))
    return int(own if limit is None else limit)


def read_body(limit: int | None = None) -> dict[str, Any]:
    """The request body as a dict: JSON, or a form whose ``data`` field holds JSON (or plain form fields).

    Raises :class:`ApiError`: 413 past the size limit (``limit``, default :func:`max_body_size`),
    400 for a body that is empty, not JSON, or not an object. A multipart body holding only
    files reads as an empty dict (the files are in ``request.files``).
    """
    limit = max_body_size() if limit is None else limit
    if not body_within_limit(limit):
        raise ApiError(413, f"Request body too large (limit {limit} bytes)")
    try:
        if request.mimetype in _FORM_TYPES:
            form = request.form
            data: Any = _loads(form["data"]) if "data" in form else {k: form.get(k) for k in form}
        else:
            raw = request.get_data(cache=True)
            if not raw.strip():
                raise ApiError(400, "The request body is empty: send a JSON object")
            data = _loads(raw)
    except RequestEntityTooLarge:
        raise ApiError(413, f"Request body too large (limit {limit} bytes)") from None
    if not isinstance(data, dict):
        raise ApiError(400, f"The request body must be a JSON object, not {type(data).__name__}")
    if not data and not (request.mimetype == "multipart/form-data" and request.files):
        raise ApiError(400, "The request body is empty: send a JSON object")
    return data


def read_limit(default: int | None, maximum: int | None) -> int | None:
    """``?limit=``: at most ``maximum`` (None: no cap); missing or not a positive integer means ``default``."""
    raw = request.args.get("limit")
    try:
        limit = int(raw) if raw is not None and len(raw) <= 20 else None
    except ValueError:
        limit = None
    if limit is None or limit < 1:
        limit = default
    if limit is None or maximum is None:
        return limit
    return min(limit, maximum)
