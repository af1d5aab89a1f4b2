"""The password policy: length bounds, common passwords, the user's own name, and an opt-in breach check.

:func:`password_problems` says why a password is refused (an empty list accepts it); the
CLI, the admin's user form, :meth:`BaseUser.set_password` with ``check_policy=True`` and
any form using :class:`PasswordPolicy` go through it. The rules follow NIST SP 800-63B:
a minimum and a maximum length, no password from a list of the most common ones, none
equal to the username or email address, and optionally none known from data breaches
(Have I Been Pwned's range API, the one network call the packages can make).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from flask import current_app, has_app_context
from wtforms import Form
from wtforms.validators import ValidationError

from flask_peewee.auth import _settings as settings
from flask_peewee.auth._i18n import N_, gettext, ngettext

__all__ = ["PasswordPolicy", "PasswordPolicyError", "is_common_password", "password_problems", "pwned_count"]

_log = logging.getLogger("flask_peewee.auth")

#: the most a range answer is read (a real one is about 40 KB with padding)
_MAX_RANGE_BYTES = 1 << 20

TOO_SHORT = "The password must be at least {n} characters long."
TOO_LONG = "The password must be at most {n} characters long."
COMMON = N_("This password is one of the most common passwords; choose another.")
PERSONAL = N_("The password must not be your username or email address.")
PWNED = N_("This password has appeared in a data breach; choose another.")
UNCHECKED = N_("The password could not be checked against known data breaches; try again later.")


class PasswordPolicyError(ValueError):
    """A password the policy refuses; ``problems`` lists the reasons (what :func:`password_problems` said)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@functools.lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The shipped list (lower case, one a line; data/common-passwords.LICENSE.txt says where from)."""
    text = resources.files("flask_peewee.auth").joinpath("data/common-passwords.txt").read_text(encoding="ascii")
    return frozenset(line for line in text.splitlines() if line)


def is_common_password(password: str) -> bool:
    """Whether ``password`` is on the shipped list of the most common passwords (case-insensitive)."""
    return password.lower() in _common_passwords()


def _personal(password: str, username: str | None, email: str | None) -> bool:
    """Whether ``password`` is the username, the email address or its local part (case-insensitive)."""
    wanted = password.casefold()
    candidates = [username, email]
    if email and "@" in email:
        candidates.append(email.rpartition("@")[0])
    return any(isinstance(c, str) and c.strip() and c.strip().casefold() == wanted for c in candidates)


def _range_url(base: str, prefix: str) -> str:
    """The range URL of ``prefix``: ``base`` with the prefix as its last path segment."""
    scheme = urllib.parse.urlsplit(base).scheme
    if scheme not in ("http", "https"):
        raise ValueError(f"FLASK_PEEWEE_PASSWORD_PWNED_URL must be an http(s) URL, not {base!r}")
    return base.rstrip("/") + "/" + prefix


def pwned_count(password: str, *, url: str | None = None, timeout: float | None = None) -> int:
    """How many times ``password`` appears in Have I Been Pwned's breach corpus (0: not found).

    Only the first five hex digits of the password's SHA-1 leave the process (k-anonymity);
    the answer's suffixes are compared here, and the request asks for padding so its size
    says nothing either. ``url`` and ``timeout`` default to the app's settings. Raises
    :class:`OSError` (``urllib.error.URLError``, a timeout) when the service cannot be asked.
    """
    config = _config()
    base = url if url is not None else settings.PASSWORD_PWNED_URL.get(config)
    seconds = timeout if timeout is not None else settings.PASSWORD_PWNED_TIMEOUT.get(config)
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(  # noqa: S310 - _range_url allows only http and https
        _range_url(base, prefix),
        headers={"Add-Padding": "true", "User-Agent": "flask-peewee-auth password policy"},
    )
    try:
        with urllib.request.urlopen(request, timeout=float(seconds)) as response:  # noqa: S310 - as above
            body = response.read(_MAX_RANGE_BYTES).decode("ascii", errors="replace")
    except urllib.error.HTTPError as exc:
        exc.close()  # an error answer holds its connection open until closed
        raise
    for line in body.splitlines():
        candidate, _, count = line.partition(":")
        if candidate.strip().upper() == suffix:
            try:
                return int(count.strip())  # padding lines have a count of 0
            except ValueError:
                return 0
    return 0


def _config() -> Mapping[str, Any]:
    return current_app.config if has_app_context() else {}


def _pwned_problems(password: str, config: Mapping[str, Any]) -> list[str]:
    try:
        found = pwned_count(password)
    except (OSError, ValueError) as exc:  # unreachable, timed out, an HTTP error, a bad URL
        if settings.PASSWORD_PWNED_FALLBACK.get(config) == "refuse":
            _log.warning("flask-peewee-auth: the breached-password check failed (%s); password refused", exc)
            return [UNCHECKED]
        _log.warning("flask-peewee-auth: the breached-password check failed (%s); password accepted", exc)
        return []
    return [PWNED] if found > 0 else []


def password_problems(password: str, *, username: str | None = None, email: str | None = None) -> list[str]:
    """The reasons ``password`` is refused under the current app's configuration (empty: accepted).

    Reads ``FLASK_PEEWEE_PASSWORD_*`` from ``current_app`` when there is an app context, the
    defaults otherwise. The breach check (off by default) is asked only when the local
    rules accept the password.
    """
    return _problems(password, username, email, _english)


def form_password_problems(password: str, *, username: str | None = None, email: str | None = None) -> list[str]:
    """:func:`password_problems` in the user's language, for the errors of a form."""
    return _problems(password, username, email, _translated)


