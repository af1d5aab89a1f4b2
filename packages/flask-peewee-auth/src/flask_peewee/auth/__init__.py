"""Authentication for flask-peewee."""

from __future__ import annotations

from flask_peewee.auth.__about__ import __version__

__all__ = ["__version__"]
