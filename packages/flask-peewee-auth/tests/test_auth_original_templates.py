"""Login templates written for the original flask-peewee render and log in unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, get_flashed_messages, session

from flask_peewee.auth import Auth

from .conftest import PASSWORD

# The structure of the original's auth/login.html (Flask-SeaSurf's ``_csrf_token`` field when a
# ``csrf_token`` global exists, the ``with_errors`` macro, ``login_url`` and ``next``).
ORIGINAL_STYLE_LOGIN = """\
{% extends "base.html" %}
{% from 'macros/forms.html' import with_errors %}
{% block content_title %}Log in{% endblock %}
{% block content %}
  <form method="post" action="{{ login_url }}" id="old-login">
    <input type="hidden" name="next" value="{{ next or '' }}" />
    {% if csrf_token %}<input type="hidden" name="_csrf_token" value="{{ csrf_token() }}">{% endif %}
    {% for field in form %}
      <div class="mb-3">{{ field.label(class="form-label") }} {{ with_errors(field) }}</div>
    {% endfor %}
    <button class="btn btn-primary" type="submit">Log in</button>
  </form>
{% endblock %}
"""


def _override(app: Flask) -> None:
    folder = Path(app.root_path) / "templates" / "auth"
    folder.mkdir(parents=True)
    (folder / "login.html").write_text(ORIGINAL_STYLE_LOGIN)


def test_original_style_login_template_renders_and_logs_in(app: Flask, auth: Auth, user: Any, client: Any) -> None:
    _override(app)
    page = client.get("/accounts/login/?next=/private/")
    assert page.status_code == 200
    assert 'id="old-login"' in page.text
    assert 'action="/accounts/login/"' in page.text
    assert 'value="/private/"' in page.text
    assert 'class="form-control"' in page.text  # with_errors from macros/forms.html
    token = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/accounts/login/",
        data={"username": "alice", "password": PASSWORD, "_csrf_token": token, "next": "/private/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/private/")
    assert client.get("/private/").text == "private page of alice"


def test_with_errors_marks_invalid_fields(app: Flask, auth: Auth, client: Any) -> None:
    _override(app)
    page = client.get("/accounts/login/")
    token = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/accounts/login/", data={"username": "", "password": "", "_csrf_token": token})
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert "This field is required." in response.text


def test_a_wrong_seasurf_token_is_refused(app: Flask, auth: Auth, user: Any, client: Any) -> None:
    _override(app)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/", data={"username": "alice", "password": PASSWORD, "_csrf_token": "forged"}
    )
    assert response.status_code != 302
    assert client.get("/private/").status_code == 302


def test_login_errors_are_flashed_for_an_apps_own_template(app: Flask, auth: Auth, user: Any, client: Any) -> None:
    """The original flashed its login errors, and templates written for it show flashed messages only."""
    _override(app)
    page = client.get("/accounts/login/")
    token = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/accounts/login/", data={"username": "alice", "password": "wrong", "_csrf_token": token})
    assert response.status_code == 200
    assert response.text.count("Incorrect username or password") == 1  # flashed, shown by base.html


def test_our_template_shows_a_login_error_once(auth: Auth, user: Any, client: Any, csrf_from: Any) -> None:
    token = csrf_from(client)
    response = client.post("/accounts/login/", data={"username": "alice", "password": "wrong", "csrf_token": token})
    assert response.status_code == 200
    assert response.text.count("Incorrect username or password") == 1  # flashed, shown once by base.html


def test_login_errors_are_flashed_when_the_apps_base_shows_no_messages(
    app: Flask, auth: Auth, user: Any, client: Any
) -> None:
    """The original's own test: with a base.html that shows nothing, the error waits in the session."""
    folder = Path(app.root_path) / "templates"
    folder.mkdir(parents=True)
    (folder / "base.html").write_text("{# an app base that shows no flashed messages #}")
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # the page shows no form, so no token: a browser's POST
    with client:
        response = client.post("/accounts/login/", data={"username": "", "password": "xxx"}, headers=same_origin)
        assert response.status_code == 200
        assert "_flashes" not in session  # a form error is no flashed message
        response = client.post("/accounts/login/", data={"username": "alice", "password": "bad"}, headers=same_origin)
        assert response.status_code == 200
        assert "_flashes" in session
        assert get_flashed_messages() == ["Incorrect username or password"]
    assert client.get("/private/").status_code == 302  # still anonymous
