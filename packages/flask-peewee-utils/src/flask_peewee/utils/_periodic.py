"""Housekeeping spread over the calls that make it necessary (no timer, no thread)."""

from __future__ import annotations

import itertools

__all__ = ["Periodic"]


class Periodic:
    """True on every ``every``-th call of :meth:`due`, counted per process and thread-safe.

    Library-owned tables that grow with hostile traffic (login throttle and rate-limit
    counters, one row per key) purge their expired rows when a write is due, so the cost is
    one ``DELETE`` per ``every`` writes whatever the traffic, and no worker needs a timer.
    """

    def __init__(self, every: int) -> None:
        if every < 1:
            raise ValueError("every must be a positive number of calls")
        self.every = every
        self._calls = itertools.count(1)  # next() on a count is atomic under the GIL

    def due(self) -> bool:
        """Count one call; true when it is a multiple of ``every``."""
        return next(self._calls) % self.every == 0
