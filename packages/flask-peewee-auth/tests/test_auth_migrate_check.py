"""``flask fp migrate-check`` counts the user table's stored password hashes by scheme."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Flask

from flask_peewee.auth import Auth


def test_hash_schemes_are_counted_and_legacy_ones_explained(
    app: Flask, auth: Auth, new_user: Any, tmp_path: Path
) -> None:
    new_user("alice")
    new_user("bob")
    with app.app_context():
        # The original flask-peewee stored "salt$sha1(salt + password)"; one user still has it.
        legacy = "abcde$" + hashlib.sha1(b"abcde" + b"secret", usedforsecurity=False).hexdigest()
        auth.User.create(username="old", email="old@example.com", password=legacy)
        auth.User.create(username="broken", email="b@example.com", password="not a hash")
    auth.db.database.close()
    result = app.test_cli_runner().invoke(args=["fp", "migrate-check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    messages = {f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "password-hashes"}
    assert messages == {
        "2 users have a password hash of scheme md5_crypt",
        "1 user has a password hash in the original flask-peewee's salted sha1 format: it keeps working "
        "and is replaced by the current scheme at the next login; nothing to do",
        "1 user has a password hash no scheme recognises: they cannot log in until it is reset",
    }


def test_no_user_table_yet_reports_nothing(app: Flask, db: Any, tmp_path: Path) -> None:
    Auth(app, db)
    result = app.test_cli_runner().invoke(args=["fp", "migrate-check", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == "nothing to change\n"
