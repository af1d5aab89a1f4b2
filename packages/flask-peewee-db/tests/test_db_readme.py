"""The README's minimal example runs as written."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def example(tmp_path, monkeypatch):
    source = re.search(r"## Minimal example\s+```python\n(.*?)```", README.read_text(), re.DOTALL).group(1)
    (tmp_path / "readme_example.py").write_text(source)
    monkeypatch.chdir(tmp_path)  # the example's "example.db" is relative
    monkeypatch.syspath_prepend(str(tmp_path))
    import readme_example

    yield readme_example
    readme_example.db.database.close()
    sys.modules.pop("readme_example", None)


def test_minimal_example(example, tmp_path):
    runner = example.app.test_cli_runner()
    assert runner.invoke(args=["fp", "create-tables"]).output == "created note\n"
    example.Note.create(message="hello")
    example.db.database.close()
    assert example.app.test_client().get("/").json == {"notes": 1}
    assert (tmp_path / "example.db").exists()
