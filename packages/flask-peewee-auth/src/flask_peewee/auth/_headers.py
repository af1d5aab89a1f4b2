"""The response headers every page the packages render carries: no framing, no MIME sniffing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

__all__ = ["add_security_headers"]


def add_security_headers(response: Response) -> Response:
    """Forbid framing (clickjacking) and MIME sniffing on ``response``; keep what a view set itself.

    ``X-Frame-Options: DENY``, ``frame-ancestors 'none'`` added to any Content-Security-Policy,
    ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``. Use it as an
    ``after_request`` hook of a blueprint.
    """
    response.headers.setdefault("X-Frame-Options", "DENY")
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    elif "frame-ancestors" not in csp:
        response.headers["Content-Security-Policy"] = f"{csp}; frame-ancestors 'none'"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
