"""The verified-credentials cache (HTTP Basic's fast path) and the configurable argon2 cost."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from flask_peewee.db import ImproperlyConfigured
from flask_peewee.utils import (
    CredentialsCache,
    _passwords,
    check_password,
    get_credentials_cache,
    get_password_context,
    make_password,
    needs_rehash,
    use_credentials_cache,
)

CHEAP_ARGON2 = {
    "FLASK_PEEWEE_ARGON2_TIME_COST": 1,
    "FLASK_PEEWEE_ARGON2_MEMORY_COST": 64,
    "FLASK_PEEWEE_ARGON2_PARALLELISM": 1,
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def count_verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap the single verification function and record each stored hash it checks."""
    calls: list[str] = []
    real = _passwords.verify

    def counting(raw_password, enc_password, context):
        calls.append(enc_password)
        return real(raw_password, enc_password, context)

    monkeypatch.setattr(_passwords, "verify", counting)
    return calls


# -- the cache itself ---------------------------------------------------------------------


def test_cache_remembers_exactly_the_three_values() -> None:
    cache = CredentialsCache(seconds=60, max_entries=10, clock=Clock())
    cache.add("alice", "pw", "hash-1")
    assert cache.contains("alice", "pw", "hash-1") is True
    assert cache.contains("alice", "pw", "hash-2") is False  # a changed stored hash misses
    assert cache.contains("alice", "other", "hash-1") is False
    assert cache.contains("bob", "pw", "hash-1") is False
    # the parts are length-prefixed: moving a separator between them gives another digest
    assert cache.digest("a\0b", "c", "h") != cache.digest("a", "b\0c", "h")
    assert len(cache) == 1


def test_cache_keeps_only_digests_under_a_random_key() -> None:
    first, second = CredentialsCache(), CredentialsCache()
    digest = first.digest("alice", "secret password", "$argon2id$stored")
    assert len(digest) == 32
    assert b"secret password" not in digest
    assert digest != second.digest("alice", "secret password", "$argon2id$stored")
    first.add("alice", "secret password", "$argon2id$stored")
    assert list(first._entries) == [digest]


def test_cache_entries_expire_by_the_injected_clock() -> None:
    clock = Clock()
    cache = CredentialsCache(seconds=60, clock=clock)
    cache.add("alice", "pw", "h")
    clock.now += 59.9
    assert cache.contains("alice", "pw", "h") is True
    clock.now += 0.1
    assert cache.contains("alice", "pw", "h") is False
    assert len(cache) == 0  # the expired entry is dropped
    cache.add("alice", "pw", "h")
    clock.now -= 5  # a clock that went back does not keep an entry alive
    assert cache.contains("alice", "pw", "h") is False


def test_a_hit_does_not_extend_the_entry() -> None:
    clock = Clock()
    cache = CredentialsCache(seconds=10, clock=clock)
    cache.add("alice", "pw", "h")
    for _ in range(3):
        clock.now += 3
        assert cache.contains("alice", "pw", "h") is True
    clock.now += 1  # 10 seconds after the verification
    assert cache.contains("alice", "pw", "h") is False


def test_cache_is_bounded_least_recently_used_first() -> None:
    cache = CredentialsCache(seconds=60, max_entries=2, clock=Clock())
    cache.add("a", "pw", "h")
    cache.add("b", "pw", "h")
    assert cache.contains("a", "pw", "h") is True  # "a" is now the most recently used
    cache.add("c", "pw", "h")
    assert len(cache) == 2
    assert cache.contains("b", "pw", "h") is False
    assert cache.contains("a", "pw", "h") is True
    assert cache.contains("c", "pw", "h") is True
    cache.clear()
    assert len(cache) == 0


def test_cache_is_thread_safe() -> None:
    cache = CredentialsCache(seconds=60, max_entries=50, clock=Clock())
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(300):
                cache.add(f"user{n}-{i}", "pw", "h")
                cache.contains(f"user{n}-{i - 1}", "pw", "h")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) == 50


def test_zero_seconds_stores_nothing() -> None:
    cache = CredentialsCache(seconds=0)
    cache.add("alice", "pw", "h")
    assert len(cache) == 0
    assert cache.contains("alice", "pw", "h") is False


# -- configuration --------------------------------------------------------------------------


def test_get_credentials_cache_follows_the_config(plain_app: Flask) -> None:
    assert get_credentials_cache() is None  # no app context, no cache
    with plain_app.app_context():
        cache = get_credentials_cache()
        assert isinstance(cache, CredentialsCache)
        assert (cache.seconds, cache.max_entries) == (60, 1024)
        assert get_credentials_cache() is cache
        plain_app.config.update(FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS=5, FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE="7")
        assert get_credentials_cache() is cache
        assert (cache.seconds, cache.max_entries) == (5, 7)
        plain_app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 0
        assert get_credentials_cache() is None
        plain_app.config.update(FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS=5, FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE=0)
        assert get_credentials_cache() is None
    assert get_credentials_cache(Flask("other")) is not cache  # one cache per app


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS", -1),
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS", "soon"),
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS", True),
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS", float("nan")),
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE", 1.5),
        ("FLASK_PEEWEE_CREDENTIALS_CACHE_SIZE", -3),
    ],
)
def test_bad_cache_config_names_the_key(plain_app: Flask, key: str, value: object) -> None:
    plain_app.config[key] = value
    with plain_app.app_context(), pytest.raises(ImproperlyConfigured, match=key):
        get_credentials_cache()


