"""``flask_peewee.exceptions``, kept for apps written for the original flask-peewee.

The module of the original single package lives on as a plain module of the namespace,
shipped by flask-peewee-db. Its one name is the same class as
:class:`flask_peewee.db.ImproperlyConfigured`; new code imports it from there.
"""

from __future__ import annotations

from flask_peewee.db._exceptions import ImproperlyConfigured

__all__ = ["ImproperlyConfigured"]
