"""The API explorer in headless Chromium (Playwright driving Debian's chromium): loads, lists, tries a GET.

Needs ``pip install playwright`` (the rest tox env has it) and a Chromium at ``/usr/bin/chromium``
(or ``PLAYWRIGHT_CHROMIUM_EXECUTABLE``); never ``playwright install``. Skipped when either is
missing, except with ``CI=true``, where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request

from flask_peewee.db.testing import serve
from flask_peewee.rest import RestAPI, UserAuthentication

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def server(app: Flask, auth: Any, models: Any, users: Any) -> Iterator[tuple[str, list[str | None]]]:
    """The explorer enabled, served on a free port; yields the base URL and the Cookie headers the API saw."""
    app.config["FLASK_PEEWEE_REST_DOCS"] = True
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    api.register(models.Message)
    cookies: list[str | None] = []

    @app.before_request
    def record() -> None:
        if request.path.startswith("/api/note/"):
            cookies.append(request.headers.get("Cookie"))

    with app.app_context():
        models.Note.create(message="hello from the explorer")
    auth.db.database.close()
    with serve(app) as base:
        yield base, cookies


def test_explorer_lists_resources_and_tries_a_get(fp_browser: Any, server: tuple[str, list[str | None]]) -> None:
    base, cookies = server
    context = fp_browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies([{"name": "session", "value": "a-logged-in-session", "url": base}])
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda req: None if req.url.startswith(base) else outside.append(req.url))
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".opblock-tag")
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any(tag.strip().startswith("message") for tag in tags)
    assert any(tag.strip().startswith("note") for tag in tags)
    assert page.locator("button.authorize").count() == 1  # the API's own scheme (Basic), not the cookie

    # try it out: GET /api/note/
    page.locator("#operations-note-note_list .opblock-summary").click()
    block = page.locator("#operations-note-note_list")
    block.locator(".try-out__btn").click()
    block.locator(".execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.first.inner_text().strip() == "200"
    body = block.locator(".live-responses-table").inner_text()
    assert "hello from the explorer" in body
    assert cookies
    assert cookies[-1] is None
    assert errors == []
    assert outside == []  # no CDN, no validator badge
    context.close()


def test_explorer_writes_with_the_apis_own_credentials(
    fp_browser: Any, server: tuple[str, list[str | None]], app: Flask, models: Any
) -> None:
    base, cookies = server
    context = fp_browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies([{"name": "session", "value": "a-logged-in-session", "url": base}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".opblock-tag")

    # without credentials the write is refused
    page.locator("#operations-note-note_create .opblock-summary").click()
    block = page.locator("#operations-note-note_create")
    block.locator(".try-out__btn").click()
    block.locator(".execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    status.wait_for()
    assert status.first.inner_text().strip() == "401"

    # Authorize with HTTP Basic (the API's scheme), then the same request creates the note
    page.locator("button.authorize").first.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.locator("input[type=text]").first.fill("admin")
    dialog.locator("input[type=password]").first.fill("admin")
    dialog.locator("button.authorize").first.click()
    dialog.locator("button.btn-done").click()
    block.locator(".execute").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll("
        "'#operations-note-note_create .live-responses-table .response-col_status')]"
        ".some(cell => cell.textContent.trim() === '200')"
    )
    with app.app_context():
        assert models.Note.select().where(models.Note.message == "example message").count() == 1
    assert cookies
    assert set(cookies) == {None}  # no API call carried the session cookie
    assert errors == []
    context.close()
