"""Utilities for flask-peewee."""

from __future__ import annotations

from flask_peewee.utils.__about__ import __version__

__all__ = ["__version__"]
