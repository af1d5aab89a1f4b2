"""An edit form saved without edits leaves every stored value, and the audit log, unchanged."""

from __future__ import annotations

import datetime
import decimal
import uuid
from html.parser import HTMLParser
from typing import Any

import peewee
import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in


class _FormControls(HTMLParser):
    """The successful controls of the page's ``form.fp-form`` as a browser submits them (no edits)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and "fp-form" in a.get("class", "").split():
            self._in_form = True
        if not self._in_form or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.pairs.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            text = text.replace("\r\n", "\n")  # what the HTML parser of a browser does first
            text = text[1:] if text.startswith("\n") else text  # then it drops one leading newline
            text = text.replace("\n", "\r\n")  # and it submits newlines as CR LF
            self.pairs.append((self._textarea, text))
            self._textarea = None


def form_as_submitted(page: str) -> list[tuple[str, str]]:
    parser = _FormControls()
    parser.feed(page)
    return parser.pairs


@pytest.fixture
def specimens(app: Flask, db: Any, auth: Any) -> Any:
    class Kind(db.Model):
        name = peewee.CharField()

        def __str__(self) -> str:
            return self.name

    class Label(db.Model):
        name = peewee.CharField()

        def __str__(self) -> str:
            return self.name

    class Specimen(db.Model):
        title = peewee.CharField()
        notes = peewee.TextField(null=True)
        nickname = peewee.CharField(null=True)
        count = peewee.IntegerField(null=True)
        big = peewee.BigIntegerField(default=0)
        found = peewee.DateTimeField()
        found_later = peewee.DateTimeField(null=True)
        at = peewee.TimeField()
        on = peewee.DateField(null=True)
        price = peewee.DecimalField(max_digits=10, decimal_places=2)
        rate = peewee.DecimalField(max_digits=12, decimal_places=4, null=True)
        weight = peewee.FloatField()
        ratio = peewee.DoubleField(null=True)
        active = peewee.BooleanField(default=True)
        archived = peewee.BooleanField(default=False)
        maybe = peewee.BooleanField(null=True)
        token = peewee.UUIDField(null=True)
        kind = peewee.ForeignKeyField(Kind)
        other_kind = peewee.ForeignKeyField(Kind, null=True, backref="others")
        many_kinds = peewee.ForeignKeyField(Kind, null=True, backref="many")
        labels = peewee.ManyToManyField(Label, backref="specimens")

        def __str__(self) -> str:
            return self.title

    class SpecimenAdmin(ModelAdmin):
        foreign_key_lookups = {"many_kinds": "name"}

    admin = Admin(app, auth)
    admin.register(Specimen, SpecimenAdmin)
    admin.register(Kind)
    admin.register(Label)
    admin.setup()
    db.create_tables()
    db.database.create_tables([Specimen.labels.through_model])
    with app.app_context():
        boss = auth.User.create(username="boss", email="", admin=True, active=True, password="x")
        kinds = [Kind.create(name=f"kind {i}") for i in range(3)]
        labels = [Label.create(name=f"label {i}") for i in range(3)]
        full = Specimen.create(
            title="full",
            notes="line one\nline two",
            nickname="nick",
            count=0,
            big=2**40,
            found=datetime.datetime(2024, 3, 1, 9, 5, 42, 127762),
            found_later=datetime.datetime(2024, 3, 2, 23, 59, 59, 999999),
            at=datetime.time(7, 8, 9, 123456),
            on=datetime.date(2024, 2, 29),
            price=decimal.Decimal("1.50"),
            rate=decimal.Decimal("0.1000"),
            weight=0.1,
            ratio=1 / 3,
            active=False,
            archived=True,
            maybe=False,
            token=uuid.UUID("12345678-1234-5678-1234-567812345678"),
            kind=kinds[1],
            other_kind=kinds[2],
            many_kinds=kinds[0],
        )
        full.labels.add([labels[0], labels[2]])
        empty = Specimen.create(
            title="empty",
            found=datetime.datetime(2024, 3, 1, 0, 0),
            at=datetime.time(0, 0),
            price=decimal.Decimal("0.00"),
            weight=-2.5,
            kind=kinds[0],
        )
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return Specimen, client, auth, {"full": full.id, "empty": empty.id}


def _stored(Specimen: Any, pk: Any) -> dict[str, Any]:
    row = Specimen.select().where(Specimen.id == pk).dicts().get()
    row["labels"] = sorted(label.id for label in Specimen.get_by_id(pk).labels)
    return row


@pytest.mark.parametrize("which", ["full", "empty"])
def test_a_form_saved_without_edits_changes_nothing(app: Flask, specimens: Any, which: str) -> None:
    Specimen, client, auth, ids = specimens
    pk = ids[which]
    with app.app_context():
        before = _stored(Specimen, pk)
        entries = auth.AuditEntry.select().count()
    page = client.get(f"/admin/specimen/{pk}/").get_data(as_text=True)
    submitted = form_as_submitted(page)
    assert {name for name, _ in submitted} >= {"title", "found-date", "found-time", "at", "price", "kind", "labels"}
    response = client.post(f"/admin/specimen/{pk}/", data=MultiDict([*submitted, ("_save", "")]))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert _stored(Specimen, pk) == before
        assert auth.AuditEntry.select().count() == entries


def test_the_time_inputs_keep_microseconds_and_an_edit_records_only_the_edited_field(
    app: Flask, specimens: Any
) -> None:
    Specimen, client, auth, ids = specimens
    page = client.get(f"/admin/specimen/{ids['full']}/").get_data(as_text=True)
    submitted = dict(form_as_submitted(page))
    with app.app_context():
        stored = Specimen.get_by_id(ids["full"])
    # to the millisecond (what <input type=time> takes), when the database keeps fractions (MariaDB's DATETIME does not)
    assert submitted["found-time"] == ("09:05:42.127" if stored.found.microsecond else "09:05:42")
    assert submitted["at"] == ("07:08:09.123" if stored.at.microsecond else "07:08:09")
    assert ('step="0.001"' in page) is bool(stored.found.microsecond or stored.at.microsecond)
    fields = [(k, v) for k, v in form_as_submitted(page) if k != "title"]
    response = client.post(
        f"/admin/specimen/{ids['full']}/", data=MultiDict([*fields, ("title", "renamed"), ("_save", "")])
    )
    assert response.status_code == 302
    with app.app_context():
        entry = auth.AuditEntry.select().order_by(auth.AuditEntry.id.desc()).get()
        assert entry.get_changes() == {"title": ["full", "renamed"]}
