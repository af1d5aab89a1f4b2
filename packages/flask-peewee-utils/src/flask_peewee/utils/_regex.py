"""Regular-expression filters (``regexp``, ``iregexp``) that mean the same on SQLite, PostgreSQL and MariaDB.

They are off unless a view turns them on: a client-supplied expression costs the server CPU,
so only a portable, bounded subset is accepted. :func:`regex_problem` says why a pattern is
refused: longer than :data:`MAX_REGEX_LENGTH`, ``(?...)`` constructs other than ``(?:``,
back-references, escapes outside ``\\d \\D \\w \\W \\s \\S \\n \\t`` and escaped punctuation,
repetition counts over 255, possessive quantifiers, a repeated group that holds a repetition or
an alternative (``(a+)+``, ``(a|a)*``: the shapes of catastrophic backtracking) and more than
:data:`MAX_UNBOUNDED` unbounded repetitions (``* + {n,}``). What is left (literals, ``.``,
classes, anchors, alternation, groups, lazy or greedy ``* + ? {n,m}``) means the same to
Python's ``re`` (SQLite), PostgreSQL's ARE and MariaDB's PCRE, though ``.`` and ``$`` may treat
newlines differently. SQLite runs it in Python, which has no time limit: turn these operators
on for trusted clients.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import peewee

from flask_peewee.utils._backends import backend_name
from flask_peewee.utils._patterns import ensure_sqlite_function

__all__ = ["MAX_REGEX_LENGTH", "MAX_UNBOUNDED", "regex_expression", "regex_problem"]

MAX_REGEX_LENGTH = 200
MAX_UNBOUNDED = 3
_SQLITE_REGEXP = "fp_regexp"
_ESCAPES = frozenset("dDwWsSnt")
_CLASS_ESCAPES = frozenset("dwsnt")  # PostgreSQL before 16 refuses \D \S \W inside brackets
_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}")
_MAX_COUNT = 255  # PostgreSQL's limit for {n,m}


def _escape_problem(char: str, in_class: bool) -> str | None:
    if not char.isalnum():
        return None
    allowed = _CLASS_ESCAPES if in_class else _ESCAPES
    if char in allowed:
        return None
    if char.isdigit():
        return "back-references are not allowed"
    return f"the escape \\{char} is not allowed"


def _scan(pattern: str) -> str | None:
    """Walk ``pattern`` once: escapes, classes, groups and repetitions."""
    groups: list[bool] = []  # per open group: does it hold a repetition or an alternative?
    repeated_last = False  # the atom just closed was a group holding a repetition or an alternative
    quantified_last = False  # the last token was a repetition
    unbounded = 0
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= n:
                return "a pattern may not end with a lone escape character '\\'"
            problem = _escape_problem(pattern[i + 1], in_class=False)
            if problem:
                return problem
            i, repeated_last, quantified_last = i + 2, False, False
            continue
        if char == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                if pattern[i] == "\\":
                    if i + 1 >= n:
                        return "a pattern may not end with a lone escape character '\\'"
                    problem = _escape_problem(pattern[i + 1], in_class=True)
                    if problem:
                        return problem
                    i += 2
                    continue
                if pattern[i] == "[":
                    return "'[' inside a character class must be escaped"
                i += 1
            if i >= n:
                return "unterminated character class"
            i, repeated_last, quantified_last = i + 1, False, False
            continue
        if char == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                return "only (?: groups are allowed, no other (? construct"
            groups.append(False)
            i += 3 if pattern.startswith("(?:", i) else 1
            repeated_last = quantified_last = False
            continue
        if char == ")":
            if not groups:
                return "unbalanced parenthesis"
            holds = groups.pop()
            if groups and holds:
                groups[-1] = True
            i, repeated_last, quantified_last = i + 1, holds, False
            continue
        if char in "*+?{":
            if char == "{":
                match = _COUNT.match(pattern, i)
                if match is None:
                    return "'{' must start a repetition {n}, {n,} or {n,m} (escape it to match it)"
                counts = [int(match.group(1))] + ([int(match.group(3))] if match.group(3) else [])
                if max(counts) > _MAX_COUNT:
                    return f"repetition counts may be at most {_MAX_COUNT}"
                end = match.end()
            else:
                match = None
                end = i + 1
            if quantified_last:
                return "a repetition may not follow a repetition (possessive quantifiers are not portable)"
            if repeated_last:
                return "a repeated group may not hold a repetition or an alternative, e.g. (a+)+ or (a|b)*"
            if char in "*+" or (char == "{" and match is not None and match.group(2) and not match.group(3)):
                unbounded += 1
                if unbounded > MAX_UNBOUNDED:
                    return f"at most {MAX_UNBOUNDED} unbounded repetitions (* + {{n,}}) are allowed"
            if groups:
                groups[-1] = True
            if end < n and pattern[end] == "?":
                end += 1  # lazy
            i, repeated_last, quantified_last = end, False, True
            continue
        if char == "|" and groups:
            groups[-1] = True
        i, repeated_last, quantified_last = i + 1, False, False
    if groups:
        return "unbalanced parenthesis"
    return None


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used as a ``regexp``/``iregexp`` filter, or None."""
    if "\x00" in pattern:
        return "a pattern may not contain NUL characters"
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"a regular expression may have at most {MAX_REGEX_LENGTH} characters"
    problem = _scan(pattern)
    if problem:
        return problem
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    return None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _sqlite_regexp(pattern: Any, value: Any) -> bool:
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    return _compiled(pattern).search(value) is not None


def regex_expression(column: Any, pattern: str, *, case_sensitive: bool, database: Any) -> peewee.Node:
    """An expression matching ``column`` against the checked expression ``pattern`` (a search, not a full match)."""
    backend = backend_name(database)
    if backend == "sqlite":
        ensure_sqlite_function(database, _SQLITE_REGEXP, _sqlite_regexp, 2)
        flags = "" if case_sensitive else "(?i)"
        return peewee.fn.fp_regexp(peewee.Value(flags + pattern), column) == 1
    if backend == "mysql":
        flags = "(?-i)" if case_sensitive else "(?i)"
        return peewee.NodeList((column, peewee.SQL("REGEXP"), peewee.Value(flags + pattern)), parens=True)
    operator = "~" if case_sensitive else "~*"
    return peewee.NodeList((column, peewee.SQL(operator), peewee.Value(pattern)), parens=True)
