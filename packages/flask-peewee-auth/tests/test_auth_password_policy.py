"""The password policy: its rules, the config keys, ``set_password(check_policy=True)``, the validator and the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from wtforms import Form, PasswordField, StringField

import flask_peewee.auth
from flask_peewee.auth import BaseUser, PasswordPolicy, PasswordPolicyError, password_problems
from flask_peewee.auth._policy import COMMON, PERSONAL, TOO_LONG, TOO_SHORT, is_common_password

STRONG = "correct horse"


def _cli(app: Flask, *args: str, stdin: str) -> Any:
    return app.test_cli_runner().invoke(args=["fp", *args, "--password-stdin"], input=stdin)


def _user(app: Flask, auth: Any, username: str) -> Any:
    with app.app_context():
        user = auth.User.get_or_none(auth.User.username == username)
    auth.db.database.close()
    return user


# -- the rules, with the defaults (no app context) ----------------------------------------


def test_the_policy_is_public() -> None:
    assert {"PasswordPolicy", "PasswordPolicyError", "password_problems"} <= set(flask_peewee.auth.__all__)
    assert issubclass(PasswordPolicyError, ValueError)


def test_a_good_password_is_accepted_with_no_app() -> None:
    assert password_problems(STRONG) == []
    assert password_problems(STRONG, username="alice", email="alice@example.com") == []
    assert password_problems("x" * 128) == []


def test_minimum_length_is_8_by_default() -> None:
    assert password_problems("Tr0ub4d") == [TOO_SHORT.format(n=8)]
    assert password_problems("Tr0ub4d!") == []
    assert password_problems("") == [TOO_SHORT.format(n=8)]


def test_length_counts_characters_not_bytes() -> None:
    assert password_problems("\u00e9\u00e8\u00ea\u00eb\u00e0\u00e2\u00e4\u00e7") == []  # 8 characters, 16 bytes
    assert password_problems("\U0001f600" * 7) == [TOO_SHORT.format(n=8)]


def test_maximum_length_is_128_by_default() -> None:
    assert password_problems("y" * 129) == [TOO_LONG.format(n=128)]


def test_common_passwords_are_refused_whatever_their_case() -> None:
    for password in ("password", "PASSWORD", "Password", "iloveyou", "12345678", "qwertyuiop"):
        assert password_problems(password) == [COMMON], password
    assert is_common_password("sunshine")
    assert not is_common_password(STRONG)


def test_short_and_common_both_reported() -> None:
    assert password_problems("123456") == [TOO_SHORT.format(n=8), COMMON]


def test_username_and_email_are_refused_case_insensitively() -> None:
    assert password_problems("AliceWonder", username="alicewonder") == [PERSONAL]
    assert password_problems("alice.wonder@example.com", email="Alice.Wonder@Example.com") == [PERSONAL]
    assert password_problems("ALICE.WONDER", email="alice.wonder@example.com") == [PERSONAL]
    # containing the name is allowed: only equality is refused
    assert password_problems("alicewonder land", username="alicewonder") == []
    # blank or missing values refuse nothing
    assert password_problems(STRONG, username="", email="") == []
    assert password_problems(STRONG, username=None, email="not-an-address") == []


def test_the_shipped_list_and_its_licence_are_in_the_package() -> None:
    from importlib import resources

    data = resources.files("flask_peewee.auth").joinpath("data")
    words = data.joinpath("common-passwords.txt").read_text(encoding="ascii").splitlines()
    assert len(words) == len(set(words)) > 9000
    assert all(w == w.lower() and w for w in words)
    licence = data.joinpath("common-passwords.LICENSE.txt").read_text(encoding="utf-8")
    assert "SecLists" in licence
    assert "MIT License" in licence


# -- configuration ------------------------------------------------------------------------


def test_the_app_configuration_is_read() -> None:
    app = Flask(__name__)
    app.config.update(
        FLASK_PEEWEE_PASSWORD_MIN_LENGTH=12,
        FLASK_PEEWEE_PASSWORD_MAX_LENGTH=16,
        FLASK_PEEWEE_PASSWORD_REJECT_COMMON=False,
    )
    with app.app_context():
        assert password_problems("Tr0ub4d0r&3") == [TOO_SHORT.format(n=12)]
        assert password_problems("abcdefghijklmnopq") == [TOO_LONG.format(n=16)]
        assert password_problems("password1234") == []  # common, but the list is off
        app.config["FLASK_PEEWEE_PASSWORD_MAX_LENGTH"] = None
        assert password_problems("z" * 5000) == []
        app.config["FLASK_PEEWEE_PASSWORD_POLICY"] = False
        assert password_problems("a") == []
    assert password_problems("a") == [TOO_SHORT.format(n=8)]  # outside the app: the defaults


# -- set_password ---------------------------------------------------------------------------


class _Plain(BaseUser):
    """A BaseUser host without a database (set_password only touches attributes)."""

    def __init__(self, username: str = "bob", email: str = "bob@example.com") -> None:
        self.username = username
        self.email = email
        self.password = ""


def test_set_password_by_default_still_accepts_anything() -> None:
    user = _Plain()
    for password in ("x", "password", "bob", "bob@example.com", "z" * 500, ""):
        user.set_password(password)
        assert user.check_password(password)


def test_set_password_check_policy_refuses_with_the_problems() -> None:
    user = _Plain()
    user.set_password(STRONG)
    stored = user.password
    with pytest.raises(PasswordPolicyError) as refused:
        user.set_password("Password", check_policy=True)
    assert refused.value.problems == [COMMON]
    assert str(refused.value) == COMMON
    with pytest.raises(ValueError, match="username or email"):  # callers catching ValueError catch it too
        user.set_password("BOB@example.com", check_policy=True)
    assert user.password == stored  # nothing changed
    user.set_password("a fine password", check_policy=True)
    assert user.check_password("a fine password")


def test_set_password_check_policy_on_the_database(app: Flask, auth: Any) -> None:
    with app.app_context():
        user = auth.User(username="dora", email="dora.explorer@example.com", active=True)
        with pytest.raises(PasswordPolicyError) as refused:
            user.set_password("dora.explorer", check_policy=True)
        assert refused.value.problems == [PERSONAL]
        user.set_password("a map and a backpack", check_policy=True)
        user.save(force_insert=True)
        assert auth.User.get(auth.User.username == "dora").check_password("a map and a backpack")
    auth.db.database.close()


# -- the WTForms validator --------------------------------------------------------------------


class _SignupForm(Form):
    username = StringField()
    email = StringField()
    password = PasswordField(validators=[PasswordPolicy(username_field="username", email_field="email")])


class _PasswordOnly(Form):
    password = PasswordField(validators=[PasswordPolicy()])


def test_validator_gives_one_error_per_problem() -> None:
    form = _SignupForm(data={"username": "carol", "email": "carol@example.com", "password": "1234"})
    assert not form.validate()
    assert form.errors == {"password": [TOO_SHORT.format(n=8), COMMON]}


def test_validator_reads_the_other_fields() -> None:
    form = _SignupForm(data={"username": "carolines", "email": "c@example.com", "password": "CAROLINES"})
    assert not form.validate()
    assert form.errors == {"password": [PERSONAL]}
    form = _SignupForm(data={"username": "carolines", "email": "c@example.com", "password": STRONG})
    assert form.validate()


def test_validator_without_those_fields_and_with_an_empty_value() -> None:
    assert _PasswordOnly(data={"password": STRONG}).validate()
    assert _PasswordOnly(data={"password": ""}).validate()  # left to DataRequired / Optional
    form = _PasswordOnly(data={"password": "letmein1"})
    assert not form.validate()
    assert form.errors == {"password": [COMMON]}


# -- the command line -------------------------------------------------------------------------


def test_createsuperuser_refuses_a_common_password(app: Flask, auth: Any) -> None:
    result = _cli(app, "createsuperuser", "--username", "root", stdin="password1\n")
    assert result.exit_code == 1
    assert "The password was refused:" in result.output
    assert COMMON in result.output
    assert "Traceback" not in result.output
    assert _user(app, auth, "root") is None


def test_createsuperuser_refuses_the_username_and_the_email(app: Flask, auth: Any) -> None:
    result = _cli(app, "createsuperuser", "--username", "operator", stdin="Operator\n")
    assert result.exit_code == 1
    assert PERSONAL in result.output
    args = ("createsuperuser", "--username", "ops", "--email", "night.shift@example.com")
    result = _cli(app, *args, stdin="night.shift\n")
    assert result.exit_code == 1
    assert PERSONAL in result.output
    assert _user(app, auth, "operator") is None
    assert _user(app, auth, "ops") is None


def test_createsuperuser_follows_the_app_configuration(app: Flask, auth: Any) -> None:
    app.config["FLASK_PEEWEE_PASSWORD_MIN_LENGTH"] = 16
    result = _cli(app, "createsuperuser", "--username", "root", stdin=f"{STRONG}\n")
    assert result.exit_code == 1
    assert TOO_SHORT.format(n=16) in result.output
    app.config["FLASK_PEEWEE_PASSWORD_POLICY"] = False
    result = _cli(app, "createsuperuser", "--username", "root", stdin="pw\n")
    assert result.exit_code == 0, result.output
    assert _user(app, auth, "root") is not None


def test_changepassword_refuses_and_keeps_the_old_password(
    app: Flask, auth: Any, user: Any, client: Any, login: Any
) -> None:
    login(client)
    for weak, reason in (("short", TOO_SHORT.format(n=8)), ("football", COMMON), ("ALICE", TOO_SHORT.format(n=8))):
        result = _cli(app, "changepassword", "alice", stdin=f"{weak}\n")
        assert result.exit_code == 1
        assert reason in result.output
    assert client.get("/private/").status_code == 200  # nothing changed: the session lives on
    stored = _user(app, auth, "alice")
    assert stored.password == user.password
    with app.app_context():
        assert stored.check_password("correct horse")
