"""The body limit the admin and the REST API apply: their own, or the app's ``MAX_CONTENT_LENGTH`` when stricter."""

from __future__ import annotations

from flask import request

__all__ = ["body_within_limit", "effective_body_limit"]


def effective_body_limit(own: int | None, app_limit: int | None) -> int | None:
    """The smaller of ``own`` (a package's limit) and ``app_limit`` (``MAX_CONTENT_LENGTH``); None for no limit.

    Both are read on every request, never cached, so a change of configuration takes effect at once.
    """
    limits = [int(limit) for limit in (own, app_limit) if limit is not None]
    return min(limits) if limits else None


def body_within_limit(limit: int) -> bool:
    """Hold the current request's body to ``limit`` bytes; False when it is larger (answer 413, read nothing of it).

    A body with a ``Content-Length`` is judged by it. One without (chunked) is read here, one byte
    past the limit: werkzeug stops a stream at its limit without saying whether more was sent, so
    a longer body would otherwise be parsed cut short. What is read stays cached for the parsers.
    """
    if request.content_length is not None:
        request.max_content_length = limit
        return request.content_length <= limit
    request.max_content_length = limit + 1
    return len(request.get_data(cache=True)) <= limit