def _english(message: str, n: int | None = None) -> str:
    return message if n is None else message.format(n=n)


def _translated(message: str, n: int | None = None) -> str:
    """A problem in the user's language, for a form (the CLI, the models and the API keep English)."""
    if message == TOO_SHORT and n is not None:
        return ngettext(
            "The password must be at least %(num)d character long.",
            "The password must be at least %(num)d characters long.",
            n,
        )
    if message == TOO_LONG and n is not None:
        return ngettext(
            "The password must be at most %(num)d character long.",
            "The password must be at most %(num)d characters long.",
            n,
        )
    return gettext(message)


def _problems(password: str, username: str | None, email: str | None, text: Callable[..., str]) -> list[str]:
    config = _config()
    if not settings.PASSWORD_POLICY.get(config):
        return []
    if not isinstance(password, str):
        return [text(TOO_SHORT, int(settings.PASSWORD_MIN_LENGTH.get(config)))]
    problems = []
    min_length = int(settings.PASSWORD_MIN_LENGTH.get(config))
    max_length = settings.PASSWORD_MAX_LENGTH.get(config)
    if len(password) < min_length:
        problems.append(text(TOO_SHORT, min_length))
    if max_length is not None and len(password) > int(max_length):
        problems.append(text(TOO_LONG, int(max_length)))
    if settings.PASSWORD_REJECT_COMMON.get(config) and is_common_password(password):
        problems.append(text(COMMON))
    if _personal(password, username, email):
        problems.append(text(PERSONAL))
    if not problems and settings.PASSWORD_PWNED_CHECK.get(config):
        problems = [text(problem) for problem in _pwned_problems(password, config)]
    return problems


def _form_value(form: Form, name: str | None) -> str | None:
    if not name or name not in form:
        return None
    data = form[name].data
    return data if isinstance(data, str) else None


class PasswordPolicy:
    """WTForms validator applying :func:`password_problems` to the field's data.

    ``username_field`` and ``email_field`` name the form's fields whose values the password
    must not equal (a name the form lacks is skipped). An empty value is left to
    ``DataRequired``/``Optional``. Each problem is one error of the field::

        password = PasswordField("Password", validators=[
            DataRequired(), PasswordPolicy(username_field="username", email_field="email"),
        ])
    """

    def __init__(self, username_field: str | None = "username", email_field: str | None = "email") -> None:
        self.username_field = username_field
        self.email_field = email_field

    def __call__(self, form: Form, field: Any) -> None:
        password = field.data
        if not isinstance(password, str) or not password:
            return
        problems = _problems(
            password, _form_value(form, self.username_field), _form_value(form, self.email_field), _translated
        )
        if problems:
            # the validation chain keeps one message per ValidationError: the others go first
            field.errors.extend(problems[:-1])
            raise ValidationError(problems[-1])
