"""Take the admin README's screenshots from the example app in headless Chromium (run by hand).

    .dev/demo/bin/python examples/screenshots.py [--out DIR]    (the venv `python3 dev.py demo` makes)

Serves Tweepee with its demo data on a temporary SQLite file and a free port of 127.0.0.1, logs
in as the admin and writes dashboard.png, list.png and edit-form.png into
packages/flask-peewee-admin/docs/ (or DIR). Needs playwright and Debian's chromium
(PLAYWRIGHT_CHROMIUM_EXECUTABLE to point elsewhere); never `playwright install`.
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


def take(out: Path) -> list[Path]:
    """Serve the example and write the screenshots into ``out``; return their paths."""
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
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.goto(f"{base}/accounts/login/?next=/admin/")
                page.fill('input[name="username"]', "admin")
                page.fill('input[name="password"]', password)
                page.click('button[type="submit"]')
                page.wait_for_url(f"{base}/admin/")
                page.goto(f"{base}/admin/")  # without the "logged in" message
                shots = {
                    "dashboard.png": "/admin/",
                    "list.png": "/admin/message/?ordering=-pub_date",
                    "edit-form.png": f"/admin/message/{message_id}/",
                }
                for name, url in shots.items():
                    page.goto(base + url)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / name), full_page=True)
                    written.append(out / name)
                browser.close()
        finally:
            httpd.shutdown()
            thread.join(timeout=10)
            httpd.server_close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help=f"where to write the PNGs (default {DOCS})")
    for path in take(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
