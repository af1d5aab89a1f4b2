"""keyed_digest, digest_matches, sign, unsign and object_version: one keyed helper, one salt per purpose."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import peewee
import pytest
from flask import Flask
from itsdangerous import Signer

from flask_peewee.db import Database
from flask_peewee.utils import MissingSecretKey, digest_matches, keyed_digest, object_version, sign, unsign


@pytest.fixture
def keyless_app() -> Flask:
    app = Flask("flask_peewee_utils_keyless")
    app.config.update(TESTING=True)
    return app


def test_a_digest_is_hex_sha256_and_stable(plain_app: Flask) -> None:
    with plain_app.app_context():
        digest = keyed_digest("user 1", salt="test.a")
        assert len(digest) == 64
        assert int(digest, 16) >= 0
        assert keyed_digest("user 1", salt="test.a") == digest
        assert keyed_digest(b"user 1", salt="test.a") == digest
        assert keyed_digest("user 2", salt="test.a") != digest


def test_a_digest_stays_itsdangerous_hmac_of_the_derived_key(plain_app: Flask) -> None:
    # digests are stored (two-factor recovery codes): the derived key is cached, the value must not move
    signer = Signer("test", salt="test.a", key_derivation="hmac", digest_method=hashlib.sha256)
    expected = signer.algorithm.get_signature(signer.derive_key(), b"user 1").hex()
    with plain_app.app_context():
        assert keyed_digest("user 1", salt="test.a") == expected
        plain_app.secret_key = bytearray(b"test")  # a key that cannot be hashed is derived each time
        assert keyed_digest("user 1", salt="test.a") == expected
        assert digest_matches(expected, "user 1", salt="test.a")


def test_salts_keep_purposes_apart(plain_app: Flask) -> None:
    with plain_app.app_context():
        first = keyed_digest("same message", salt="test.a")
        assert keyed_digest("same message", salt="test.b") != first
        assert digest_matches(first, "same message", salt="test.a") is True
        assert digest_matches(first, "same message", salt="test.b") is False
        signed = sign("payload", salt="test.a")
        assert unsign(signed, salt="test.a") == "payload"
        assert unsign(signed, salt="test.b") is None


def test_the_key_changes_every_digest(plain_app: Flask) -> None:
    with plain_app.app_context():
        before = keyed_digest("message", salt="test.a")
        signed = sign("payload", salt="test.a")
    plain_app.config["SECRET_KEY"] = "another key"
    with plain_app.app_context():
        assert keyed_digest("message", salt="test.a") != before
        assert digest_matches(before, "message", salt="test.a") is False
        assert unsign(signed, salt="test.a") is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.replace("payload", "payl\u043ead"),  # a Cyrillic o in the value
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),
        lambda s: s.rpartition(".")[0],
        lambda s: s.rpartition(".")[0] + ".",
        lambda s: "",
        lambda s: "x" * 300,
    ],
)
def test_tampered_values_are_refused(plain_app: Flask, tamper: Any) -> None:
    with plain_app.app_context():
        signed = sign("payload.with.dots", salt="test.a")
        assert signed.startswith("payload.with.dots.")
        assert unsign(signed, salt="test.a") == "payload.with.dots"
        assert unsign(tamper(signed), salt="test.a") is None


def test_tampered_digests_are_refused(plain_app: Flask) -> None:
    with plain_app.app_context():
        digest = keyed_digest("message", salt="test.a")
        assert digest_matches(digest, "message", salt="test.a") is True
        assert digest_matches(digest.upper(), "message", salt="test.a") is False
        assert digest_matches(digest[:-1], "message", salt="test.a") is False
        assert digest_matches(digest, "messagE", salt="test.a") is False
        assert digest_matches("é" * 64, "message", salt="test.a") is False
        assert digest_matches(None, "message", salt="test.a") is False  # type: ignore[arg-type]


def test_text_beyond_ascii_round_trips(plain_app: Flask) -> None:
    with plain_app.app_context():
        value = "Élodie \u2603 \udcff"  # a lone surrogate, as a path or header can hold
        assert unsign(sign(value, salt="test.a"), salt="test.a") == value
        assert digest_matches(keyed_digest(value, salt="test.a"), value, salt="test.a") is True


def test_without_a_key_signing_refuses_with_a_clear_error(keyless_app: Flask) -> None:
    with keyless_app.app_context():
        with pytest.raises(MissingSecretKey, match=r"app\.config\['SECRET_KEY'\]") as info:
            keyed_digest("message", salt="test.a")
        assert isinstance(info.value, RuntimeError)
        assert "test.a" in str(info.value)
        with pytest.raises(MissingSecretKey):
            sign("payload", salt="test.a")


def test_without_a_key_nothing_checks_as_valid(plain_app: Flask, keyless_app: Flask) -> None:
    with plain_app.app_context():
        digest = keyed_digest("message", salt="test.a")
        signed = sign("payload", salt="test.a")
    with keyless_app.app_context():
        assert digest_matches(digest, "message", salt="test.a") is False
        assert unsign(signed, salt="test.a") is None


def test_an_app_without_a_key_starts(keyless_app: Flask, tmp_path: Any) -> None:
    keyless_app.config["DATABASE"] = f"sqlite:///{tmp_path / 'keyless.db'}"
    Database(keyless_app)
    assert keyless_app.test_client().get("/missing/").status_code == 404


def test_fallback_keys_are_accepted_for_checks_only(plain_app: Flask) -> None:
    with plain_app.app_context():
        old_digest = keyed_digest("message", salt="test.a")
        old_signed = sign("payload", salt="test.a")
    plain_app.config.update(SECRET_KEY="the new key", SECRET_KEY_FALLBACKS=["test"])
    with plain_app.app_context():
        assert digest_matches(old_digest, "message", salt="test.a") is True
        assert unsign(old_signed, salt="test.a") == "payload"
        new_digest = keyed_digest("message", salt="test.a")
        assert new_digest != old_digest  # new values are made with the current key only
        assert unsign(sign("payload", salt="test.a"), salt="test.a") == "payload"
    plain_app.config["SECRET_KEY_FALLBACKS"] = []
    with plain_app.app_context():
        assert digest_matches(old_digest, "message", salt="test.a") is False
        assert digest_matches(new_digest, "message", salt="test.a") is True


# -- object_version ------------------------------------------------------------------------


def test_a_row_has_one_version_until_it_changes(app: Flask, models: SimpleNamespace) -> None:
    with app.app_context():
        message = models.Message.get(models.Message.content == "third")
        version = object_version(message)
        assert len(version) == 32
        assert object_version(models.Message.get_by_id(message.id)) == version
        message.content = "changed"
        assert object_version(message) != version
        message.content = "third"
        message.user = models.users["bob"].id  # a foreign key counts as its raw id
        assert object_version(message) != version


def test_a_version_covers_sensitive_fields_and_extra(app: Flask, models: SimpleNamespace) -> None:
    with app.app_context():
        user = models.User.get(models.User.username == "Alice")
        version = object_version(user)
        user.password = "another hash"
        assert object_version(user) != version
        user.password = "secret-Alice"
        assert object_version(user) == version
        assert object_version(user, {"tags": ["1"]}) != version
        assert object_version(user, {"tags": ["1"]}) == object_version(user, {"tags": ["1"]})


def test_a_version_reads_foreign_keys_without_a_query(
    app: Flask, db: Any, models: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        message = models.Message.get(models.Message.content == "third")
        queries: list[str] = []
        original = db.database.execute_sql

        def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
            queries.append(sql)
            return original(sql, *args, **kwargs)

        monkeypatch.setattr(db.database, "execute_sql", counting)
        object_version(message)
        assert queries == []
        object_version(models.Message.get_by_id(message.id))
        assert len(queries) == 1  # the counter counts: the get itself


def test_a_version_is_keyed(app: Flask, models: SimpleNamespace) -> None:
    """A reader who knows every other value cannot confirm a guess of a hidden one without the key."""
    with app.app_context():
        user = models.User.get(models.User.username == "Alice")
        version = object_version(user)
    app.config["SECRET_KEY"] = "another key"
    with app.app_context():
        assert object_version(user) != version
    app.config["SECRET_KEY"] = None
    with app.app_context(), pytest.raises(MissingSecretKey):
        object_version(user)


def test_two_models_with_equal_values_have_different_versions(app: Flask, db: Any) -> None:
    class Left(db.Model):
        name = peewee.CharField()

    class Right(db.Model):
        name = peewee.CharField()

    db.create_tables([Left, Right])
    with app.app_context():
        assert object_version(Left.create(name="x")) != object_version(Right.create(name="x"))


def test_many_to_many_links_are_part_of_the_version(app: Flask, db: Any) -> None:
    class Tag(db.Model):
        name = peewee.CharField()

    class Post(db.Model):
        title = peewee.CharField()
        tags = peewee.ManyToManyField(Tag, backref="posts")

    Through = Post.tags.get_through_model()
    db.create_tables([Tag, Post, Through])
    with app.app_context():
        red, blue = Tag.create(name="red"), Tag.create(name="blue")
        post = Post.create(title="hello")
        bare = object_version(post)
        post.tags.add([red, blue])
        linked = object_version(post)
        assert linked != bare
        post.tags.remove([blue])
        assert object_version(post) not in (bare, linked)
        post.tags.add([blue])
        assert object_version(post) == linked
        assert object_version(red) == object_version(Tag.get_by_id(red.id))  # the backref side reads no links
        assert object_version(Post(title="unsaved")) != bare
