"""get_next, is_safe_url and safe_next_url."""

from __future__ import annotations

import pytest
from flask import Flask

from flask_peewee.utils import get_next, is_safe_url, safe_next_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/private/", "/private/"), ("/private/?a=1&b=2", "/private/?a=1&b=2"), ("/x/?", "/x/")],
)
def test_get_next_is_the_relative_request_url(plain_app: Flask, url: str, expected: str) -> None:
    with plain_app.test_request_context(url, base_url="http://example.com"):
        assert get_next() == expected


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/admin/?page=2",
        "relative/path",
        "?page=3",
        "http://example.com/next/",
        "https://EXAMPLE.com/next/",
        "//example.com/next/",
        "/a%2F%2Fb",
    ],
)
def test_safe_targets(plain_app: Flask, target: str) -> None:
    with plain_app.test_request_context("/", base_url="http://example.com"):
        assert is_safe_url(target) is True
        assert safe_next_url(target, "/default/") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.com",
        "///evil.com",
        "\\\\evil.com",
        "/\\evil.com",
        "\\/evil.com",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,hi",
        "http://evil.com/",
        "https://example.com.evil.com/",
        "http://example.com@evil.com/",
        "ftp://example.com/",
        "http:evil.com",
        "http:///evil.com",
        " //evil.com",
        "/\n/evil.com",
        "/ok\x00",
        "/ok\x7f",
        "http://[::1",
    ],
)
def test_unsafe_targets(plain_app: Flask, target: str | None) -> None:
    with plain_app.test_request_context("/", base_url="http://example.com"):
        assert is_safe_url(target) is False
        assert safe_next_url(target, "/default/") == "/default/"


@pytest.mark.parametrize("target", ["/", "/admin/", "/a/b/?x=1", "relative/path", "?page=3"])
def test_relative_targets_are_safe_outside_a_request(target: str) -> None:
    # as in the original, which only parsed the URL: no request context needed
    assert is_safe_url(target) is True
    assert safe_next_url(target, "/default/") == target


@pytest.mark.parametrize(
    "target",
    [None, "", "http://evil.com", "https://evil.com/x", "//evil.com", "javascript:alert(1)", "http://localhost/"],
)
def test_absolute_targets_are_unsafe_outside_a_request(target: str | None) -> None:
    # no request, so no host of this site to compare with: only relative URLs pass
    assert is_safe_url(target) is False
    assert safe_next_url(target, "/default/") == "/default/"
