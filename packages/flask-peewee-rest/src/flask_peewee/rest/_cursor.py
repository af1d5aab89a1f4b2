"""Keyset (cursor) pagination: pages follow the ordering columns plus the primary key, never an OFFSET.

A cursor is the key of a page's first or last row and a direction, signed with the app's
``SECRET_KEY`` (opaque to clients, refused when altered). Each page costs one query whatever
its depth: ``WHERE (keys) after/before the cursor ORDER BY keys LIMIT n + 1``, built by the
utils keyset toolkit (NULLs last in both directions, as the toolkit's ordering does); this
module only encodes, signs and reads cursors.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

import peewee
from flask import request

from flask_peewee.rest._errors import ApiError
from flask_peewee.rest._query import add_includes, hidden_paths
from flask_peewee.rest._request import page_link
from flask_peewee.utils import (
    ConversionError,
    keyset_condition,
    keyset_key,
    keyset_order,
    keyset_values,
    parse_ordering,
    parse_value,
    serialize_value,
    sign,
    unsign,
)

if TYPE_CHECKING:
    from flask_peewee.rest._resource import RestResource

__all__ = ["CURSOR_PARAM", "cursor_page"]

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


def cursor_page(resource: RestResource, query: peewee.ModelSelect, limit: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``query`` (already filtered) from the request's ``?cursor=``: the rows and the list ``meta``.

    ``meta`` has ``model``, ``limit``, and ``next`` / ``previous`` links (``""`` when there is none)
    keeping the other query parameters.
    """
    keys = cursor_keys(resource)
    token = request.args.get(CURSOR_PARAM, "")
    direction, values = decode_cursor(resource, keys, token) if token else (_FORWARD, None)
    backward = direction == _BACKWARD
    query = query.order_by(*keyset_order(keys, backward=backward))
    if values is not None:
        query = query.where(keyset_condition(keys, values, backward=backward))
    rows = list(add_includes(query.limit(limit + 1), resource))
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    has_next = more if not backward else values is not None
    has_previous = more if backward else values is not None
    following = previous = ""
    if rows:
        if has_next:
            following = page_link(**{CURSOR_PARAM: encode_cursor(resource, keys, _FORWARD, rows[-1]), "page": None})
        if has_previous:
            previous = page_link(**{CURSOR_PARAM: encode_cursor(resource, keys, _BACKWARD, rows[0]), "page": None})
    meta = {"model": resource.get_api_name(), "limit": limit, "previous": previous, "next": following}
    return rows, meta
