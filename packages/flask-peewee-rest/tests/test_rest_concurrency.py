"""Two clients writing the same object at the same moment (real threads): one wins, the other gets 412.

Both requests pass the first ``If-Match`` check together (a barrier holds them there); the
write transaction checks again on the row read under a lock, so the slower one sees the new
version. Nothing is silently overwritten, on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import threading
from typing import Any

import peewee
import pytest
from flask import Flask, g

from flask_peewee.auth import Auth
from flask_peewee.rest import RestAPI, RestResource, UserAuthentication

from .conftest import basic

ADMIN = basic("admin")


def _api_with_barrier(app: Flask, auth: Auth, models: Any, parties: int) -> threading.Barrier:
    both_checked = threading.Barrier(parties, timeout=20)

    class Meeting(RestResource):
        def check_precondition(self, obj: peewee.Model) -> None:
            super().check_precondition(obj)
            if not g.get("fp_test_met"):
                g.fp_test_met = True
                both_checked.wait()  # every request has passed the first If-Match check

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, Meeting)
    return both_checked


def _in_threads(app: Flask, calls: list[Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        results[index] = calls[index](app.test_client())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not thread.is_alive() for thread in threads)
    return results


@pytest.mark.parametrize("method", ["put", "patch"])
def test_concurrent_edits_with_the_same_if_match_one_wins_the_other_gets_412(
    app: Flask, auth: Auth, models: Any, users: Any, method: str
) -> None:
    _api_with_barrier(app, auth, models, 2)
    message = models.Message.create(user=users.coleifer, content="start")
    etag = app.test_client().get(f"/api/message/{message.id}/").headers["ETag"]

    def edit(content: str) -> Any:
        def call(client: Any) -> tuple[int, Any]:
            response = getattr(client, method)(
                f"/api/message/{message.id}/", json={"content": content}, headers={**ADMIN, "If-Match": etag}
            )
            return response.status_code, response.get_json()

        return call

    results = _in_threads(app, [edit("one"), edit("two")])
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 412], results
    winner = next(body["content"] for status, body in results if status == 200)
    loser = next(body for status, body in results if status == 412)
    assert "changed" in loser["error"]
    assert models.Message.get_by_id(message.id).content == winner


def test_concurrent_edit_and_delete_with_the_same_if_match(app: Flask, auth: Auth, models: Any, users: Any) -> None:
    _api_with_barrier(app, auth, models, 2)
    message = models.Message.create(user=users.coleifer, content="start")
    etag = app.test_client().get(f"/api/message/{message.id}/").headers["ETag"]
    headers = {**ADMIN, "If-Match": etag}
    url = f"/api/message/{message.id}/"
    results = _in_threads(
        app,
        [
            lambda client: client.patch(url, json={"content": "edited"}, headers=headers).status_code,
            lambda client: client.delete(url, headers=headers).status_code,
        ],
    )
    assert sorted(results) == [200, 412], results
    remaining = list(models.Message.select().where(models.Message.id == message.id))
    if results[0] == 200:  # the edit won: the row is there, edited
        assert [m.content for m in remaining] == ["edited"]
    else:  # the delete won: nothing left, and the edit did not bring it back
        assert remaining == []


def test_concurrent_edits_without_if_match_are_serialized(app: Flask, auth: Auth, models: Any, users: Any) -> None:
    """Without a precondition the last write wins, but each write is whole (no mix of the two)."""
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    message = models.Message.create(user=users.coleifer, content="start")
    url = f"/api/message/{message.id}/"

    def put(n: int) -> Any:
        return lambda client: client.put(url, json={"content": f"c{n}", "user": 1}, headers=ADMIN).status_code

    calls = [put(n) for n in range(4)]
    assert _in_threads(app, calls) == [200] * 4
    stored = models.Message.get_by_id(message.id)
    assert stored.content in {f"c{n}" for n in range(4)}
    assert stored.user_id == 1
