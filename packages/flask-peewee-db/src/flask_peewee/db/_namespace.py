"""Detect the original single-package flask-peewee shadowing our namespace."""

from __future__ import annotations

import sys


def check_namespace() -> None:
    """Fail clearly when ``flask_peewee`` is a regular package, not a namespace.

    The original ``flask-peewee`` distribution ships ``flask_peewee/__init__.py``;
    installed beside the split packages it hides them, so we refuse to go on.
    """
    pkg = sys.modules.get("flask_peewee")
    if pkg is not None and getattr(pkg, "__file__", None):
        raise ImportError(
            "The 'flask-peewee' distribution (the original single package) is "
            f"installed at {pkg.__file__} and shadows the flask_peewee namespace "
            "used by flask-peewee-db and its siblings. Uninstall it: "
            "pip uninstall flask-peewee"
        )
