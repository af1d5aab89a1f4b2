"""Small helpers for views and models: ``get_object_or_404`` and ``slugify``."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import peewee
from flask import abort

from flask_peewee.utils._pagination import _as_select

__all__ = ["get_object_or_404", "slugify"]

_SEPARATORS = re.compile(r"[-\s_]+")


def get_object_or_404(query_or_model: Any, *expressions: Any) -> Any:
    """The single row of ``query_or_model`` matching ``expressions``, or a 404 response when there is none.

    A value the database cannot even compare (text with a NUL character on PostgreSQL, an
    integer past 64 bits on SQLite, text for an integer column), as a hostile URL may hold,
    matches nothing: a 404 too, never a 500.

    Usage::

        blog = get_object_or_404(Blog.select().where(Blog.active == True), Blog.title == title)
    """
    query = _as_select(query_or_model, "get_object_or_404")
    if expressions:
        query = query.where(*expressions)
    try:
        return query.get()
    except (peewee.DoesNotExist, peewee.DataError, ValueError, OverflowError):
        abort(404)


def slugify(s: str) -> str:
    """Make ``s`` URL-friendly: ``"This is a url"`` becomes ``"this-is-a-url"``.

    Punctuation is dropped, accents are removed where the letter has a plain form, letters
    of other scripts are kept, and runs of spaces, hyphens and underscores become one hyphen.
    """
    if not isinstance(s, str):
        raise TypeError(f"slugify() needs a str, not {type(s).__name__}")
    text = "".join(_plain_letter(c) for c in unicodedata.normalize("NFKC", s) if _kept(c))
    return _SEPARATORS.sub("-", text.strip().lower()).strip("-")


def _kept(char: str) -> bool:
    # letters, digits and the marks some scripts need (Devanagari vowel signs), plus separators
    return char.isalnum() or char in "-_" or char.isspace() or unicodedata.category(char).startswith("M")


def _plain_letter(char: str) -> str:
    """``é`` -> ``e``: drop accents from letters whose base is ASCII; other scripts stay as they are."""
    decomposed = unicodedata.normalize("NFKD", char)
    if len(decomposed) > 1 and decomposed[0].isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return char
