"""API rate limits: per resource and method, keyed by user, token or address, 429 with headers, off by default."""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

import pytest
from flask import Flask, g

from flask_peewee.auth import Auth
from flask_peewee.db import Database, ImproperlyConfigured
from flask_peewee.rest import RestAPI, RestResource, TokenAuthentication, UserAuthentication, _ratelimit, issue_token

from .conftest import basic

REDIS_URL = "redis://127.0.0.1:6379/0"
NOW = 1_800_000_030.0  # 30 seconds into a minute: every window of a test is the same one


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The windows of these tests never turn over in the middle of one."""
    monkeypatch.setattr(_ratelimit, "_now", lambda: NOW)


class LimitedMessages(RestResource):
    rate_limits = {"POST": "3/minute", "GET": "5/minute"}


def _message(client: Any, headers: dict[str, str], content: str = "hi") -> Any:
    return client.post("/api/message/", data=json.dumps({"user": 1, "content": content}), headers=headers)


def _table_exists(db: Database) -> bool:
    return _ratelimit.RATE_LIMIT_TABLE in db.database.get_tables()


def test_no_limit_means_no_table_and_no_query(
    app: Flask, auth: Auth, db: Database, models: Any, users: Any, count_queries: Any
) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message)
    client = app.test_client()
    client.get("/api/message/")
    with count_queries() as limited_off:
        response = client.get("/api/message/")
    assert response.status_code == 200
    assert "RateLimit-Limit" not in response.headers
    assert not any(_ratelimit.RATE_LIMIT_TABLE in sql for sql in limited_off)
    assert not _table_exists(db)
    assert not any(model._meta.table_name == _ratelimit.RATE_LIMIT_TABLE for model in db.models)


def test_writes_over_the_limit_get_429_with_headers(
    app: Flask, auth: Auth, db: Database, models: Any, users: Any
) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    assert _table_exists(db)  # made by init_app, outside any request
    client = app.test_client()
    answers = [_message(client, basic("admin")) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers["RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert all(answer.headers["RateLimit-Limit"] == "3" for answer in answers)
    refused = answers[-1]
    assert refused.get_json() == {"error": "Too many requests"}
    assert refused.headers["Retry-After"] == refused.headers["RateLimit-Reset"] == "30"
    assert models.Message.select().count() == 3  # the refused write wrote nothing
    # another user has a counter of their own; reads have their own limit
    assert _message(client, basic("coleifer")).status_code == 200
    assert client.get("/api/message/").headers["RateLimit-Limit"] == "5"


def test_a_new_window_starts_a_new_count(
    app: Flask, auth: Auth, models: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    client = app.test_client()
    assert [_message(client, basic("admin")).status_code for _ in range(4)] == [200, 200, 200, 429]
    monkeypatch.setattr(_ratelimit, "_now", lambda: NOW + 30)  # the next minute
    answers = [_message(client, basic("admin")) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Reset"] == "60"


def test_unauthenticated_requests_are_not_counted(app: Flask, auth: Auth, models: Any, users: Any) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    client = app.test_client()
    assert [_message(client, basic("admin", "wrong")).status_code for _ in range(4)] == [401] * 4
    assert _message(client, basic("admin")).headers["RateLimit-Remaining"] == "2"


def test_reads_are_keyed_by_address(app: Flask, auth: Auth, models: Any, users: Any) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    client = app.test_client()
    here = [client.get("/api/message/").status_code for _ in range(6)]
    assert here == [200] * 5 + [429]
    elsewhere = client.get("/api/message/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 200


def test_key_by_address_counts_every_user_of_one_address_together(
    app: Flask, auth: Auth, models: Any, users: Any
) -> None:
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_KEY"] = "address"
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    client = app.test_client()
    codes = [_message(client, basic(name)).status_code for name in ("admin", "coleifer", "admin", "coleifer")]
    assert codes == [200, 200, 200, 429]


def test_key_by_token_counts_each_token(app: Flask, auth: Auth, db: Database, models: Any, users: Any) -> None:
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_KEY"] = "token"
    api = RestAPI(app, default_auth=TokenAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    with app.app_context():
        first, second = issue_token(users.admin, "one", db=db), issue_token(users.admin, "two", db=db)
    client = app.test_client()
    one = [_message(client, {"Authorization": f"Bearer {first}"}).status_code for _ in range(4)]
    assert one == [200, 200, 200, 429]
    assert _message(client, {"Authorization": f"Bearer {second}"}).status_code == 200


def test_api_default_and_config_default_and_resource_opt_out(app: Flask, auth: Auth, models: Any, users: Any) -> None:
    class Unlimited(RestResource):
        rate_limits: dict[str, str] = {}

    app.config["FLASK_PEEWEE_REST_RATE_LIMITS"] = {"*": "1/hour"}
    api = RestAPI(app, default_auth=UserAuthentication(auth), rate_limits={"POST": "2/minute"})
    api.register(models.Message)
    api.register(models.Note, Unlimited)
    other = RestAPI(app, name="other", prefix="/other")
    other.register(models.Message)
    client = app.test_client()
    assert [_message(client, basic("admin")).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/message/").status_code == 200  # the API's default limits POST only
    assert [client.get("/other/message/").status_code for _ in range(2)] == [200, 429]  # the config's
    assert [client.get("/api/note/").status_code for _ in range(3)] == [200] * 3


def test_an_exempt_user_is_not_counted(app: Flask, auth: Auth, models: Any, users: Any, count_queries: Any) -> None:
    class AdminsUnlimited(LimitedMessages):
        def is_rate_limit_exempt(self) -> bool:
            return bool(getattr(g.user, "admin", False))

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, AdminsUnlimited)
    client = app.test_client()
    with count_queries() as queries:
        codes = [_message(client, basic("admin")).status_code for _ in range(5)]
    assert codes == [200] * 5
    assert not any(_ratelimit.RATE_LIMIT_TABLE in sql for sql in queries)
    assert [_message(client, basic("coleifer")).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_one_counting_statement_per_request(
    app: Flask, auth: Auth, models: Any, users: Any, count_queries: Any
) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    client = app.test_client()
    client.get("/api/message/")
    with count_queries() as queries:
        client.get("/api/message/")
    counting = [sql for sql in queries if _ratelimit.RATE_LIMIT_TABLE in sql]
    assert len(counting) == 1
    assert all(sql.lstrip().upper().startswith("INSERT") for sql in counting)


@pytest.mark.parametrize(
    "limits",
    [{"POST": "lots"}, {"POST": "0/minute"}, {"FETCH": "1/minute"}, {"POST": "3/fortnight"}, ["POST"]],
)
def test_bad_limits_are_refused_when_configured(app: Flask, models: Any, limits: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        RestAPI(rate_limits=limits)

    class Bad(RestResource):
        rate_limits = limits

    with pytest.raises(ImproperlyConfigured):
        RestAPI().register(models.Message, Bad)
    app.config["FLASK_PEEWEE_REST_RATE_LIMITS"] = limits
    with pytest.raises(ImproperlyConfigured):
        RestAPI(app)


def test_rates_read_several_ways() -> None:
    assert _ratelimit.parse_rate("30/minute") == _ratelimit.Rate(30, 60, "30/minute")
    assert _ratelimit.parse_rate("5/10 seconds").window == 10
    assert _ratelimit.parse_rate("1000 per day").window == 86400
    assert _ratelimit.parse_rate("2/Hours") == _ratelimit.Rate(2, 3600, "2/Hours")


def test_openapi_lists_the_429_and_the_limits(app: Flask, auth: Auth, models: Any) -> None:
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    api.register(models.Note)
    document = app.test_client().get("/api/openapi.json").get_json()
    create = document["paths"]["/api/message/"]["post"]
    assert "429" in create["responses"]
    assert set(create["responses"]["429"]["headers"]) >= {"Retry-After", "RateLimit-Limit"}
    assert create["x-rate-limit"] == {"limit": 3, "window": 60, "rate": "3/minute"}
    assert "429" not in document["paths"]["/api/message/{pk}/"]["delete"]["responses"]
    assert "429" not in document["paths"]["/api/note/"]["get"]["responses"]


def test_the_update_then_insert_path_counts_too(app: Flask, db: Database) -> None:
    """The path of databases without an upsert that returns the count (SQLite before 3.35)."""
    counters = _ratelimit._DatabaseCounters(_ratelimit.get_rate_limit_model(db))
    with app.app_context():
        counters._create_table()
        counts = [counters._in_transaction("k" * 64, 600) for _ in range(3)]
        assert [*counts, counters._in_transaction("k" * 64, 660)] == [1, 2, 3, 1]  # a new window starts at 1
    db.database.close()


def test_ended_windows_are_purged_when_an_app_starts(app: Flask, auth: Auth, db: Database, models: Any) -> None:
    model = _ratelimit.get_rate_limit_model(db)
    db.database.create_tables([model])
    model.insert_many(
        [("a" * 64, 3, int(NOW)), ("b" * 64, 3, int(NOW) + 30)], fields=[model.key, model.hits, model.window_end]
    ).execute()
    api = RestAPI(app, default_auth=UserAuthentication(auth), rate_limits={"POST": "3/minute"})
    api.register(models.Message)
    assert [row.key[0] for row in model.select()] == ["b"]  # only the window still running is kept
    db.database.close()


def test_an_unreachable_redis_answers_503(app: Flask, auth: Auth, models: Any) -> None:
    pytest.importorskip("redis", reason="the redis package is not installed")
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_BACKEND"] = "redis"
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_REDIS_URL"] = "redis://127.0.0.1:1/0"
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Message, LimitedMessages)
    response = app.test_client().get("/api/message/")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json() == {"error": "Service temporarily unavailable"}


# -- many clients at once, in each store --------------------------------------------------------


def _race(app: Flask, clients: int, call: Any) -> list[int]:
    barrier = threading.Barrier(clients, timeout=30)
    codes: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        client = app.test_client()
        try:
            barrier.wait()
            codes.append(call(client).status_code)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return codes


@pytest.fixture
def redis_prefix(app: Flask) -> Any:
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"no Redis server at 127.0.0.1:6379: {exc}")
    prefix = f"fp-test-i28-{secrets.token_hex(6)}:"
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_BACKEND"] = "redis"
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_REDIS_URL"] = REDIS_URL
    app.config["FLASK_PEEWEE_REST_RATE_LIMIT_REDIS_PREFIX"] = prefix
    yield prefix
    for name in client.scan_iter(f"{prefix}*"):
        client.delete(name)


CLIENTS = 16
ALLOWED = 5


def _check_parallel_clients_get_exactly_the_limit(app: Flask, auth: Auth, models: Any) -> None:
    class Tight(RestResource):
        rate_limits = {"GET": f"{ALLOWED}/minute"}

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note, Tight)
    codes = _race(app, CLIENTS, lambda client: client.get("/api/note/"))
    assert sorted(codes) == [200] * ALLOWED + [429] * (CLIENTS - ALLOWED)


def test_parallel_clients_get_exactly_the_limit_in_the_database(app: Flask, auth: Auth, models: Any) -> None:
    _check_parallel_clients_get_exactly_the_limit(app, auth, models)


def test_parallel_clients_get_exactly_the_limit_in_redis(
    app: Flask, auth: Auth, db: Database, models: Any, redis_prefix: str
) -> None:
    _check_parallel_clients_get_exactly_the_limit(app, auth, models)
    assert not _table_exists(db)  # the redis backend makes no table


def test_ended_windows_are_purged_every_so_many_requests(app: Flask, db: Database) -> None:
    """Clients seen once, or addresses sprayed by an attacker, do not stay in the table while the app runs."""
    from flask_peewee.utils.internal import Periodic

    model = _ratelimit.get_rate_limit_model(db)
    counters = _ratelimit._DatabaseCounters(model)
    counters.purge_due = Periodic(2)
    with app.app_context():
        counters._create_table()
        model.insert_many(
            [("old" + "x" * 61, 3, int(NOW) - 30)], fields=[model.key, model.hits, model.window_end]
        ).execute()
        end = int(NOW) + 30
        assert counters.hit("a" * 64, end) == 1
        assert model.select().count() == 2  # not due yet
        assert counters.hit("a" * 64, end) == 2  # the second request purges the ended window
        assert [row.key[0] for row in model.select()] == ["a"]
    db.database.close()
    assert _ratelimit._DatabaseCounters.PURGE_EVERY > 1
