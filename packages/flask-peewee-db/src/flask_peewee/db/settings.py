"""A configuration key declared once: its name, its default and what it means.

Each flask-peewee package lists the ``app.config`` keys it reads in its private
``_settings`` module as :class:`Setting` objects, and its code reads a key through that
declaration, so a default is written in one place. The configuration chapter of the
documentation is tested against these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Setting"]


@dataclass(frozen=True)
class Setting:
    """One configuration key: ``key``, the ``default`` used when the app does not set it, and a
    one-line ``description``. ``required`` marks a key an app must set for the feature that
    reads it (its ``default`` is then what an unset key reads as, usually ``None``)."""

    key: str
    default: Any
    description: str
    required: bool = False

    def get(self, config: Mapping[str, Any]) -> Any:
        """The value of this key in ``config`` (an ``app.config``), or the default when it is unset."""
        return config.get(self.key, self.default)
