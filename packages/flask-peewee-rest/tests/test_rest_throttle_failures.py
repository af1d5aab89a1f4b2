"""HTTP Basic through the login throttle: only failed checks count; outages are JSON 503s that count nothing."""

from __future__ import annotations

import threading

from flask_peewee.db.testing import table_moved_away
from flask_peewee.rest import RestAPI, UserAuthentication

from .conftest import basic

WORKERS = 28


def _api(app, auth, models):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    return api


def test_concurrent_correct_writes_from_one_address_are_never_refused(app, auth, db, models, users):
    _api(app, auth, models)
    for i in range(19):  # one failure short of the address limit
        app.test_client().post("/api/note/", json={"message": "x"}, headers=basic(f"nobody{i}", "wrong"))
    barrier = threading.Barrier(WORKERS)
    statuses: list[int] = []

    def write(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/note/", json={"message": str(number)}, headers=basic("admin"))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * WORKERS
    assert models.Note.select().count() == WORKERS
    db.database.close()


def test_refusals_do_not_count(app, auth, client, models, users):
    _api(app, auth, models)
    for i in range(10):
        assert client.post("/api/note/", json={}, headers=basic("admin", f"guess {i}")).status_code == 401
    for _ in range(15):  # refused: the address's count stays at 10, under its limit of 20
        assert client.post("/api/note/", json={}, headers=basic("admin", "again")).status_code == 429
    response = client.post("/api/note/", json={"message": "x"}, headers=basic("coleifer"))
    assert response.status_code == 200


def test_user_table_unreachable_is_a_json_503_that_counts_nothing(app, auth, db, client, models, users):
    _api(app, auth, models)
    with table_moved_away(db, "user"):
        for _ in range(25):
            response = client.post("/api/note/", json={"message": "x"}, headers=basic("admin"))
            assert response.status_code == 503
    assert response.get_json() == {"error": "Service unavailable"}
    assert int(response.headers["Retry-After"]) >= 1
    assert client.post("/api/note/", json={"message": "x"}, headers=basic("admin")).status_code == 200
