"""The one error type that configuration mistakes raise."""

from __future__ import annotations

import peewee

__all__ = ["ImproperlyConfigured"]


class ImproperlyConfigured(peewee.ImproperlyConfigured):
    """Raised when the database configuration of an app cannot be used.

    It subclasses peewee's own ``ImproperlyConfigured``, so code catching either works.
    """
