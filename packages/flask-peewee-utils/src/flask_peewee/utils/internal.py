"""Helpers that flask-peewee's own packages (auth, admin, rest) share, kept out of the public API.

These names are not in ``flask_peewee.utils.__all__`` and are not documented for apps: they
may change with the packages that use them. They stay importable from ``flask_peewee.utils``
as well. The rule (see the "Public and internal names" section of docs/utils.rst): a name is
public when apps use it (documented in the utils chapter or README, used by an example, or
kept from the original flask-peewee); a name only our packages need is internal.
"""

from __future__ import annotations

from flask_peewee.utils._pagination import parse_page
from flask_peewee.utils._passwords import password_scheme
from flask_peewee.utils._paths import MAX_DEPTH
from flask_peewee.utils._serialize import field_names
from flask_peewee.utils._unique import unique_violation
from flask_peewee.utils._values import parse_key

__all__ = ["MAX_DEPTH", "field_names", "parse_key", "parse_page", "password_scheme", "unique_violation"]
