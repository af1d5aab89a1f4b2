"""Load the example app once per test session on a fresh SQLite file (or DATABASE_URL when set).

The app is shared by every test of the session, so tests make their own users and rows (with
names no other test uses) instead of counting on what the others left behind.
"""

import base64
import importlib
import itertools
import os
import re
import sys
from html.parser import HTMLParser

import pytest

from flask_peewee.db.testing import Backend, serve

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "twitter")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_names = itertools.count(1)


_SERVER_URLS = {
    "postgres": ("FLASK_PEEWEE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    "mysql": ("FLASK_PEEWEE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}


@pytest.fixture(scope="session")
def server_database():
    """This session's own database on the server named by ``FLASK_PEEWEE_TEST_EXAMPLE_BACKEND``, or None."""
    name = os.environ.get("FLASK_PEEWEE_TEST_EXAMPLE_BACKEND", "").strip()
    if not name:
        yield None
        return
    if name not in _SERVER_URLS:
        raise pytest.UsageError(f"FLASK_PEEWEE_TEST_EXAMPLE_BACKEND: use one of {sorted(_SERVER_URLS)}")
    variable, default = _SERVER_URLS[name]
    backend = Backend(name, server_url=os.environ.get(variable, default))
    backend.start()
    if backend.error:
        pytest.fail(f"the example's {name} database is unavailable: {backend.error}", pytrace=False)
    yield backend.url
    backend.stop()


@pytest.fixture(scope="session")
def example(tmp_path_factory, server_database):
    os.environ.setdefault("SECRET_KEY", "examples-test-secret-key")
    if server_database:
        os.environ["DATABASE_URL"] = server_database
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('twitter') / 'example.db'}")
    os.environ.setdefault("FLASK_PEEWEE_UPLOADS_ROOT", str(tmp_path_factory.mktemp("uploads")))
    sys.path.insert(0, HERE)
    main = importlib.import_module("main")
    main.app.config.update(TESTING=True, FLASK_PEEWEE_PASSWORD_SCHEMES=["pbkdf2_sha256"])
    demo_data = importlib.import_module("demo_data")
    with main.app.app_context():
        password = demo_data.load("admin-password")
    main.db.database.close()
    yield main, password
    sys.path.remove(HERE)


@pytest.fixture
def client(example):
    main, _ = example
    return main.app.test_client()


@pytest.fixture
def token():
    """The CSRF token of a rendered page."""

    def token(response):
        match = TOKEN.search(response.text)
        assert match, "the page has a CSRF token"
        return match.group(1)

    return token


@pytest.fixture
def login(token):
    """Log ``client`` in through the login form, as a person would."""

    def login(client, username, password):
        page = client.get("/accounts/login/")
        return client.post(
            "/accounts/login/", data={"username": username, "password": password, "csrf_token": token(page)}
        )

    return login


@pytest.fixture
def admin_client(example, client, login):
    _, password = example
    assert login(client, "admin", password).status_code == 302
    return client


@pytest.fixture
def person(example):
    """Make a user with a name no other test uses; returns ``(user, password)``."""
    main, _ = example

    def person(prefix="user", **fields):
        with main.app.app_context():
            user = main.User(username=f"{prefix}{next(_names):03d}", email=f"{prefix}@example.com", **fields)
            user.set_password("pass-" + user.username)
            user.save()
        main.db.database.close()
        return user, "pass-" + user.username

    return person


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def basic_auth():
    """HTTP Basic headers for the REST API."""
    return basic


class _Forms(HTMLParser):
    """The POST forms of a page with what a browser would submit: inputs, checked boxes, textareas, selects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"][a["name"]] = a.get("value") or ("y" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self._form["fields"]):
            self._form["fields"][self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            value = self._form["fields"][self._textarea]
            # a browser drops the newline right after <textarea>
            self._form["fields"][self._textarea] = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


@pytest.fixture
def form():
    """``form(response, field)``: the fields of the page's POST form that has ``field``, as a browser sends them."""

    def form(response, field):
        parser = _Forms()
        parser.feed(response.text)
        for found in parser.forms:
            if found["method"] == "post" and field in found["fields"]:
                return dict(found["fields"])
        raise AssertionError(f"no POST form with a {field!r} field on the page")

    return form


@pytest.fixture
def leaves_no_rows(example):
    """Delete the rows a test made (the app is shared: the other tests count on the demo data's pages)."""
    main, _ = example
    models = [main.Message, main.Note, main.Relationship, main.User]  # dependants first
    with main.app.app_context():
        before = {m: m.select(m.id).order_by(m.id.desc()).scalar() or 0 for m in models}
    main.db.database.close()
    yield
    with main.app.app_context():
        for model in models:
            model.delete().where(model.id > before[model]).execute()
    main.db.database.close()


@pytest.fixture(scope="module")
def server(example):
    """The example app served on a free port of 127.0.0.1, for the browser tests."""
    main, _ = example
    main.db.database.close()
    with serve(main.app) as base:
        yield base


@pytest.fixture
def page(fp_browser):
    """A page of headless Chromium (``fp_browser``) that fails the test on a JavaScript error."""
    context = fp_browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], "JavaScript errors on the page"
