"""The cursors of keyset pagination: the key a page is ordered by, and signed, opaque cursors over it.

A cursor is the key of a page's first or last row and a direction, signed with the app's
``SECRET_KEY`` (opaque to clients, refused when altered). This module only encodes, signs
and reads cursors; :class:`~flask_peewee.rest._pagination.CursorPagination` walks the pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

import peewee
from flask import request

from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._query import hidden_paths
from flask_peewee.utils import (
    ConversionError,
    keyset_key,
    keyset_values,
    parse_ordering,
    parse_value,
    serialize_value,
    sign,
    unsign,
)

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["CURSOR_PARAM", "cursor_keys", "cursor_token", "read_cursor"]

CURSOR_PARAM = "cursor"
_FORWARD, _BACKWARD = "n", "p"
Key = tuple[peewee.Field, bool]  # (column, descending)


def _bad_cursor(reason: str) -> ApiError:
    return ApiError(400, f"Invalid cursor: {reason}", param=CURSOR_PARAM)


def cursor_keys(resource: RestResource) -> list[Key]:
    """The columns a page is ordered by: ``?ordering=`` (serialized fields only), then the primary key."""
    pairs = parse_ordering(resource.model, request.args.getlist("ordering"), exclude=hidden_paths(resource))
    return keyset_key(resource.model, pairs)


def _spec(keys: list[Key]) -> str:
    return ",".join(("-" if descending else "") + field.name for field, descending in keys)


def _salt(resource: RestResource) -> str:
    """Cursors are signed for one resource: a cursor of another one is refused."""
    return f"flask-peewee-rest.cursor.{resource.get_api_name()}"


def encode_cursor(resource: RestResource, keys: list[Key], direction: str, row: peewee.Model) -> str:
    """The cursor pointing after (``n``) or before (``p``) ``row``: base64 JSON and its HMAC."""
    values = [serialize_value(field, value) for (field, _), value in zip(keys, keyset_values(keys, row), strict=True)]
    text = json.dumps({"d": direction, "o": _spec(keys), "v": values}, separators=(",", ":"), default=str)
    body = base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii").rstrip("=")
    return sign(body, salt=_salt(resource))


def _load(resource: RestResource, token: str) -> Any:
    body = unsign(token, salt=_salt(resource))
    if body is None:
        raise _bad_cursor("it was altered or made elsewhere")
    try:
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_cursor("unreadable") from None


def decode_cursor(resource: RestResource, keys: list[Key], token: str) -> tuple[str, list[Any]]:
    """``(direction, key values)`` of a cursor made by this resource for this ordering; 400 otherwise."""
    payload = _load(resource, token)
    if not isinstance(payload, dict) or payload.get("d") not in (_FORWARD, _BACKWARD):
        raise _bad_cursor("unreadable")
    if payload.get("o") != _spec(keys):
        raise _bad_cursor("it was made for another ordering")
    raw = payload.get("v")
    if not isinstance(raw, list) or len(raw) != len(keys):
        raise _bad_cursor("unreadable")
    try:
        values = [
            None if value is None else parse_value(field, value) for (field, _), value in zip(keys, raw, strict=True)
        ]
    except ConversionError:
        raise _bad_cursor("unreadable") from None
    return payload["d"], values


def read_cursor(resource: RestResource, keys: list[Key]) -> tuple[bool, list[Any] | None]:
    """The request's ``?cursor=``: whether it reads backward, and the key values it starts after (None: none given)."""
    token = request.args.get(CURSOR_PARAM, "")
    if not token:
        return False, None
    direction, values = decode_cursor(resource, keys, token)
    return direction == _BACKWARD, values


def cursor_token(resource: RestResource, keys: list[Key], row: peewee.Model, *, backward: bool) -> str:
    """The cursor of the page after ``row`` (or before it, ``backward``)."""
    return encode_cursor(resource, keys, _BACKWARD if backward else _FORWARD, row)