# -- check_password inside and outside the scope ----------------------------------------------


def test_check_password_uses_the_cache_only_inside_the_scope(plain_app: Flask, count_verifications: list[str]) -> None:
    with plain_app.app_context():
        stored = make_password("pw")
        assert check_password("pw", stored) is True
        assert check_password("pw", stored) is True
        assert len(count_verifications) == 2  # no scope: every check verifies
        assert len(get_credentials_cache()) == 0
        count_verifications.clear()
        with use_credentials_cache("alice"):
            assert check_password("pw", stored) is True  # a miss: verified and stored
            assert check_password("pw", stored) is True  # a hit
        assert len(count_verifications) == 1
        with use_credentials_cache("bob"):  # another username misses
            assert check_password("pw", stored) is True
        assert len(count_verifications) == 2
        assert check_password("pw", stored) is True  # outside the scope again: verified
        assert len(count_verifications) == 3


def test_failures_are_never_cached(plain_app: Flask, count_verifications: list[str]) -> None:
    with plain_app.app_context(), use_credentials_cache("alice"):
        stored = make_password("pw")
        for _ in range(3):
            assert check_password("wrong", stored) is False
        assert check_password("pw", "") is False  # a missing hash verifies nothing
        assert len(count_verifications) == 3
        assert len(get_credentials_cache()) == 0


def test_a_new_hash_misses_the_cache(plain_app: Flask, count_verifications: list[str]) -> None:
    with plain_app.app_context(), use_credentials_cache("alice"):
        old = make_password("pw")
        assert check_password("pw", old) is True
        new = make_password("changed")
        assert check_password("pw", new) is False
        assert check_password("changed", new) is True
        assert len(count_verifications) == 3


def test_zero_seconds_turns_the_cache_off(plain_app: Flask, count_verifications: list[str]) -> None:
    plain_app.config["FLASK_PEEWEE_CREDENTIALS_CACHE_SECONDS"] = 0
    with plain_app.app_context(), use_credentials_cache("alice"):
        stored = make_password("pw")
        assert check_password("pw", stored) is True
        assert check_password("pw", stored) is True
    assert len(count_verifications) == 2


def test_scope_without_app_context_verifies(count_verifications: list[str]) -> None:
    stored = make_password("pw")
    with use_credentials_cache("alice"):
        assert check_password("pw", stored) is True
        assert check_password("pw", stored) is True
    assert len(count_verifications) == 2


# -- argon2 cost ------------------------------------------------------------------------------


def test_argon2_cost_comes_from_config() -> None:
    app = Flask("argon2_cost")
    app.config.update(CHEAP_ARGON2)
    outside = make_password("pw")
    assert "m=65536,t=3,p=4" in outside  # the library default
    with app.app_context():
        inside = make_password("pw")
        assert inside.startswith("$argon2id$v=19$m=64,t=1,p=1$")
        assert check_password("pw", inside) is True
        assert check_password("pw", outside) is True  # other costs still verify ...
        assert needs_rehash(outside) is True  # ... and are upgraded at the next login
        assert needs_rehash(inside) is False
        assert get_password_context() is get_password_context(app)
    assert needs_rehash(inside) is True


def test_argon2_cost_keys_accept_strings_and_defaults() -> None:
    app = Flask("argon2_strings")
    app.config.update(FLASK_PEEWEE_ARGON2_TIME_COST="2", FLASK_PEEWEE_ARGON2_MEMORY_COST="128")
    with app.app_context():
        assert "m=128,t=2,p=4" in make_password("pw")
    default_app = Flask("argon2_default")
    default_app.config.update(FLASK_PEEWEE_ARGON2_TIME_COST=3, FLASK_PEEWEE_ARGON2_PARALLELISM=4)
    with default_app.app_context():
        assert get_password_context() is get_password_context(None)  # the shared default context


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"FLASK_PEEWEE_ARGON2_TIME_COST": 0}, "FLASK_PEEWEE_ARGON2_TIME_COST"),
        ({"FLASK_PEEWEE_ARGON2_TIME_COST": "fast"}, "FLASK_PEEWEE_ARGON2_TIME_COST"),
        ({"FLASK_PEEWEE_ARGON2_MEMORY_COST": 4}, "FLASK_PEEWEE_ARGON2_MEMORY_COST"),
        ({"FLASK_PEEWEE_ARGON2_PARALLELISM": True}, "FLASK_PEEWEE_ARGON2_PARALLELISM"),
        ({"FLASK_PEEWEE_ARGON2_MEMORY_COST": 16, "FLASK_PEEWEE_ARGON2_PARALLELISM": 4}, "at least 8"),
    ],
)
def test_bad_argon2_cost_names_the_key(config: dict[str, object], message: str) -> None:
    app = Flask("argon2_bad")
    app.config.update(config)
    with app.app_context(), pytest.raises(ImproperlyConfigured, match=message):
        make_password("pw")


def test_argon2_cost_applies_to_other_default_schemes_too(plain_app: Flask) -> None:
    """An app hashing with another scheme still verifies and upgrades argon2 hashes at its chosen cost."""
    plain_app.config.update(CHEAP_ARGON2)
    outside = make_password("pw")
    with plain_app.app_context():
        assert check_password("pw", outside) is True
        assert needs_rehash(outside) is True
        assert make_password("pw").startswith("{SSHA256}")
