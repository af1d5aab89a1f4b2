"""The password policy (a stub: the password policy branch replaces this file)."""

from __future__ import annotations


def password_problems(password: str, *, username: str | None = None, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` as a new password; an empty list when it is acceptable."""
    if len(password) < 8:
        return ["Use at least 8 characters."]
    return []
