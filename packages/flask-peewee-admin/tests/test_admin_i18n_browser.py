"""The German admin in headless Chromium: login, dashboard, list and the lookup dialog's script texts.

Same browser setup as test_admin_browser.py (Debian's Chromium through Playwright; skipped
without them, except with ``CI=true``). The screenshot goes to ``FLASK_PEEWEE_SCREENSHOTS_DIR``
when it is set (the docs' picture of the German admin), else to the test's temporary directory.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import Babel

from flask_peewee.admin import Admin
from flask_peewee.db.testing import serve

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def german_server(app: Flask, admin: Admin, models: Any, superuser: Any) -> Iterator[str]:
    """The test app in German, served on a free port, with enough users for the lookup dialog."""
    Babel(app, locale_selector=lambda: "de")
    with app.app_context():
        models.User.insert_many(
            [{"username": f"member{i:02d}", "email": "", "password": "x", "active": True} for i in range(60)]
        ).execute()
        models.Message.create(user=superuser, content="Äpfel", pub_date=datetime.datetime(2024, 3, 1, 9, 0))
    admin.auth.db.database.close()
    with serve(app) as base:
        yield base


def test_the_german_admin_in_a_real_browser(fp_browser: Any, german_server: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("FLASK_PEEWEE_SCREENSHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = fp_browser.new_page(viewport={"width": 1200, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{german_server}/admin/")
    assert page.locator("h2").inner_text() == "Anmelden"
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', "correct horse")
    page.click('button[type="submit"]')
    page.wait_for_url(f"{german_server}/admin/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text() == "Übersicht"
    assert "Sie sind als admin angemeldet" in page.locator(".fp-messages").inner_text()
    assert page.locator("nav.fp-nav").get_by_text("Änderungsprotokoll").is_visible()

    page.goto(f"{german_server}/admin/message/")
    assert page.locator(".fp-count").inner_text() == "1 Message"
    assert page.get_by_role("link", name="Message hinzufügen").is_visible()
    assert "01.03.2024, 09:00:00" in page.locator("table.fp-list").inner_text()
    page.screenshot(path=str(shots / "admin-de.png"), full_page=True)

    # the lookup dialog: its texts come from the page's JSON blob, translated
    page.goto(f"{german_server}/admin/message/add/")
    assert page.locator('button.fp-lookup-btn[data-lookup-field="user"]').inner_text() == "Auswählen …"
    page.click('button.fp-lookup-btn[data-lookup-field="user"]')
    page.wait_for_function("document.getElementById('fp-lookup-page').textContent !== ''")
    assert page.locator("#fp-lookup-page").inner_text().startswith("Seite 1 von ")
    assert page.locator("#fp-lookup-title").inner_text() == "User auswählen"  # the field's label, not its name
    page.fill("#fp-lookup-query", "nobody-has-this-name")
    page.wait_for_function("document.getElementById('fp-lookup-results').textContent.includes('Nichts gefunden.')")
    page.click('#fp-lookup-dialog button[aria-label="Schließen"]')
    assert not page.locator("#fp-lookup-dialog").is_visible()
    assert page.get_by_role("button", name="Speichern und weiter bearbeiten").is_visible()
    assert errors == []
