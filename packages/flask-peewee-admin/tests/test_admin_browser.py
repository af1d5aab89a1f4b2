"""End-to-end in headless Chromium (Playwright driving Debian's chromium): the admin as a person uses it.

Needs ``pip install playwright`` and a Chromium at ``/usr/bin/chromium`` (or
``PLAYWRIGHT_CHROMIUM_EXECUTABLE``); never ``playwright install``. Skipped when either is
missing, except with ``CI=true``, where that is a failure. The screenshots taken on the way go
to a temporary directory, or to ``FLASK_PEEWEE_SCREENSHOTS_DIR`` when it is set (the README's
own screenshots come from the example app: ``examples/screenshots.py``).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_peewee.admin import Admin
from flask_peewee.db.testing import serve

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``FLASK_PEEWEE_SCREENSHOTS_DIR`` when set, else the test's temporary directory."""
    folder = Path(os.environ.get("FLASK_PEEWEE_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def server(app: Flask, admin: Admin, models: Any, superuser: Any, staff: Any) -> Iterator[str]:
    """The test app served on a free port of 127.0.0.1, with users, notes and messages."""
    with app.app_context():
        models.User.insert_many(
            [
                {"username": f"member{i:02d}", "email": "", "password": "x", "active": True, "admin": False}
                for i in range(60)
            ]
        ).execute()
        for index, content in enumerate(["apples", "bananas", "cherries", "dates"]):
            models.Message.create(
                user=superuser if index % 2 == 0 else staff,
                content=content,
                pub_date=datetime.datetime(2024, 3, 1 + index, 9, 0),
            )
        models.Note.create(message="Welcome to the admin", user=superuser)
    admin.auth.db.database.close()
    with serve(app) as base:
        yield base


def _log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/")
    assert "/accounts/login/" in page.url
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', "correct horse")
    page.click('button[type="submit"], input[type="submit"]')
    page.wait_for_url(f"{base}/admin/")


def test_admin_in_a_real_browser(
    fp_browser: Any, server: str, app: Flask, models: Any, staff: Any, shots: Path
) -> None:
    context = fp_browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, server)
    assert page.locator("h1").inner_text() == "Dashboard"
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    # add a message, picking the user in the lookup dialog with type-ahead
    page.goto(f"{server}/admin/message/add/")
    page.fill("#content", "figs from the browser")
    page.click('button.fp-lookup-btn[data-lookup-field="user"]')
    dialog = page.locator("#fp-lookup-dialog")
    assert dialog.is_visible()
    page.fill("#fp-lookup-query", "staf")
    page.locator("#fp-lookup-results button", has_text="staff").click()
    assert not dialog.is_visible()
    assert page.locator("#user").input_value() == str(staff.id)
    page.fill("#pub_date-date", "2024-03-09")
    page.fill("#pub_date-time", "10:00")
    page.click('button[name="_continue"]')
    assert "was added." in page.locator(".fp-messages").inner_text()
    assert page.locator('button.fp-lookup-btn[data-lookup-field="user"]').inner_text() == "staff"
    page.screenshot(path=str(shots / "edit-form.png"), full_page=True)

    # sort by clicking a column, filter with the filter rows, search
    page.goto(f"{server}/admin/message/")
    page.click('th a:has-text("Content")')
    page.wait_for_url("**ordering=content**")
    cells = page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert cells == sorted(cells)
    page.click('th a:has-text("Content")')
    page.wait_for_url("**ordering=-content**")
    assert page.locator("tbody tr td:nth-child(3)").all_inner_texts() == sorted(cells, reverse=True)
    page.screenshot(path=str(shots / "list.png"), full_page=True)
    page.locator("summary", has_text="Filters").click()
    page.select_option(".fp-filter-row >> nth=0 >> .fp-filter-field", "user__username")
    page.select_option(".fp-filter-row >> nth=0 >> .fp-filter-op", "eq")
    page.fill(".fp-filter-row >> nth=0 >> .fp-filter-value", "staff")
    page.click('button:has-text("Apply filters")')
    page.wait_for_url("**user__username=staff**")
    assert sorted(page.locator("tbody tr td:nth-child(3)").all_inner_texts()) == [
        "bananas",
        "dates",
        "figs from the browser",
    ]
    page.goto(f"{server}/admin/message/")
    page.fill("#fp-search", "cherr")
    page.press("#fp-search", "Enter")
    page.wait_for_url("**q=cherr**")
    assert page.locator("tbody tr td:nth-child(3)").all_inner_texts() == ["cherries"]

    # export the filtered list as CSV
    page.goto(f"{server}/admin/message/export/?user__username=staff")
    with page.expect_download() as download_info:
        page.click('button:has-text("Export")')
    content = Path(download_info.value.path()).read_text()
    assert content.splitlines()[0] == "id,user,content,pub_date"
    assert len(content.splitlines()) == 4

    # bulk delete two rows with confirmation
    page.goto(f"{server}/admin/message/?ordering=content")
    page.check('tbody tr:has-text("apples") input[name="id"]')
    page.check('tbody tr:has-text("bananas") input[name="id"]')
    page.select_option("#fp-action", "delete")
    page.click('button:has-text("Go")')
    assert "Delete 2 messages?" in page.locator("h1").inner_text()
    page.click('button:has-text("Yes, delete")')
    assert "Deleted 2 messages." in page.locator(".fp-messages").inner_text()
    with app.app_context():
        assert sorted(m.content for m in models.Message.select()) == ["cherries", "dates", "figs from the browser"]

    # history of the message added above
    with app.app_context():
        added = models.Message.get(models.Message.content == "figs from the browser")
    page.goto(f"{server}/admin/message/{added.id}/")
    page.click('a:has-text("History")')
    history = page.locator("table.fp-history").inner_text()
    assert "add" in history
    assert "admin" in history

    # keyboard: the skip link is the first stop
    page.goto(f"{server}/admin/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert errors == []
    context.close()


def _axe_problems(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page, one line each (rule, impact, nodes)."""
    from axe_playwright_python.sync_playwright import Axe  # in the admin tox env, like Playwright

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [", ".join(node["target"]) for node in violation["nodes"]]
            problems.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_violations(
    fp_browser: Any, server: str, app: Flask, models: Any, scheme: str
) -> None:
    context = fp_browser.new_context(viewport={"width": 1200, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    _log_in(page, server)
    with app.app_context():
        message = models.Message.get(models.Message.content == "apples")
    urls = {
        "dashboard": "/admin/",
        "list": "/admin/message/?ordering=-content",
        "add form": "/admin/message/add/",
        "edit form": f"/admin/message/{message.id}/",
        "delete confirmation": f"/admin/user/delete/?id={message.user_id}",
        "filtered list with errors": "/admin/message/?nope=1",
    }
    found = {}
    for name, url in urls.items():
        page.goto(server + url)
        page.wait_for_load_state("networkidle")
        found[name] = _axe_problems(page)
    page.goto(f"{server}/admin/message/add/")
    page.click('button.fp-lookup-btn[data-lookup-field="user"]')
    page.wait_for_selector("#fp-lookup-results button")
    found["lookup dialog"] = _axe_problems(page)
    context.close()
    assert found == {name: [] for name in found}


@pytest.fixture
def blog_server(app: Flask, db: Any, auth: Any) -> Iterator[tuple[str, Any]]:
    """An app whose posts have 60 tags to pick from (lookup dialog) and comments edited inline."""
    import peewee

    from flask_peewee.admin import InlineModelAdmin, ModelAdmin

    class Tag(db.Model):
        name = peewee.CharField(unique=True)

        def __str__(self) -> str:
            return self.name

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

        def __str__(self) -> str:
            return self.title

    class Comment(db.Model):
        post = peewee.ForeignKeyField(Post, backref="comments")
        author = peewee.CharField()
        body = peewee.TextField()

        def __str__(self) -> str:
            return f"comment by {self.author}"

    class CommentInline(InlineModelAdmin):
        model = Comment

    class PostAdmin(ModelAdmin):
        columns = ("title",)
        inlines = (CommentInline,)

    admin = Admin(app, auth)
    admin.register(Post, PostAdmin)
    admin.register(Tag)
    admin.setup()
    db.create_tables()
    db.database.create_tables([Post.tags.through_model])
    with app.app_context():
        user = auth.User(username="admin", email="", admin=True, active=True)
        user.set_password("correct horse")
        user.save()
        Tag.insert_many([{"name": f"topic {i:02d}"} for i in range(60)]).execute()
        post = Post.create(title="Inline editing")
        Comment.create(post=post, author="ann", body="first!")
    db.database.close()
    with serve(app) as base:
        yield base, (Post, post)


def test_many_to_many_and_inline_rows_in_a_real_browser(
    fp_browser: Any, blog_server: Any, app: Flask, shots: Path
) -> None:
    server, (Post, post) = blog_server
    context = fp_browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, server)
    page.goto(f"{server}/admin/post/{post.id}/")
    # two tags through the lookup dialog: chips appear, one is removed again
    for term, label in (("07", "topic 07"), ("42", "topic 42"), ("13", "topic 13")):
        page.click('button.fp-lookup-btn[data-lookup-field="tags"]')
        page.fill("#fp-lookup-query", term)
        page.locator("#fp-lookup-results button", has_text=label).click()
    assert page.locator("#tags-list li span").all_inner_texts() == ["topic 07", "topic 42", "topic 13"]
    page.click('button[aria-label="Remove topic 42"]')
    assert page.locator("#tags-list li span").all_inner_texts() == ["topic 07", "topic 13"]
    # change the existing comment, add one with the add button (JavaScript copies the row template)
    page.fill("#comment-0-body", "first! (edited)")
    page.click("button.fp-inline-add")
    new_row = page.locator(".fp-inline-row").nth(1)
    assert new_row.locator("legend").inner_text() == "New comment"
    new_row.locator('input[name$="-author"]').fill("bea")
    new_row.locator('textarea[name$="-body"]').fill("added in the browser")
    assert _axe_problems(page) == []
    page.screenshot(path=str(shots / "inline-form.png"), full_page=True)
    page.click('button[name="_continue"]')
    assert "was saved." in page.locator(".fp-messages").inner_text()
    with app.app_context():
        stored = Post.get_by_id(post.id)
        assert sorted(t.name for t in stored.tags) == ["topic 07", "topic 13"]
        assert sorted((c.author, c.body) for c in stored.comments) == [
            ("ann", "first! (edited)"),
            ("bea", "added in the browser"),
        ]
    assert page.locator("#tags-list li span").all_inner_texts() == ["topic 07", "topic 13"]
    assert page.locator(".fp-inline-row legend").all_inner_texts() == ["comment by ann", "comment by bea"]
    assert errors == []
    context.close()
