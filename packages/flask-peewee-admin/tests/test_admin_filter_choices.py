"""The filter form offers exactly the paths and operators the toolkit's parser accepts (issue 29)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import peewee
import pytest
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth.testing import log_in
from flask_peewee.utils import OPERATORS, QueryError, field_kind, parse_filters
from tests.conftest import make_user

CHOICE = re.compile(r'<option value="([^"]+)" data-kind="([^"]+)" data-ops="([^"]*)"')
SAMPLES = {
    "fk": "1",
    "int": "1",
    "bool": "true",
    "datetime": "2024-01-01T00:00:00",
    "text": "a",
    "json": "null",
}


class JSONField(peewee.Field):
    field_type = "JSON"


@pytest.fixture
def ticket(db: Any, auth: Any) -> type[peewee.Model]:
    """A model with a foreign key to the user model (whose ``password`` is sensitive), text, JSON and more."""

    class Ticket(db.Model):
        user = peewee.ForeignKeyField(auth.User, backref="tickets")
        title = peewee.CharField()
        note = peewee.TextField(default="")
        done = peewee.BooleanField(default=False)
        opened = peewee.DateTimeField(default=datetime.datetime(2024, 1, 1))
        payload = JSONField(null=True)

    return Ticket


def admin_client_for(
    app: Flask, db: Any, auth: Any, model: type[peewee.Model], model_admin: type[ModelAdmin]
) -> tuple[Admin, Any]:
    """An admin with ``model`` registered, and a client logged in as an administrator."""
    admin = Admin(app, auth)
    admin.register(model, model_admin)
    auth.register_admin(admin)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    client = app.test_client()
    log_in(client, boss)
    return admin, client


def offered(app: Flask, db: Any, auth: Any, model: type[peewee.Model], model_admin: type[ModelAdmin]) -> dict:
    """The filter choices the list page renders: path -> (input kind, the toolkit's operators offered)."""
    _admin, client = admin_client_for(app, db, auth, model, model_admin)
    response = client.get(f"/admin/{model._meta.name}/")
    assert response.status_code == 200
    found = CHOICE.findall(response.get_data(as_text=True))
    assert found
    # the operators a filter_mapping adds (startswith, year, ...) are the admin's own, outside the parser
    return {path: (kind, {op for op in ops.split(",") if op in OPERATORS}) for path, kind, ops in found}


def accepted(model: type[peewee.Model], model_admin: type[ModelAdmin]) -> dict:
    """Every path up to one foreign key deep with the operators ``parse_filters`` accepts under the admin's options."""
    candidates = [(f.name, f) for f in model._meta.sorted_fields]
    for fk in model._meta.sorted_fields:
        if isinstance(fk, peewee.ForeignKeyField):
            candidates += [(f"{fk.name}__{f.name}", f) for f in fk.rel_model._meta.sorted_fields]
    result: dict[str, set[str]] = {}
    for path, field in candidates:
        for op in OPERATORS:
            value = {"is": "null", "like": "a%", "ilike": "a%"}.get(op, SAMPLES[field_kind(field)])
            try:
                parse_filters(
                    model,
                    {f"{path}__{op}": value},
                    fields=model_admin.filter_fields,
                    exclude=tuple(model_admin.filter_exclude),
                )
            except QueryError:
                continue
            result.setdefault(path, set()).add(op)
    return result


def test_the_form_offers_what_the_parser_accepts(app: Flask, db: Any, auth: Any, ticket: Any) -> None:
    class TicketAdmin(ModelAdmin):
        filter_exclude = ("note", "user__email")  # not filterable here

    choices = offered(app, db, auth, ticket, TicketAdmin)
    assert {path: ops for path, (_kind, ops) in choices.items()} == accepted(ticket, TicketAdmin)
    assert "user__password" not in choices  # sensitive
    assert "note" not in choices
    assert "user__email" not in choices
    assert choices["payload"] == ("json", {"is"})
    assert choices["title"] == ("text", set(OPERATORS))
    assert choices["user"][0] == "fk"
    assert "like" not in choices["user"][1]
    assert choices["opened"][0] == "date"
    assert choices["done"][0] == "bool"


def test_a_whitelisted_deeper_path_is_offered_but_not_its_foreign_key(
    app: Flask, db: Any, auth: Any, ticket: Any
) -> None:
    class TicketAdmin(ModelAdmin):
        filter_fields = ("title", "user__username")

    choices = offered(app, db, auth, ticket, TicketAdmin)
    assert {path: ops for path, (_kind, ops) in choices.items()} == accepted(ticket, TicketAdmin)
    assert set(choices) == {"title", "user__username"}


def test_the_choices_built_once_follow_options_secrets_and_permissions(
    app: Flask, db: Any, auth: Any, ticket: Any
) -> None:
    class TicketAdmin(ModelAdmin):
        pass

    admin, client = admin_client_for(app, db, auth, ticket, TicketAdmin)

    def paths() -> set[str]:
        response = client.get("/admin/ticket/")
        assert response.status_code == 200
        return {path for path, _kind, _ops in CHOICE.findall(response.get_data(as_text=True))}

    first = paths()
    assert {"title", "user__username", "user__email"} <= first
    assert paths() == first  # built once, the same answer
    model_admin = admin.get_model_admin(ticket)
    model_admin.filter_exclude = ("title",)
    assert "title" not in paths()
    ticket.__sensitive_fields__ = ("note",)
    try:
        assert "note" not in paths()
    finally:
        del ticket.__sensitive_fields__
    assert "note" in paths()
    model_admin.can_view_related = lambda model: model is not auth.User  # the user may no longer see users
    assert not any(path.startswith("user__") for path in paths())
