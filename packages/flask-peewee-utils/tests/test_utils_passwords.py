"""make_password / check_password / needs_rehash / dummy_verify and the legacy hash formats."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import (
    check_password,
    dummy_verify,
    get_password_context,
    make_password,
    needs_rehash,
    password_scheme,
)
from flask_peewee.utils.testing import record_verifications


@pytest.fixture
def count_verifications() -> Iterator[list[str]]:
    """Each stored hash the single verification function checks (flask_peewee.utils.testing)."""
    with record_verifications() as hashes:
        yield hashes


def test_without_app_context_hashes_are_salted_argon2() -> None:
    first = make_password("s3cret")
    second = make_password("s3cret")
    assert first.startswith("$argon2id$")
    assert first != second
    assert check_password("s3cret", first) is True
    assert check_password("wrong", first) is False
    assert needs_rehash(first) is False


def test_app_scheme_is_used_inside_app_context(plain_app: Flask) -> None:
    outside = make_password("pw")
    with plain_app.app_context():
        inside = make_password("pw")
        assert inside.startswith("{SSHA256}")
        assert check_password("pw", inside) is True
        assert check_password("nope", inside) is False
        # hashes made by scripts with the library default still verify, and are marked for upgrade
        assert check_password("pw", outside) is True
        assert needs_rehash(outside) is True
        assert needs_rehash(inside) is False
    assert needs_rehash(inside) is True  # outside the app, argon2 is the default


def test_first_listed_scheme_is_the_default_and_others_are_deprecated(plain_app: Flask) -> None:
    plain_app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["ldap_salted_sha256", "ldap_salted_sha1"]
    context = get_password_context(plain_app)
    old = context.handler("ldap_salted_sha1").hash("pw")
    with plain_app.app_context():
        assert check_password("pw", old) is True
        assert needs_rehash(old) is True


def test_context_is_cached_per_app_and_follows_config_changes(plain_app: Flask) -> None:
    first = get_password_context(plain_app)
    assert get_password_context(plain_app) is first
    with plain_app.app_context():
        assert get_password_context() is first
    plain_app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = "ldap_salted_sha1, ldap_salted_sha256"
    changed = get_password_context(plain_app)
    assert changed is not first
    assert changed.default_scheme() == "ldap_salted_sha1"


def test_apps_without_the_setting_use_argon2() -> None:
    app = Flask("no_setting")
    assert get_password_context(app).default_scheme() == "argon2"


@pytest.mark.parametrize("value", [[], "", ["no_such_scheme"], [1], {"argon2": 1}])
def test_bad_scheme_setting_is_a_clear_error(plain_app: Flask, value: object) -> None:
    plain_app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = value
    with pytest.raises(ImproperlyConfigured, match="FLASK_PEEWEE_PASSWORD_SCHEMES"):
        get_password_context(plain_app)


def test_unsalted_sha1_hexdigest_is_verified_and_needs_rehash() -> None:
    stored = hashlib.sha1(b"letmein", usedforsecurity=False).hexdigest()
    assert check_password("letmein", stored) is True
    assert check_password("letmein", stored.upper()) is True
    assert check_password("letmeout", stored) is False
    assert needs_rehash(stored) is True


def test_original_flask_peewee_salted_sha1_is_verified() -> None:
    salt = "214de"
    digest = hashlib.sha1((salt + "pässword").encode(), usedforsecurity=False).hexdigest()
    stored = f"{salt}${digest}"
    assert check_password("pässword", stored) is True
    assert check_password("password", stored) is False
    assert needs_rehash(stored) is True


@pytest.mark.parametrize("method", ["pbkdf2:sha256:1000", "pbkdf2:sha1:1000", "scrypt:1024:8:1"])
def test_werkzeug_hashes_are_verified(method: str) -> None:
    stored = generate_password_hash("hunter2", method=method)
    assert stored.startswith(method.split(":")[0] + ":")
    assert check_password("hunter2", stored) is True
    assert check_password("hunter3", stored) is False
    assert needs_rehash(stored) is True


@pytest.mark.parametrize(
    "stored",
    [
        "",
        None,
        "garbage",
        "$argon2id$v=19$m=65536,t=3,p=4$broken",
        "{SSHA256}not-base64!",
        "pbkdf2:sha256:many$salt$abcd",
        "pbkdf2:nosuchhash:10$salt$abcd",
        "pbkdf2:sha256$salt$abcd",
        "pbkdf2:sha256:1000",
        "scrypt:0:8:1$salt$abcd",
        "scrypt:99999999999:8:1$salt$abcd",
        "md5$$abc",
    ],
)
def test_malformed_hashes_give_false_never_an_error(stored: str | None) -> None:
    assert check_password("anything", stored) is False
    if stored is not None:
        assert needs_rehash(stored) is True


def test_non_string_password_is_refused() -> None:
    with pytest.raises(TypeError, match="str"):
        make_password(None)  # type: ignore[arg-type]
    assert check_password(None, make_password("x")) is False  # type: ignore[arg-type]


def test_check_password_performs_one_verification(plain_app: Flask, count_verifications: list[str]) -> None:
    with plain_app.app_context():
        stored = make_password("pw")
        assert check_password("pw", stored) is True
    assert count_verifications == [stored]


def test_dummy_verify_performs_exactly_one_verification_with_the_default_scheme(
    plain_app: Flask, count_verifications: list[str]
) -> None:
    with plain_app.app_context():
        assert dummy_verify("whatever") is None
        assert len(count_verifications) == 1
        assert count_verifications[0].startswith("{SSHA256}")
        dummy_verify("again")
    assert len(count_verifications) == 2
    assert count_verifications[0] == count_verifications[1]  # a fixed hash, made once per app


def test_dummy_verify_without_app_uses_argon2(count_verifications: list[str]) -> None:
    dummy_verify("x")
    assert len(count_verifications) == 1
    assert count_verifications[0].startswith("$argon2id$")


def test_password_scheme_names_each_stored_format(plain_app: Flask) -> None:
    salted = "abcde$" + hashlib.sha1(b"abcdesecret", usedforsecurity=False).hexdigest()
    assert password_scheme(make_password("secret")) == "argon2"
    assert password_scheme(hashlib.sha1(b"secret", usedforsecurity=False).hexdigest()) == "sha1"
    assert password_scheme(salted) == "salted_sha1"
    assert password_scheme(generate_password_hash("secret", method="pbkdf2:sha256:1000")) == "werkzeug"
    for broken in ("", None, "not a hash"):
        assert password_scheme(broken) == "unknown"
    plain_app.config["FLASK_PEEWEE_PASSWORD_SCHEMES"] = ["pbkdf2_sha256"]
    with plain_app.app_context():
        assert password_scheme(make_password("secret")) == "pbkdf2_sha256"


def test_record_verifications_restores_the_verification_function() -> None:
    from flask_peewee.utils import _passwords

    real = _passwords.verify
    stored = make_password("s3cret")

    def failing_block() -> None:
        with record_verifications() as hashes:
            assert check_password("s3cret", stored)
            assert not check_password("other", stored)
            raise RuntimeError(hashes)

    with pytest.raises(RuntimeError) as raised:
        failing_block()
    hashes = raised.value.args[0]
    assert hashes == [stored, stored]
    assert _passwords.verify is real
    assert check_password("s3cret", stored)
    assert hashes == [stored, stored]  # nothing recorded after the block
