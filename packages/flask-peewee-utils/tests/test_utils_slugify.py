"""slugify."""

from __future__ import annotations

import pytest

from flask_peewee.utils import slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("This is a url", "this-is-a-url"),
        ("Hello, World!", "hello-world"),
        ("  --many   spaces__and-_-dashes-- ", "many-spaces-and-dashes"),
        ("Héllo Wörld, ça va?", "hello-world-ca-va"),
        ("Straße 5", "straße-5"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
        ("ﬁle №1", "file-no1"),
        ("tabs\tand\nnewlines", "tabs-and-newlines"),
        ("!!!", ""),
        ("", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_refuses_non_strings() -> None:
    with pytest.raises(TypeError, match="str"):
        slugify(None)  # type: ignore[arg-type]
