"""Helpers for apps' own tests (and the auth, admin and REST suites).

Log a test client in without the form, create users, read a form's CSRF token::

    from flask_peewee.auth.testing import create_user, form_csrf_token, log_in

    def test_dashboard(app, client, auth):
        boss = create_user(app, auth, "boss", "secret", admin=True)
        log_in(client, boss)
        assert client.get("/admin/").status_code == 200
        token = form_csrf_token(client, "/admin/note/add/")

:func:`cascade_models` builds a small schema whose recursive delete reaches every kind of
dependent, for tests of audited deletes.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import peewee
from flask import Flask

from flask_peewee.auth import _sessions
from flask_peewee.auth._auth import EXTENSION_KEY, Auth
from flask_peewee.db import Database, connection

__all__ = ["cascade_models", "create_user", "form_csrf_token", "log_in", "log_out"]

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _auth_of(app: Any, user: Any) -> Any:
    auths = list(app.extensions.get(EXTENSION_KEY, {}).values())
    for auth in auths:
        if isinstance(user, auth.User):
            return auth
    if not auths:
        raise RuntimeError("log_in() needs an Auth set up on the client's app")
    return auths[0]


def log_in(client: Any, user: Any, *, second_factor: bool = False) -> None:
    """Store a login of ``user`` in ``client``'s session, exactly as a login through the form would.

    The session is recorded server-side like any other (listed or not, as the app's sessions
    page says), so a logout ends it. With
    ``second_factor=True`` the session also counts as having passed two-factor authentication
    (for the admin with ``FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN``).
    """
    app = client.application
    auth = _auth_of(app, user)
    with app.test_request_context(), client.session_transaction() as session:
        with connection(auth.db):
            previous_since = session.get(_sessions.SINCE)
            started = auth._live.start(user, session.get(_sessions.SESSION_ID), previous_since)
        sid = started.sid
        token = _sessions.session_token(user.get_id(), getattr(user, "password", None))
        session.clear()
        session[_sessions.LOGGED_IN] = True
        session[_sessions.USER_PK] = user.get_id()
        session[_sessions.TOKEN] = token
        session[_sessions.LOGIN_TIME] = int(time.time())
        session[_sessions.SESSION_ID] = sid
        if started.since is not None:
            session[_sessions.SINCE] = started.since
        if second_factor:
            from flask_peewee.auth._live_sessions import session_key
            from flask_peewee.auth._twofactor import PROOF

            session[PROOF] = session_key(sid)[:32]


def log_out(client: Any) -> None:
    """Forget ``client``'s session."""
    with client.session_transaction() as session:
        session.clear()


def create_user(app: Flask, auth: Auth, username: str, password: str, **fields: Any) -> Any:
    """Create and return a user of ``auth.User`` whose password is ``password``.

    The password is hashed inside ``app``'s context, so the app's
    ``FLASK_PEEWEE_PASSWORD_SCHEMES`` (a cheap scheme in a test suite) applies. ``email``
    defaults to ``<username>@example.com``; other ``fields`` are set as given.
    """
    fields.setdefault("email", f"{username}@example.com")
    with app.app_context(), connection(auth.db):
        user = auth.User(username=username, **fields)
        user.set_password(password)
        user.save()
    return user


def form_csrf_token(client: Any, url: str) -> str:
    """GET ``url`` with ``client`` and return the CSRF token of the form it renders."""
    response = client.get(url)
    text = response.get_data(as_text=True)
    match = _CSRF_INPUT.search(text)
    if match is None:
        raise AssertionError(f"no csrf_token in the page at {url} (status {response.status_code}): {text[:500]}")
    return match.group(1)


def cascade_models(db: Database, *, tagged: bool = False) -> SimpleNamespace:
    """Models whose recursive delete reaches every kind of dependent, with their tables and rows.

    ``Author`` has ``Book`` rows (deleted with it), whose ``Review`` rows go too, ``Fan`` rows
    (a nullable key: set to NULL) and many-to-many ``tags``; an author named ``locked``
    refuses to be deleted (``IntegrityError``). Authors ``ann``, ``locked`` and ``other``
    have 2 books with reviews of 3 and 5 stars each and 3 fans; with ``tagged`` each is also
    linked to tags 0 and 2 of three. Returns the models (``through`` is the tags' link
    model), ``tags`` and ``authors`` (by name).
    """

    base: Any = db.Model  # a Database's Model class is made at run time

    class Tag(base):
        name = peewee.CharField()

    class Author(base):
        name = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="authors")

        def __str__(self) -> str:
            return str(self.name)

        def delete_instance(self, *args: Any, **kwargs: Any) -> Any:
            if self.name == "locked":
                raise peewee.IntegrityError("this author is locked")
            return super().delete_instance(*args, **kwargs)

    class Book(base):
        author = peewee.ForeignKeyField(Author, backref="books")
        title = peewee.CharField()

    class Review(base):
        book = peewee.ForeignKeyField(Book, backref="reviews")
        stars = peewee.IntegerField()

    class Fan(base):
        author = peewee.ForeignKeyField(Author, backref="fans", null=True)
        name = peewee.CharField()

    through = Author.tags.get_through_model()
    authors = {}
    with connection(db):
        db.create_tables([Tag, Author, through, Book, Review, Fan])
        tags = [Tag.create(name=f"tag{i}") for i in range(3)]
        for name in ("ann", "locked", "other"):
            author = authors[name] = Author.create(name=name)
            if tagged:
                author.tags.add([tags[2], tags[0]])
            for b in range(2):
                book = Book.create(author=author, title=f"{name} book {b}")
                for stars in (3, 5):
                    Review.create(book=book, stars=stars)
            for f in range(3):
                Fan.create(author=author, name=f"{name} fan {f}")
    return SimpleNamespace(
        Tag=Tag, Author=Author, Book=Book, Review=Review, Fan=Fan, through=through, tags=tags, authors=authors
    )
