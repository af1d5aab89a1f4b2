"""The admin's looks in headless Chromium: the bounding boxes that were off, at 1,280, 1,920 and 390 px.

Same requirements as ``test_admin_browser.py`` (Playwright, Debian's Chromium), whose fixtures it uses.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from flask import Flask
from tests.test_admin_browser import _log_in, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.backends("sqlite")


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _middle(box: dict[str, float]) -> float:
    return box["y"] + box["height"] / 2


def _lines(page: Any, selector: str) -> list[int]:
    """How many line boxes the text of each element matching ``selector`` takes."""
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })",
    )


@pytest.fixture
def open_page(fp_browser: Any, server: str) -> Any:  # noqa: F811
    contexts: list[Any] = []
    errors: list[str] = []

    def open_at(width: int, url: str, height: int = 800) -> Any:
        context = fp_browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        _log_in(page, server)
        page.goto(server + url)
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert errors == []


def test_dashboard_links_sit_level_with_their_add_buttons(open_page: Any) -> None:
    page = open_page(1280, "/admin/")
    rows = page.locator(".fp-dashboard .fp-table tr")
    assert rows.count() == 3
    for index in range(rows.count()):
        link = rows.nth(index).locator("th a").bounding_box()
        button = rows.nth(index).locator("td .fp-btn").bounding_box()
        assert abs(_middle(link) - _middle(button)) <= 1.5


def test_wide_screens_use_the_width_up_to_the_log_out_button(open_page: Any) -> None:
    page = open_page(1920, "/admin/message/")
    table = _box(page, "table.fp-list")
    logout = _box(page, ".fp-logout")
    brand = _box(page, ".fp-brand")
    assert abs(table["x"] - brand["x"]) <= 1
    assert abs((table["x"] + table["width"]) - (logout["x"] + logout["width"])) <= 2
    page = open_page(1280, "/admin/message/")
    table = _box(page, "table.fp-list")
    assert abs((table["x"] + table["width"]) - (1280 - table["x"])) <= 2  # the same margins at 1,280


def test_phone_width_keeps_dates_whole_breadcrumbs_aligned_and_the_header_small(
    open_page: Any, app: Flask, models: Any, staff: Any
) -> None:
    with app.app_context():
        message = models.Message.create(user=staff, content="long enough to take the breadcrumbs onto two lines")
    models.Message._meta.database.close()
    page = open_page(390, f"/admin/message/{message.id}/history/")
    header = _box(page, ".fp-header")
    assert header["height"] <= 0.12 * 800
    crumbs = page.locator(".fp-breadcrumbs li")
    boxes = [crumbs.nth(i).bounding_box() for i in range(crumbs.count())]
    assert boxes[-1]["y"] > boxes[0]["y"]  # the long object name wraps onto a second line...
    starts = [b["x"] for b in boxes if b["y"] > boxes[0]["y"] + 1]
    assert starts
    assert all(abs(x - boxes[0]["x"]) <= 1 for x in starts)  # ...which starts at the margin, not with "/"
    assert abs(boxes[0]["x"] - _box(page, "h1")["x"]) <= 1
    page.goto(page.url.replace(f"/{message.id}/history/", "/"))
    assert set(_lines(page, "tbody td.fp-nowrap")) == {1}


def test_history_header_is_tinted_and_when_stays_on_one_line(open_page: Any, app: Flask, models: Any) -> None:
    page = open_page(1280, "/admin/message/")
    tint = page.eval_on_selector("table.fp-list thead th", "e => getComputedStyle(e).backgroundColor")
    with app.app_context():
        message = models.Message.get(models.Message.content == "bananas")
    page.goto(page.url.replace("/admin/message/", f"/admin/message/{message.id}/"))
    page.fill("#content", "bananas!")
    page.click('button[name="_save"]')
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(page.url.split("/admin/")[0] + f"/admin/message/{message.id}/history/")
    assert page.eval_on_selector("table.fp-history thead th", "e => getComputedStyle(e).backgroundColor") == tint
    assert _lines(page, "table.fp-history tbody td:first-child") == [1]


def test_an_edit_saved_in_the_browser_without_edits_keeps_microseconds(
    open_page: Any, app: Flask, models: Any, auth: Any, staff: Any
) -> None:
    stamp = datetime.datetime(2024, 3, 1, 9, 5, 42, 127762)
    with app.app_context():
        message = models.Message.create(user=staff, content="precise\nto the microsecond", pub_date=stamp)
        entries = auth.AuditEntry.select().count()
    models.Message._meta.database.close()
    page = open_page(1280, f"/admin/message/{message.id}/")
    assert page.input_value("#pub_date-time") == "09:05:42.127"
    page.click('button[name="_save"]')
    assert "was saved." in page.locator(".fp-messages").inner_text()
    with app.app_context():
        stored = models.Message.get_by_id(message.id)
        assert (stored.pub_date, stored.content) == (stamp, "precise\nto the microsecond")
        assert auth.AuditEntry.select().count() == entries


def test_the_select_button_shows_only_for_foreign_keys_and_operators_fit(open_page: Any) -> None:
    page = open_page(1280, "/admin/message/")
    page.locator("summary", has_text="Filters").click()
    row = page.locator(".fp-filter-row").first
    assert not row.locator(".fp-filter-lookup").is_visible()
    row.locator(".fp-filter-field").select_option("content")
    assert not row.locator(".fp-filter-lookup").is_visible()
    row.locator(".fp-filter-field").select_option("user")
    assert row.locator(".fp-filter-lookup").is_visible()
    field, op = row.locator(".fp-filter-field").bounding_box(), row.locator(".fp-filter-op").bounding_box()
    assert op["width"] <= field["width"] + 1
    assert abs(_middle(field) - _middle(op)) <= 1


def test_export_radio_buttons_sit_level_with_their_labels(open_page: Any) -> None:
    page = open_page(1280, "/admin/message/export/")
    for name in ("csv", "json"):
        radio, label = _box(page, f"#fp-format-{name}"), _box(page, f'label[for="fp-format-{name}"]')
        assert abs(_middle(radio) - _middle(label)) <= 0.5, (radio, label)


def test_lookup_dialog_shows_the_pager_state_and_the_current_value_and_stays_put(
    open_page: Any, app: Flask, models: Any, staff: Any
) -> None:
    with app.app_context():
        message = models.Message.get(models.Message.content == "bananas")
    assert message.user_id == staff.id
    page = open_page(1280, f"/admin/message/{message.id}/")
    page.click('button.fp-lookup-btn[data-lookup-field="user"]')
    page.fill("#fp-lookup-query", "sta")
    page.wait_for_function("document.querySelectorAll('#fp-lookup-results button').length === 1")
    current = page.locator("#fp-lookup-results button", has_text="staff")
    assert current.get_attribute("aria-current") == "true"
    assert current.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.is_disabled("#fp-lookup-prev")
    assert page.is_disabled("#fp-lookup-next")
    for button in ("#fp-lookup-prev", "#fp-lookup-next"):
        assert float(page.eval_on_selector(button, "e => getComputedStyle(e).opacity")) < 0.6
    before = _box(page, "#fp-lookup-dialog")
    page.fill("#fp-lookup-query", "")
    page.wait_for_function("document.querySelectorAll('#fp-lookup-results button').length > 10")
    assert page.is_enabled("#fp-lookup-next")
    assert float(page.eval_on_selector("#fp-lookup-next", "e => getComputedStyle(e).opacity")) == 1
    other = page.locator("#fp-lookup-results button:not([aria-current])").first
    assert other.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert _box(page, "#fp-lookup-dialog") == before
