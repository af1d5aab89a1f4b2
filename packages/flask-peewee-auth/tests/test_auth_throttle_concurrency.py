"""The login throttle under concurrent requests, in each database and in Redis (threads against the store)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

import pytest

from flask_peewee.auth import LoginThrottle, LoginThrottled, ThrottleSettings
from flask_peewee.auth._throttle import _DatabaseStore, _RedisStore

REDIS_URL = "redis://127.0.0.1:6379/0"
WORKERS = 12


def _race(workers: int, work: Callable[[int], Any], db: Any = None) -> list[Any]:
    """Run ``work(number)`` in ``workers`` threads released at the same moment; their results."""
    barrier = threading.Barrier(workers)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            if db is not None:
                db.database.connect(reuse_if_open=True)
            barrier.wait()
            results.append(work(number))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            if db is not None:
                db.database.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def _try(throttle: LoginThrottle, username: str, address: str, *, correct: bool) -> str:
    try:
        with throttle.guard(username, address) as outcome:
            if correct:
                outcome.succeeded()
            else:
                outcome.failed()
    except LoginThrottled:
        return "refused"
    return "passed"


def _counts(throttle: LoginThrottle, username: str, address: str) -> list[int]:
    return [count for count, _wait in throttle.store.counts(throttle.keys(username, address), 900)]


def check_concurrent_failures_are_all_counted(throttle: LoginThrottle, db: Any = None) -> None:
    throttle = LoginThrottle(ThrottleSettings(username_limit=1000, address_limit=1000), throttle.store)
    results = _race(WORKERS, lambda number: _try(throttle, "alice", "10.0.0.1", correct=False), db)
    assert results == ["passed"] * WORKERS
    assert _counts(throttle, "alice", "10.0.0.1") == [WORKERS, WORKERS, WORKERS]


def check_guesses_pass_the_limit_by_at_most_the_concurrency(throttle: LoginThrottle, db: Any = None) -> None:
    """Each worker guesses until refused: at most ``limit + workers - 1`` guesses are let through."""
    limit = throttle.settings.username_limit

    def guess(number: int) -> int:
        passed = 0
        while _try(throttle, "alice", "10.0.0.2", correct=False) == "passed":
            passed += 1
        return passed

    admitted = sum(_race(WORKERS, guess, db))
    assert limit <= admitted <= limit + WORKERS - 1
    assert _counts(throttle, "alice", "10.0.0.2")[0] == admitted  # refusals added nothing
    assert _try(throttle, "alice", "10.0.0.2", correct=True) == "refused"


def check_successes_are_never_refused(throttle: LoginThrottle, db: Any = None) -> None:
    """An address one failure short of its limit still lets any number of concurrent correct logins in."""
    for number in range(throttle.settings.address_limit - 1):
        assert _try(throttle, f"user{number}", "10.0.0.3", correct=False) == "passed"
    results = _race(WORKERS * 2, lambda number: _try(throttle, "alice", "10.0.0.3", correct=True), db)
    assert results == ["passed"] * WORKERS * 2
    assert _counts(throttle, "alice", "10.0.0.3")[1] == throttle.settings.address_limit - 1


def check_an_exception_counts_nothing(throttle: LoginThrottle, db: Any = None) -> None:
    def crash(number: int) -> str:
        try:
            with throttle.guard("alice", "10.0.0.4"):
                raise ConnectionError("the user lookup died")
        except ConnectionError:
            return "crashed"

    assert _race(WORKERS, crash, db) == ["crashed"] * WORKERS
    assert _counts(throttle, "alice", "10.0.0.4") == [0, 0, 0]
    assert _try(throttle, "alice", "10.0.0.4", correct=True) == "passed"


CHECKS = [
    check_concurrent_failures_are_all_counted,
    check_guesses_pass_the_limit_by_at_most_the_concurrency,
    check_successes_are_never_refused,
    check_an_exception_counts_nothing,
]
SETTINGS = ThrottleSettings(username_limit=4, address_limit=6, account_limit=1000)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
def test_database_store_under_concurrency(auth, db, check):
    check(LoginThrottle(SETTINGS, _DatabaseStore(auth.login_throttle_model)), db)


@pytest.fixture
def redis_store():
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.fail(f"no Redis server at 127.0.0.1:6379: {exc}")
    prefix = f"fp-test-{secrets.token_hex(6)}:"
    store = _RedisStore(REDIS_URL, prefix=prefix)
    yield store
    for name in store.client.scan_iter(f"{prefix}*"):
        store.client.delete(name)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__[6:])
def test_redis_store_under_concurrency(redis_store, check):
    check(LoginThrottle(SETTINGS, redis_store))


def test_redis_reset_of_an_expired_key_leaves_no_key(redis_store):
    """A success after the window ended must not recreate the counter (it had no expiry then)."""
    throttle = LoginThrottle(SETTINGS, redis_store)
    name = redis_store.prefix + throttle.keys("alice", "10.0.0.5")[0]
    throttle.failed("alice", "10.0.0.5")
    assert 0 < redis_store.client.ttl(name) <= 900
    redis_store.client.delete(name)  # the window passed
    throttle.succeeded("alice", "10.0.0.5")
    assert redis_store.client.exists(name) == 0


def test_redis_counter_left_without_expiry_gets_one_and_reads_as_zero(redis_store):
    """A key an older version left at -1 with no TTL refuses nobody and expires again."""
    throttle = LoginThrottle(SETTINGS, redis_store)
    names = [redis_store.prefix + key for key in throttle.keys("alice", "10.0.0.6")]
    for name in names:
        redis_store.client.set(name, -1)
    assert _try(throttle, "alice", "10.0.0.6", correct=True) == "passed"
    assert all(0 < redis_store.client.ttl(name) <= 900 for name in names)
    for name in names:
        redis_store.client.set(name, 50)  # over every limit, and again without expiry
    assert _try(throttle, "alice", "10.0.0.6", correct=True) == "refused"
    assert all(0 < redis_store.client.ttl(name) <= 900 for name in names)
    for name in names:
        redis_store.client.persist(name)
    throttle.failed("alice", "10.0.0.6")
    assert all(0 < redis_store.client.ttl(name) <= 900 for name in names)
    assert [int(redis_store.client.get(name)) for name in names] == [1, 1, 1]  # a new window at 1
