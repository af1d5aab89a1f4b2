"""SQL ``%``/``_`` patterns that match the same rows on SQLite, PostgreSQL and MariaDB/MySQL.

``like`` is case-sensitive and ``ilike`` case-insensitive everywhere; ``\\`` escapes ``%``,
``_`` and itself. SQLite runs them as GLOB (its LIKE ignores ASCII case), MariaDB with a
binary collation (its default collations ignore case and accents).
"""

from __future__ import annotations

from typing import Any

import peewee

from flask_peewee.utils._backends import backend_name

__all__ = ["ensure_sqlite_function", "escape_like", "like_expression", "pattern_problem"]

_SQLITE_LOWER = "fp_lower"


def escape_like(text: str) -> str:
    """``text`` with ``\\``, ``%`` and ``_`` escaped, to match it literally inside a pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    if "\x00" in pattern:
        return "a pattern may not contain NUL characters"
    trailing = len(pattern) - len(pattern.rstrip("\\"))
    if trailing % 2:
        return "a pattern may not end with a lone escape character '\\'"
    return None


def _glob(pattern: str) -> str:
    out = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            literal = next(chars, "\\")
            out.append(f"[{literal}]" if literal in "*?[" else literal)
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        else:
            out.append(f"[{char}]" if char in "*?[" else char)
    return "".join(out)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def ensure_sqlite_function(database: Any, name: str, function: Any, arity: int) -> None:
    """Make the deterministic SQL function ``name`` available on the SQLite ``database`` (a Proxy is followed)."""
    database = getattr(database, "obj", database)
    if name not in database._functions:
        database.register_function(function, name, arity, deterministic=True)
    elif not database.is_closed():
        database.connection().create_function(name, arity, function, deterministic=True)


def like_expression(column: Any, pattern: str, *, case_sensitive: bool, database: Any) -> peewee.Node:
    """An expression matching ``column`` against the SQL ``pattern`` on ``database``'s backend."""
    backend = backend_name(database)
    escape = peewee.Value("\\")
    if backend == "sqlite":
        if case_sensitive:
            return peewee.Expression(column, "GLOB", peewee.Value(_glob(pattern)))
        # Python's lower() folds every script; SQLite's own lower() only knows ASCII.
        ensure_sqlite_function(database, _SQLITE_LOWER, _lower, 1)
        return peewee.Expression(peewee.fn.fp_lower(column), "GLOB", peewee.Value(_glob(_lower(pattern))))
    if backend == "mysql":

        def binary(node: Any) -> peewee.Node:
            converted: peewee.Node = peewee.NodeList((peewee.SQL("CONVERT("), node, peewee.SQL("USING utf8mb4)")))
            if not case_sensitive:
                converted = peewee.fn.LOWER(converted)
            return peewee.NodeList((converted, peewee.SQL("COLLATE utf8mb4_bin")))

        return peewee.NodeList(
            (binary(column), peewee.SQL("LIKE"), binary(peewee.Value(pattern)), peewee.SQL("ESCAPE"), escape),
            parens=True,
        )
    lhs = column if case_sensitive else peewee.fn.LOWER(column)
    rhs = peewee.Value(pattern) if case_sensitive else peewee.fn.LOWER(peewee.Value(pattern))
    return peewee.NodeList((lhs, peewee.SQL("LIKE"), rhs, peewee.SQL("ESCAPE"), escape), parens=True)
