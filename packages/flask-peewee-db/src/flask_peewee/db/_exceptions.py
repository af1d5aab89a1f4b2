"""The one error type that configuration mistakes raise."""

from __future__ import annotations

__all__ = ["ImproperlyConfigured"]


class ImproperlyConfigured(Exception):
    """Raised when the database configuration of an app cannot be used."""
