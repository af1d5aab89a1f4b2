"""The opt-in Have I Been Pwned range check, against a real local HTTP server in a thread."""

from __future__ import annotations

import hashlib
import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from flask_peewee.auth import PasswordPolicyError, password_problems
from flask_peewee.auth._policy import PWNED, UNCHECKED, pwned_count

BREACHED = "monkey business 77"  # the fake corpus knows it
UNKNOWN = "unseen river lantern"  # listed with count 0 (a padding line): not breached


def _sha1(password: str) -> str:
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()


class _FakeRange:
    """A range API on 127.0.0.1: answers ``GET /range/<prefix>`` as api.pwnedpasswords.com does."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.mode = "answer"  # or "error" (500) or "hang" (no answer until released)
        self.release = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append((self.path, dict(self.headers)))
                if fake.mode == "hang":
                    fake.release.wait(10)
                    return
                if fake.mode == "error":
                    self.send_error(500)
                    return
                prefix = self.path.rsplit("/", 1)[-1]
                lines = [f"{'0' * 35}:0", f"{'F' * 35}:0"]  # padding
                for password, count in ((BREACHED, 12345), (UNKNOWN, 0)):
                    digest = _sha1(password)
                    if digest[:5] == prefix:
                        lines.append(f"{digest[5:]}:{count}")
                body = "\r\n".join(lines).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/range/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def fake_range() -> Iterator[_FakeRange]:
    fake = _FakeRange()
    yield fake
    fake.close()


@pytest.fixture
def pwned_app(fake_range: _FakeRange) -> Flask:
    app = Flask(__name__)
    app.config.update(
        FLASK_PEEWEE_PASSWORD_PWNED_CHECK=True,
        FLASK_PEEWEE_PASSWORD_PWNED_URL=fake_range.url,
        FLASK_PEEWEE_PASSWORD_PWNED_TIMEOUT=0.5,
    )
    return app


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/range/"


def test_off_by_default_nothing_is_asked(fake_range: _FakeRange) -> None:
    app = Flask(__name__)
    app.config["FLASK_PEEWEE_PASSWORD_PWNED_URL"] = fake_range.url
    with app.app_context():
        assert password_problems(BREACHED) == []
    assert password_problems(BREACHED) == []  # no app: the defaults, also off
    assert fake_range.requests == []


def test_a_breached_password_is_refused(pwned_app: Flask, fake_range: _FakeRange) -> None:
    with pwned_app.app_context():
        assert password_problems(BREACHED) == [PWNED]
        assert pwned_count(BREACHED) == 12345
    assert len(fake_range.requests) == 2
    path, headers = fake_range.requests[0]
    digest = _sha1(BREACHED)
    assert path == f"/range/{digest[:5]}"  # only the 5-digit prefix leaves the process
    assert digest[5:] not in path
    assert headers.get("Add-Padding") == "true"


def test_an_unknown_password_is_accepted(pwned_app: Flask, fake_range: _FakeRange) -> None:
    with pwned_app.app_context():
        assert password_problems(UNKNOWN) == []  # its suffix is a padding line (count 0)
        assert password_problems("a different passphrase") == []
    assert len(fake_range.requests) == 2


def test_local_rules_refuse_first_without_asking(pwned_app: Flask, fake_range: _FakeRange) -> None:
    with pwned_app.app_context():
        assert password_problems("password") != []
        assert password_problems("carol the great", username="Carol The Great") != []
    assert fake_range.requests == []


def test_set_password_check_policy_uses_it(pwned_app: Flask) -> None:
    from flask_peewee.auth import BaseUser

    user = BaseUser()
    user.password = ""
    with pwned_app.app_context():
        with pytest.raises(PasswordPolicyError) as refused:
            user.set_password(BREACHED, check_policy=True)
        assert refused.value.problems == [PWNED]
        user.set_password(BREACHED)  # unchecked by default: never asks, never raises


def test_unreachable_accepts_with_a_warning_by_default(pwned_app: Flask, caplog: Any) -> None:
    pwned_app.config["FLASK_PEEWEE_PASSWORD_PWNED_URL"] = _closed_port_url()
    with caplog.at_level(logging.WARNING, logger="flask_peewee.auth"), pwned_app.app_context():
        assert password_problems(BREACHED) == []
    assert "breached-password check failed" in caplog.text
    assert "password accepted" in caplog.text


def test_unreachable_refuses_when_configured(pwned_app: Flask, caplog: Any) -> None:
    pwned_app.config.update(
        FLASK_PEEWEE_PASSWORD_PWNED_URL=_closed_port_url(), FLASK_PEEWEE_PASSWORD_PWNED_FALLBACK="refuse"
    )
    with caplog.at_level(logging.WARNING, logger="flask_peewee.auth"), pwned_app.app_context():
        assert password_problems(UNKNOWN) == [UNCHECKED]
    assert "password refused" in caplog.text


def test_an_http_error_is_the_fallback(pwned_app: Flask, fake_range: _FakeRange) -> None:
    fake_range.mode = "error"
    with pwned_app.app_context():
        assert password_problems(BREACHED) == []
        pwned_app.config["FLASK_PEEWEE_PASSWORD_PWNED_FALLBACK"] = "refuse"
        assert password_problems(BREACHED) == [UNCHECKED]
    assert len(fake_range.requests) == 2


def test_a_server_that_does_not_answer_times_out(pwned_app: Flask, fake_range: _FakeRange, caplog: Any) -> None:
    fake_range.mode = "hang"
    pwned_app.config["FLASK_PEEWEE_PASSWORD_PWNED_TIMEOUT"] = 0.2
    with caplog.at_level(logging.WARNING, logger="flask_peewee.auth"), pwned_app.app_context():
        assert password_problems(BREACHED) == []  # accepted, with a warning
        pwned_app.config["FLASK_PEEWEE_PASSWORD_PWNED_FALLBACK"] = "refuse"
        assert password_problems(BREACHED) == [UNCHECKED]
    assert len(fake_range.requests) == 2
    assert caplog.text.count("breached-password check failed") == 2


def test_only_http_urls_are_used(pwned_app: Flask) -> None:
    pwned_app.config["FLASK_PEEWEE_PASSWORD_PWNED_URL"] = "file:///etc/"
    with pwned_app.app_context():
        with pytest.raises(ValueError, match="http"):
            pwned_count(BREACHED)
        assert password_problems(BREACHED) == []  # a bad URL falls back like an outage


def test_the_cli_refuses_a_breached_password(app: Flask, auth: Any, fake_range: _FakeRange) -> None:
    app.config.update(FLASK_PEEWEE_PASSWORD_PWNED_CHECK=True, FLASK_PEEWEE_PASSWORD_PWNED_URL=fake_range.url)
    args = ["fp", "createsuperuser", "--username", "root", "--password-stdin"]
    result = app.test_cli_runner().invoke(args=args, input=f"{BREACHED}\n")
    assert result.exit_code == 1
    assert PWNED in result.output
    result = app.test_cli_runner().invoke(args=args, input=f"{UNKNOWN}\n")
    assert result.exit_code == 0, result.output
    assert len(fake_range.requests) == 2
