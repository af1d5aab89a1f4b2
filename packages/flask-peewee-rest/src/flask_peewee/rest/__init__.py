"""A REST API over peewee models for Flask apps.."""

from __future__ import annotations

from flask_peewee.rest.__about__ import __version__

__all__ = ["__version__"]
