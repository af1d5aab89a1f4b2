"""``flask fp check``: an audit of the app's configuration and registrations before it goes live.

Each finding has a severity, what is wrong and how to fix it. An ``error`` (a missing or weak
``SECRET_KEY``, a sensitive field exposed) makes the command exit with status 1; a ``warning``
(``DEBUG`` on, insecure session cookies, ...) is printed and exits 0 unless ``--strict``::

    $ flask fp check
    error: secret-key: SECRET_KEY is not set: sessions, logins, CSRF tokens and REST cursors cannot be signed
        fix: set app.config['SECRET_KEY'] to secrets.token_hex(32), read from the environment, never committed
    1 error, 0 warnings

This module checks Flask's own settings. Higher layers add theirs when their extension is
initialised, with :func:`register`: a check is a function of the app returning findings, run
inside the app context. An app adds its own the same way::

    def no_open_registration(app):
        if app.config.get("OPEN_REGISTRATION"):
            yield Finding(WARNING, "open-registration", "anyone can sign up", "set OPEN_REGISTRATION = False")

    checks.register(app, no_open_registration)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

import click

__all__ = ["ERROR", "WARNING", "Check", "Finding", "format_report", "register", "run_checks"]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"
_EXTENSION_KEY = "flask_peewee.db.checks"
_DEBUG_KEY = "flask_peewee.db.checks.configured_debug"
_MIN_KEY_BYTES = 32
# Keys copied from tutorials, examples and generators' placeholders: public, so no secret at all.
_KNOWN_KEYS = frozenset(
    {
        "dev",
        "development",
        "development key",
        "secret",
        "secret key",
        "secret-key",
        "secret_key",
        "secretkey",
        "my secret key",
        "mysecretkey",
        "super secret",
        "super-secret",
        "super secret key",
        "super-secret-key",
        "supersecretkey",
        "shhh",
        "shhhh",
        "shhhhh",
        "changeme",
        "change-me",
        "change me",
        "change-this",
        "change this",
        "changethis",
        "notsecret",
        "not-secret",
        "not so secret",
        "default",
        "test",
        "testing",
        "password",
        "your-secret-key",
        "your secret key",
        "your-secret-key-here",
        "please-change-me",
        "replace-me",
        "please change this secret key",
        "change-this-secret-key-in-production",
        '_5#y2l"f4q8z\n\xec]/',
    }
)


@dataclass(frozen=True)
class Finding:
    """One problem: its ``severity`` (``error`` or ``warning``), a short ``code``, what is wrong and the fix."""

    severity: Severity
    code: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.code}: {self.message}\n    fix: {self.fix}"


#: A check: called with the app (inside its app context), returns its findings.
Check = Callable[[Any], Iterable[Finding]]


def register(app: Any, check: Check) -> None:
    """Run ``check`` in ``flask fp check`` on ``app``; registering the same function again is a no-op."""
    checks: list[Check] = app.extensions.setdefault(_EXTENSION_KEY, [])
    if check not in checks:
        checks.append(check)


def remember_configured_debug(app: Any) -> None:
    """Keep the ``DEBUG`` the app configured: the ``flask`` command resets it from ``FLASK_DEBUG`` after loading."""
    app.extensions[_DEBUG_KEY] = bool(app.config.get("DEBUG"))


def run_checks(app: Any) -> list[Finding]:
    """The findings on ``app``: Flask's settings, then every registered check; errors first, no duplicates."""
    found: list[Finding] = []
    with app.app_context():
        for check in [_flask_settings, *app.extensions.get(_EXTENSION_KEY, [])]:
            for finding in check(app):
                if finding not in found:
                    found.append(finding)
    return sorted(found, key=lambda f: f.severity != ERROR)


def format_report(findings: list[Finding], output: str = "text") -> str:
    """The report: each finding with its fix and a summary line, or JSON (``{"findings": [...], ...}``)."""
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = len(findings) - errors
    if output == "json":
        return json.dumps({"findings": [asdict(f) for f in findings], "errors": errors, "warnings": warnings})
    lines = [str(f) for f in findings]
    lines.append(
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        if findings
        else "no problems found"
    )
    return "\n".join(lines)


def add_command(group: click.Group) -> None:
    """Add ``check`` to the ``fp`` group."""

    @group.command("check")
    @click.option("--strict", is_flag=True, help="Exit with status 1 on warnings too.")
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def check(strict: bool, output: str) -> None:
        """Audit the app's configuration and registrations (exit 1 on errors, or on warnings with --strict)."""
        from flask import current_app

        proxy: Any = current_app  # flask types the proxy as the Flask it stands for
        findings = run_checks(proxy._get_current_object())
        click.echo(format_report(findings, output))
        if any(f.severity == ERROR or strict for f in findings):
            raise SystemExit(1)


# -- Flask's own settings ----------------------------------------------------------------------


def _flask_settings(app: Any) -> Iterator[Finding]:
    yield from _secret_key(app.config.get("SECRET_KEY"))
    debug = app.debug or app.extensions.get(_DEBUG_KEY, False)
    if debug:
        yield Finding(
            WARNING,
            "debug",
            "DEBUG is on: tracebacks and the interactive debugger are shown to anyone who hits an error",
            "set DEBUG = False (and FLASK_DEBUG unset) in production",
        )
    if not (debug or app.testing):
        yield from _session_cookie(app.config)


def _secret_key(key: Any) -> Iterator[Finding]:
    fix = "set app.config['SECRET_KEY'] to secrets.token_hex(32), read from the environment, never committed"
    if not key:
        yield Finding(
            ERROR,
            "secret-key",
            "SECRET_KEY is not set: sessions, logins, CSRF tokens and REST cursors cannot be signed",
            fix,
        )
        return
    raw = key if isinstance(key, bytes) else str(key).encode("utf-8", "surrogatepass")
    text = raw.decode("latin-1").strip().lower()
    if text in _KNOWN_KEYS:
        yield Finding(ERROR, "secret-key", "SECRET_KEY is a well-known example value: anyone can sign sessions", fix)
    elif len(raw) < _MIN_KEY_BYTES:
        yield Finding(
            ERROR,
            "secret-key",
            f"SECRET_KEY is {len(raw)} bytes long: at least {_MIN_KEY_BYTES} random bytes are needed",
            fix,
        )
    elif len(set(raw)) < 8:
        yield Finding(ERROR, "secret-key", "SECRET_KEY repeats a few characters: it is not random", fix)


def _session_cookie(config: Any) -> Iterator[Finding]:
    if not config.get("SESSION_COOKIE_SECURE"):
        yield Finding(
            WARNING,
            "session-cookie-secure",
            "SESSION_COOKIE_SECURE is off: the session cookie is also sent over plain HTTP",
            "set SESSION_COOKIE_SECURE = True (serve the app over HTTPS)",
        )
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        yield Finding(
            WARNING,
            "session-cookie-httponly",
            "SESSION_COOKIE_HTTPONLY is off: scripts in the page can read the session cookie",
            "set SESSION_COOKIE_HTTPONLY = True (Flask's default)",
        )
    samesite = config.get("SESSION_COOKIE_SAMESITE")
    if str(samesite).lower() not in ("lax", "strict"):
        yield Finding(
            WARNING,
            "session-cookie-samesite",
            f"SESSION_COOKIE_SAMESITE is {samesite!r}: other sites' requests carry the session cookie",
            "set SESSION_COOKIE_SAMESITE = 'Lax' (or 'Strict')",
        )
