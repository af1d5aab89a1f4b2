"""flask-peewee-db: the peewee database wrapper for Flask apps.

Besides its own names, the module forwards peewee's public names (``peewee.__all__``) as the
original ``flask_peewee.db`` did with ``from peewee import *``, so ``from flask_peewee.db import
CharField`` and ``from flask_peewee.db import *`` keep working. They are looked up in peewee on
first use, never copied; :class:`Database` and :class:`ImproperlyConfigured` stay ours.
"""

from __future__ import annotations

from typing import Any

from flask_peewee.db._namespace import check_namespace

check_namespace()

import peewee  # noqa: E402

from flask_peewee.db.__about__ import __version__  # noqa: E402
from flask_peewee.db._config import database_from_config, load_class, load_engine  # noqa: E402
from flask_peewee.db._connection import connection, create_tables_when_reachable  # noqa: E402
from flask_peewee.db._database import Database, get_database  # noqa: E402
from flask_peewee.db._exceptions import ImproperlyConfigured  # noqa: E402
from flask_peewee.db._replicas import use_primary  # noqa: E402

__all__ = [
    "Database",
    "ImproperlyConfigured",
    "__version__",
    "connection",
    "create_tables_when_reachable",
    "database_from_config",
    "get_database",
    "load_class",
    "load_engine",
    "use_primary",
]
#: peewee's public names that this module forwards (ours win where both define one).
_FORWARDED = frozenset(peewee.__all__) - set(__all__)
__all__ += sorted(_FORWARDED)  # `from flask_peewee.db import *` brings peewee's names too


def __getattr__(name: str) -> Any:
    """Forward peewee's public names (``flask_peewee.db.CharField`` is ``peewee.CharField``)."""
    if name in _FORWARDED:
        return getattr(peewee, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _FORWARDED)
