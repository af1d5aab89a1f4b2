"""Hatch build hook: compile the package's gettext catalogues (``.po``) into ``.mo`` files.

The ``.po`` sources are committed; the binary ``.mo`` files are not (``*.mo`` is ignored by
git). A wheel gets them from a temporary folder; an editable install writes them beside their
``.po`` in the source tree, where the running package finds them (re-install, or run
``pybabel compile``, after editing a ``.po`` in a checkout).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueBuildHook(BuildHookInterface):
    """Compile every ``translations/<lang>/LC_MESSAGES/<domain>.po`` of the package."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._tmp: str | None = None
        editable = version == "editable"
        for source in sorted(Path(self.root, "src", "flask_peewee").glob("*/translations")):
            if editable:
                out = source
            else:
                self._tmp = self._tmp or tempfile.mkdtemp(prefix="flask-peewee-mo-")
                out = Path(self._tmp, source.parent.name)
            for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
                rel = po.relative_to(source).with_suffix(".mo")
                target = out / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with po.open("rb") as f:
                    catalog = read_po(f)
                with target.open("wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                if not editable:
                    wheel_path = f"flask_peewee/{source.parent.name}/translations/{rel.as_posix()}"
                    build_data["force_include"][str(target)] = wheel_path

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)
