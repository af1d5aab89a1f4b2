"""Tweepee's accounts in headless Chromium, with a real local SMTP server (aiosmtpd) receiving the mail.

sign-up -> confirm by the mailed link -> log in -> forgot password -> reset by the mailed link ->
log in with the new password. Needs playwright, Debian's chromium and aiosmtpd (see
test_examples_browser.py); without them it is skipped, with ``CI=true`` it fails.
"""

import email
import email.policy
import os
import re
import socket
import threading

import pytest


def _missing(reason):
    message = f"{reason}: pip install playwright aiosmtpd and apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


class Inbox:
    """What the SMTP server received, parsed; ``wait`` for mail the app sends in the background."""

    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self.changed:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def link(self, count):
        """The link of the ``count``-th message (waiting up to 15 s for it)."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.messages) >= count, timeout=15)
            assert len(self.messages) >= count, "the mail did not arrive"
            text = self.messages[count - 1].get_body(preferencelist=("plain",)).get_content()
        return re.search(r"https?://\S+", text).group(0)


@pytest.fixture(scope="module")
def inbox(example):
    """An aiosmtpd server on a free port of 127.0.0.1, and the example's Flask-Mail sending to it."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        _missing("aiosmtpd is not installed")
    main, _ = example
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mail = main.app.extensions["mail"]
    saved = (mail.server, mail.port, mail.suppress)
    mail.server, mail.port, mail.suppress = "127.0.0.1", port, False
    yield inbox
    mail.server, mail.port, mail.suppress = saved
    controller.stop()


def _log_in(page, server, username, password):
    page.goto(server + "/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.click('button:has-text("Log in")')


def test_sign_up_confirm_log_in_forget_reset_log_in_again(page, server, inbox):
    page.goto(server + "/accounts/login/")
    page.click("main >> text=Sign up")
    assert page.locator("h2").inner_text() == "Sign up"
    page.fill('input[name="username"]', "greta")
    page.fill('input[name="email"]', "greta@example.com")
    page.fill('input[name="password"]', "greta-first-password")
    page.fill('input[name="confirm"]', "greta-first-password")
    page.click('button:has-text("Sign up")')
    assert page.locator("h2").inner_text() == "Check your email"

    _log_in(page, server, "greta", "greta-first-password")  # not confirmed yet
    assert "Incorrect username or password" in page.locator("main").inner_text()

    link = inbox.link(1)
    assert link.startswith(server + "/accounts/signup/confirm/")
    page.goto(link)
    page.wait_for_url(server + "/accounts/login/")
    assert "Your account is confirmed" in page.locator(".flash").inner_text()
    _log_in(page, server, "greta", "greta-first-password")
    page.wait_for_url(server + "/")
    assert page.locator("nav >> text=greta").is_visible()

    page.click("nav >> text=log out")
    page.click('button:has-text("Log out")')
    page.goto(server + "/accounts/login/")
    page.click("main >> text=Forgot your password?")
    page.fill('input[name="email"]', "greta@example.com")
    page.click('button:has-text("Send me a link")')
    assert page.locator("h2").inner_text() == "Check your email"

    link = inbox.link(2)
    assert link.startswith(server + "/accounts/password/reset/")
    page.goto(link)
    page.fill('input[name="password"]', "greta-second-password")
    page.fill('input[name="confirm"]', "greta-second-password")
    page.click('button:has-text("Change my password")')
    page.wait_for_url(server + "/accounts/login/")
    assert "Your password has been changed" in page.locator(".flash").inner_text()

    _log_in(page, server, "greta", "greta-first-password")
    assert "Incorrect username or password" in page.locator("main").inner_text()
    _log_in(page, server, "greta", "greta-second-password")
    page.wait_for_url(server + "/")
    assert page.locator("nav >> text=greta").is_visible()
    assert [m["To"] for m in inbox.messages] == ["greta@example.com", "greta@example.com"]
