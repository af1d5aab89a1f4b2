"""Fixtures for the documentation's tests: run the tutorial's files as a reader would.

Each tutorial file is copied into the test's ``tmp_path`` as ``app.py`` (with the
``templates/`` folder beside it, as the tutorial sets up) and imported as the module
``app``. On SQLite the file runs unchanged from that folder, so its ``example.db`` lands
there; on PostgreSQL and MariaDB only the ``DATABASE = {...}`` block is replaced by the
test database's URL, which ``DATABASE`` accepts as well.
"""

from __future__ import annotations

import importlib.util
import runpy
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import pytest

TUTORIAL = Path(__file__).resolve().parent.parent / "examples" / "tutorial"

SQLITE_CONFIG = """DATABASE = {
    "name": "example.db",
    "engine": "peewee.SqliteDatabase",
}
"""


class TutorialRunner:
    """Copies tutorial files into a folder and runs them there."""

    def __init__(self, folder: Path, database_url: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.database_url = database_url
        self.monkeypatch = monkeypatch
        self.databases: list[Any] = []
        self.run_calls: list[tuple[Any, ...]] = []
        shutil.copytree(TUTORIAL / "templates", folder / "templates")
        monkeypatch.chdir(folder)
        monkeypatch.syspath_prepend(str(folder))
        # `python app.py` ends in app.run(); record the call instead of serving forever.
        monkeypatch.setattr(flask.Flask, "run", lambda app, *args, **kwargs: self.run_calls.append((app, args)))

    def copy(self, name: str, as_name: str = "app.py", *, configures: bool = True) -> Path:
        """Copy tutorial file ``name`` into the folder as ``as_name``; one that ``configures`` the
        database is pointed at the test database."""
        source = (TUTORIAL / name).read_text()
        if configures and self.database_url is not None and not self.database_url.startswith("sqlite:"):
            assert source.count(SQLITE_CONFIG) == 1, f"{name} no longer holds the tutorial's DATABASE block"
        return self.write(source, as_name)

    def write(self, source: str, as_name: str = "app.py") -> Path:
        """Write ``source`` into the folder as ``as_name``, its ``DATABASE`` block (if any) pointed
        at the test database."""
        if self.database_url is not None and not self.database_url.startswith("sqlite:"):
            source = source.replace(SQLITE_CONFIG, f"DATABASE = {self.database_url!r}\n")
        target = self.folder / as_name
        target.write_text(source)
        return target

    def load(self, name: str) -> ModuleType:
        """Import tutorial file ``name`` as the module ``app`` (what ``from app import auth`` finds)."""
        return self.import_app(self.copy(name))

    def import_app(self, path: Path) -> ModuleType:
        """Import ``path`` as the module ``app``."""
        spec = importlib.util.spec_from_file_location("app", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        self.monkeypatch.setitem(sys.modules, "app", module)
        spec.loader.exec_module(module)
        self._track(vars(module))
        return module

    def run_main(self, name: str) -> dict[str, Any]:
        """Run tutorial file ``name`` as ``python app.py`` does; returns its globals."""
        return self.run_path_as_main(self.copy(name))

    def run_path_as_main(self, path: Path) -> dict[str, Any]:
        """Run ``path`` as ``python app.py`` does; returns its globals."""
        namespace = runpy.run_path(str(path), run_name="__main__")
        self._track(namespace)
        return namespace

    def run_script(self, name: str) -> dict[str, Any]:
        """Run a snippet meant for a shell opened beside ``app.py``."""
        return runpy.run_path(str(self.copy(name, as_name=name, configures=False)))

    def _track(self, namespace: dict[str, Any]) -> None:
        db = namespace.get("db")
        if db is not None:
            self.databases.append(db.database)

    def close(self) -> None:
        for database in self.databases:
            if not database.is_closed():
                database.close()


@pytest.fixture
def tutorial(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TutorialRunner]:
    """A :class:`TutorialRunner` on each database backend."""
    runner = TutorialRunner(tmp_path / "project", database_url, monkeypatch)
    yield runner
    runner.close()


@pytest.fixture
def tutorial_no_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TutorialRunner]:
    """A :class:`TutorialRunner` for the steps before the database exists (runs once)."""
    runner = TutorialRunner(tmp_path / "project", None, monkeypatch)
    yield runner
    runner.close()
