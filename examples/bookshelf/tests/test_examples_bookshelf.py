"""The db + utils example works with only flask-peewee-db and flask-peewee-utils installed."""

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent


@pytest.fixture
def example(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    spec = importlib.util.spec_from_file_location("bookshelf_app", HERE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    module.db.database.close()


def test_only_db_and_utils_are_installed():
    for name in ("flask_peewee.db", "flask_peewee.utils"):
        assert importlib.util.find_spec(name) is not None
    for name in ("flask_peewee.auth", "flask_peewee.admin", "flask_peewee.rest", "wtforms"):
        assert importlib.util.find_spec(name) is None


def test_create_tables_command_and_pages(example):
    result = example.app.test_cli_runner().invoke(args=["fp", "create-tables"])
    assert result.exit_code == 0, result.output
    assert "created author" in result.output
    ursula = example.Author.create(name="Ursula K. Le Guin")
    assert ursula.slug == "ursula-k-le-guin"
    for year in range(1966, 1974):
        example.Book.create(author=ursula, title=f"Book of {year}", year=year)
    example.db.database.close()

    client = example.app.test_client()
    assert "Ursula K. Le Guin" in client.get("/").text
    page1 = client.get("/ursula-k-le-guin/")
    assert "Book of 1966" in page1.text
    assert "Book of 1971" not in page1.text
    assert "?page=2" in page1.text
    page2 = client.get("/ursula-k-le-guin/?page=2")
    assert "Book of 1971" in page2.text
    assert client.get("/ursula-k-le-guin/?page=9").status_code == 404
    assert client.get("/ursula-k-le-guin/?page=abc").status_code == 200
    assert client.get("/nobody/").status_code == 404
    book = example.Book.get(example.Book.year == 1969)
    assert 'by <a href="/ursula-k-le-guin/">Ursula K. Le Guin</a>' in client.get(f"/books/{book.id}/").text
