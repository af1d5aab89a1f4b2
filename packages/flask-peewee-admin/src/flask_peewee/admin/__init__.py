"""A Django-style admin for peewee models in Flask apps.."""

from __future__ import annotations

from flask_peewee.admin.__about__ import __version__

__all__ = ["__version__"]
