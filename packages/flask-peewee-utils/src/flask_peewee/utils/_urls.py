"""Safe ``next`` URLs: build them from the current request and refuse ones that leave the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import has_request_context, request

__all__ = ["get_next", "is_safe_url", "safe_next_url"]

_SAFE_SCHEMES = frozenset({"http", "https"})


def get_next() -> str:
    """The current request's relative URL: ``request.path``, plus ``?query`` only when there is one.

    Used to send a user back where they were (``login_required`` builds ``next`` with it).
    """
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def is_safe_url(target: str | None) -> bool:
    """Whether redirecting to ``target`` keeps the user on this site.

    Relative URLs are safe; inside a request, absolute http(s) URLs to ``request.host`` are
    too (outside one there is no host to compare, so only relative URLs are). Scheme-relative
    URLs to another host (``//evil.com``), backslashes (``\\\\evil.com``, ``/\\evil``), other
    schemes (``javascript:``), whitespace and control characters are not.
    """
    if not isinstance(target, str) or not target:
        return False
    if target != target.strip() or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    host = request.host.lower() if has_request_context() else None
    if parts.scheme:
        return (
            host is not None
            and parts.scheme.lower() in _SAFE_SCHEMES
            and bool(parts.netloc)
            and parts.netloc.lower() == host
        )
    if target.startswith("///"):
        # Browsers treat any run of slashes as the start of an authority.
        return False
    if parts.netloc or target.startswith("//"):
        return host is not None and parts.netloc.lower() == host
    return True


def safe_next_url(target: str | None, default: str) -> str:
    """``target`` when :func:`is_safe_url` accepts it, else ``default``."""
    return target if is_safe_url(target) and target is not None else default
