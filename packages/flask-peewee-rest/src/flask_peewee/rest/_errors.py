"""JSON error responses: every error the API gives is ``{"error": message, ...}`` with its status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app

from flask_peewee.utils import serialize_value

__all__ = ["ApiError", "RestForbidden", "json_response"]


def _default(value: Any) -> Any:
    converted = serialize_value(None, value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return converted


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response; values the wire format knows (datetimes, Decimal, UUID...) are converted."""
    body = json.dumps(data, default=_default, ensure_ascii=False)
    return current_app.response_class(body, status=status, headers=dict(headers or {}), mimetype="application/json")


class ApiError(Exception):
    """An error answered to the client as JSON: ``{"error": message, **extra}`` with ``status``.

    Raise it from a resource hook to stop the request with that answer, e.g.
    ``raise ApiError(409, "Already archived")``.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra

    def get_response(self) -> Response:
        """The JSON response for this error."""
        return json_response({"error": self.message, **self.extra}, self.status, self.headers)


class RestForbidden(ApiError):
    """Raised from a resource hook (e.g. ``save_related_objects``) to answer 403 and roll the write back.

    Kept for compatibility with the original flask-peewee; the answer is the resource's
    ``response_forbidden()``.
    """

    def __init__(self, message: str = "Forbidden") -> None:
        super().__init__(403, message)
