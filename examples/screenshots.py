"""Take the admin README's screenshots from the example app in headless Chromium (run by hand).

    .dev/demo/bin/python examples/screenshots.py [--out DIR]                (the venv `python3 dev.py demo` makes)
    .dev/demo/bin/python examples/screenshots.py --lang de fr es [--out DIR]

Serves Tweepee with its demo data on a temporary SQLite file and a free port of 127.0.0.1, logs
in as the admin and writes dashboard.png, list.png and edit-form.png into
packages/flask-peewee-admin/docs/ (or DIR). With ``--lang``, it writes the login page, the
message list (a filter on a related field open) and the edit form in each language instead:
login-de.png, list-de.png, edit-form-de.png... into packages/flask-peewee-admin/docs/i18n/ (or
DIR), the viewport only. Needs playwright and Debian's chromium (PLAYWRIGHT_CHROMIUM_EXECUTABLE
to point elsewhere); never `playwright install`.
"""

import argparse
import os
import secrets
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "examples" / "twitter"
DOCS = ROOT / "packages" / "flask-peewee-admin" / "docs"
I18N = DOCS / "i18n"
#: the languages of the example's locale selector besides English (``?lang=de``)
LANGUAGES = ("de", "fr", "es")
CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTES = [
    ("Spam check done for this week: nothing to delete.", 3),
    ("Remember: the demo resets the admin password at every start.", 1),
]


def _load(tmp: str):
    """Import the example on a fresh database in ``tmp``; return (app, admin password, a message's id)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'example.db'}"
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    sys.path.insert(0, str(HERE))
    import datetime

    import demo_data
    from main import Message, Note, User, app, db

    with app.app_context():
        password = demo_data.load()
        admin = User.get(User.username == "admin")
        for text, hours in NOTES:
            Note.create(user=admin, message=text, created=datetime.datetime.now() - datetime.timedelta(hours=hours))
        message_id = Message.get(Message.content == "Hello, world!").id
    db.database.close()
    return app, password, message_id


def _log_in(page, base: str, password: str) -> None:
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/admin/")


def _shoot(page, base: str, url: str, path: Path, *, full_page: bool) -> Path:
    page.goto(base + url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _readme_shots(browser, base: str, password: str, message_id: int, out: Path) -> list[Path]:
    """dashboard.png, list.png and edit-form.png in English, each the whole page."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(f"{base}/accounts/login/?next=/admin/")
    _log_in(page, base, password)
    shots = {
        "dashboard.png": "/admin/",  # without the "logged in" message
        "list.png": "/admin/message/?ordering=-pub_date",
        "edit-form.png": f"/admin/message/{message_id}/",
    }
    written = [_shoot(page, base, url, out / name, full_page=True) for name, url in shots.items()]
    page.close()
    return written


def _language_shots(browser, base: str, password: str, message_id: int, out: Path, lang: str) -> list[Path]:
    """login-<lang>.png, list-<lang>.png and edit-form-<lang>.png: the viewport, in a session of their own."""
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale=lang)
    page = context.new_page()
    # ?lang= is kept in the session by the example's locale selector
    written = [
        _shoot(page, base, f"/accounts/login/?lang={lang}&next=/admin/", out / f"login-{lang}.png", full_page=False)
    ]
    _log_in(page, base, password)
    page.goto(f"{base}/admin/?lang={lang}")
    # newest first, with a filter on a related field (the user's name) so the filter row shows
    listed = "/admin/message/?ordering=-pub_date&user__username__ilike=%25o%25"
    written.append(_shoot(page, base, listed, out / f"list-{lang}.png", full_page=False))
    written.append(_shoot(page, base, f"/admin/message/{message_id}/", out / f"edit-form-{lang}.png", full_page=False))
    context.close()
    return written


def take(out: Path, languages: tuple[str, ...] = ()) -> list[Path]:
    """Serve the example and write the screenshots into ``out``; return their paths.

    Without ``languages``, the README's three (in English); with them, three per language.
    """
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import WSGIRequestHandler, make_server

    class _QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            """No access log: the script prints only the files it wrote."""

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app, password, message_id = _load(tmp)
        httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{httpd.server_port}"
        written = []
        try:
            with sync_playwright() as playwright:
                if not languages:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    written += _readme_shots(browser, base, password, message_id, out)
                    browser.close()
                for lang in languages:
                    # Chromium's own language too: it draws the date and time inputs in it, given its locale
                    # files (Debian's chromium-l10n; without them they stay American)
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, f"--lang={lang}"])
                    written += _language_shots(browser, base, password, message_id, out, lang)
                    browser.close()
        finally:
            httpd.shutdown()
            thread.join(timeout=10)
            httpd.server_close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help=f"where to write the PNGs (default {DOCS}, with --lang {I18N})")
    parser.add_argument(
        "--lang",
        nargs="+",
        choices=LANGUAGES,
        default=(),
        metavar="LANG",
        help=f"the login page, list and edit form in these languages ({' '.join(LANGUAGES)}) instead",
    )
    args = parser.parse_args()
    languages = tuple(dict.fromkeys(args.lang))
    out = args.out or (I18N if languages else DOCS)
    for path in take(out, languages):
        print(path)


if __name__ == "__main__":
    main()
