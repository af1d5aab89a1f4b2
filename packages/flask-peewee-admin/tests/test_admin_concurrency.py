"""Two editors saving the same object at the same moment (real threads): one is saved, the other told.

Both requests pass the form's first version check together (a barrier in the form's
``validate`` holds them there); the save's transaction checks again on the row read under a
lock, so the slower one gets the conflict message and nothing of it is written, on SQLite,
PostgreSQL and MariaDB.
"""

from __future__ import annotations

import threading
from typing import Any

import peewee
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth
from flask_peewee.auth.testing import log_in
from flask_peewee.db import Database

from .conftest import make_user, version_of


def test_concurrent_saves_of_the_same_version_one_wins_the_other_is_told(app: Flask, db: Database, auth: Auth) -> None:
    both_validated = threading.Barrier(2, timeout=20)

    class Page(db.Model):
        title = peewee.CharField()
        body = peewee.TextField()

    class PageAdmin(ModelAdmin):
        columns = ("title",)

        def get_edit_form(self, instance: Any) -> Any:
            base = super().get_edit_form(instance)

            class Meeting(base):  # type: ignore[misc, valid-type]
                def validate(self, *args: Any, **kwargs: Any) -> bool:
                    valid = bool(super().validate(*args, **kwargs))
                    both_validated.wait()  # both requests passed the first version check
                    return valid

            return Meeting

    admin = Admin(app, auth)
    admin.register(Page, PageAdmin)
    admin.setup()
    db.create_tables()
    with app.app_context():
        boss = make_user(app, auth, "boss", admin=True)
        page = Page.create(title="start", body="start")
    db.database.close()
    url = f"/admin/page/{page.id}/"
    clients = [app.test_client(), app.test_client()]
    forms = []
    for client in clients:
        log_in(client, boss)
        forms.append(version_of(client, url))
    assert forms[0][1] == forms[1][1]  # both opened the same version

    results: list[Any] = [None, None]

    def save(index: int) -> None:
        token, opened = forms[index]
        response = clients[index].post(
            url, data={"csrf_token": token, "_fp_version": opened, "title": f"t{index}", "body": f"b{index}"}
        )
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), results
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 302], [status for status, _ in results]
    winner = next(i for i, (status, _) in enumerate(results) if status == 302)
    loser_text = results[1 - winner][1]
    assert "Someone else changed this object" in loser_text
    with app.app_context():
        stored = Page.get_by_id(page.id)
        assert (stored.title, stored.body) == (f"t{winner}", f"b{winner}")  # the winner's, whole
        assert f"t{winner}" in loser_text  # the loser's form shows the current values
        AuditEntry = auth.AuditEntry
        assert AuditEntry.select().where(AuditEntry.action == "change").count() == 1
