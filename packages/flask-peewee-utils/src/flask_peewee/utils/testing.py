"""Helpers for tests of code that checks passwords.

Every password verification of flask-peewee (``check_password``, ``dummy_verify``,
``BaseUser.check_password``) goes through one function, so a test can count them, and
assert that an unknown username costs one verification too rather than time it::

    from flask_peewee.utils.testing import record_verifications

    def test_unknown_user_costs_one_verification(client):
        with record_verifications() as hashes:
            client.post("/accounts/login/", data={"username": "nobody", "password": "x"})
        assert len(hashes) == 1
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from flask_peewee.db.typed import untyped
from flask_peewee.utils import _passwords

__all__ = ["record_verifications"]


@contextlib.contextmanager
def record_verifications() -> Iterator[list[str]]:
    """Record the stored hash each password verification in the block checks, in order."""
    hashes: list[str] = []
    real = _passwords.verify

    def counting(raw_password: Any, enc_password: str, context: Any) -> bool:
        hashes.append(enc_password)
        return real(raw_password, enc_password, context)

    untyped(_passwords).verify = counting
    try:
        yield hashes
    finally:
        untyped(_passwords).verify = real
