"""``flask fp status|up|down|create|generate`` on peewee's playhouse.migrations."""

from __future__ import annotations

import textwrap

import peewee
import pytest


@pytest.fixture
def migrations(app, tmp_path):
    """The migrations folder (FLASK_PEEWEE_MIGRATIONS_DIR) for this test."""
    folder = tmp_path / "migs"
    app.config["FLASK_PEEWEE_MIGRATIONS_DIR"] = str(folder)
    return folder


@pytest.fixture
def fp(app):
    """Run ``flask fp ...`` and return the click result."""
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(args=["fp", *args])

    return invoke


def _columns(db, table: str) -> set[str]:
    return {column.name for column in db.database.get_columns(table)}


def _write(folder, name: str, body: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


def test_generate_up_down_cycle(app, db, migrations, fp):
    class Author(db.Model):
        name = peewee.CharField()

    class Book(db.Model):
        author = peewee.ForeignKeyField(Author, backref="books")
        title = peewee.CharField(index=True)

    db.database.close()

    assert fp("status").output.startswith("no migrations in ")

    generated = fp("generate", "initial")
    assert generated.exit_code == 0, generated.output
    assert "0001_initial.py" in generated.output
    assert "create table author" in generated.output
    assert (migrations / "0001_initial.py").exists()

    assert fp("status").output == "[ ] 0001_initial\n"
    assert fp("status", "--check").exit_code == 1

    applied = fp("up")
    assert (applied.exit_code, applied.output) == (0, "applied 0001_initial\n")
    assert {"author", "book"} <= set(db.database.get_tables())
    status = fp("status")
    assert status.output.startswith("[x] 0001_initial  ")
    assert fp("status", "--check").exit_code == 0

    unchanged = fp("generate", "nothing")
    assert unchanged.output == "the database matches the models: nothing to generate\n"
    assert not (migrations / "0002_nothing.py").exists()

    # The model grows a column: the next migration adds it.
    Book._meta.add_field("pages", peewee.IntegerField(default=0))
    grown = fp("generate", "add pages")
    assert grown.exit_code == 0, grown.output
    assert "add column book.pages" in grown.output
    assert "add_column('book', 'pages'" in (migrations / "0002_add_pages.py").read_text()
    assert fp("up").output == "applied 0002_add_pages\n"
    assert "pages" in _columns(db, "book")
    author = Author.create(name="Ann")
    Book.create(author=author, title="T", pages=12)
    assert Book.get().pages == 12

    reverted = fp("down")
    assert (reverted.exit_code, reverted.output) == (0, "reverted 0002_add_pages\n")
    assert "pages" not in _columns(db, "book")
    assert fp("status").output.splitlines()[1] == "[ ] 0002_add_pages"

    assert fp("down", "0001_initial").output == "reverted 0001_initial\n"
    assert not {"author", "book"} & set(db.database.get_tables())
    db.database.close()
    assert fp("down").output == "nothing to revert: no migration is applied\n"
    assert db.database.is_closed()  # the commands close what they open


def test_up_and_down_to_a_target(db, migrations, fp):
    for number, table in ((1, "alpha"), (2, "beta"), (3, "gamma")):
        _write(
            migrations,
            f"000{number}_{table}",
            f"""
            from peewee import *

            def up(migrator, db):
                class T(Model):
                    class Meta:
                        database = db
                        table_name = {table!r}
                db.create_tables([T])

            def down(migrator, db):
                migrator.migrate(migrator.drop_table({table!r}))
            """,
        )
    assert fp("up", "0002_beta").output == "applied 0001_alpha\napplied 0002_beta\n"
    assert {"alpha", "beta"} <= set(db.database.get_tables())
    assert "gamma" not in db.database.get_tables()
    assert fp("up").output == "applied 0003_gamma\n"
    assert fp("up").output == "nothing to apply: every migration is applied\n"
    assert fp("down", "0002_beta").output == "reverted 0003_gamma\nreverted 0002_beta\n"
    assert set(db.database.get_tables()) & {"alpha", "beta", "gamma"} == {"alpha"}
    db.database.close()


def test_up_fake_records_without_running(db, migrations, fp):
    _write(migrations, "0001_boom", "def up(migrator, db):\n    raise RuntimeError('must not run')\n")
    result = fp("up", "--fake")
    assert (result.exit_code, result.output) == (0, "recorded 0001_boom\n")
    assert fp("status").output.startswith("[x] 0001_boom")


def test_a_failing_migration_is_named_and_earlier_ones_stay_applied(db, migrations, fp):
    _write(migrations, "0001_ok", "def up(migrator, db):\n    pass\n")
    _write(migrations, "0002_broken", "def up(migrator, db):\n    raise RuntimeError('no luck')\n")
    result = fp("up")
    assert result.exit_code == 1
    assert "applied 0001_ok" in result.output
    assert "Error: migration 0002_broken failed: RuntimeError: no luck" in result.output
    lines = fp("status").output.splitlines()
    assert lines[0].startswith("[x] 0001_ok  ")
    assert lines[1:] == ["[ ] 0002_broken"]
    assert db.database.is_closed()


def test_clear_errors(db, migrations, fp):
    _write(migrations, "0001_no_down", "def up(migrator, db):\n    pass\n")
    unknown = fp("up", "0009_nope")
    assert unknown.exit_code == 1
    assert 'unknown migration "0009_nope"' in unknown.output
    assert fp("up").exit_code == 0
    no_down = fp("down")
    assert no_down.exit_code == 1
    assert "0001_no_down does not define down()" in no_down.output
    not_applied = fp("down", "0002_other")
    assert not_applied.exit_code == 1
    assert "is not an applied migration" in not_applied.output


def test_generate_refuses_with_pending_migrations_or_no_models(db, migrations, fp):
    nothing = fp("generate", "first")
    assert nothing.exit_code == 1
    assert "no models are registered" in nothing.output

    class Thing(db.Model):
        name = peewee.CharField()

    _write(migrations, "0001_pending", "def up(migrator, db):\n    pass\n")
    pending = fp("generate", "second")
    assert pending.exit_code == 1
    assert "apply the pending migrations first (0001_pending)" in pending.output
    assert sorted(p.name for p in migrations.iterdir()) == ["0001_pending.py"]


def test_applied_migration_whose_file_is_gone(db, migrations, fp):
    _write(migrations, "0001_gone", "def up(migrator, db):\n    pass\n")
    fp("up")
    (migrations / "0001_gone.py").unlink()
    status = fp("status")
    assert status.output.startswith("[?] 0001_gone  ")
    assert status.output.rstrip().endswith("(file missing)")


def test_create_writes_numbered_skeletons_beside_the_app(app, db, fp, tmp_path):
    # Without FLASK_PEEWEE_MIGRATIONS_DIR the folder is migrations/ in app.root_path.
    first = fp("create", "Add karma!")
    assert first.exit_code == 0
    path = tmp_path / "migrations" / "0001_add_karma.py"
    assert path.exists()
    assert "def up(migrator, db):" in path.read_text()
    assert fp("create", "second").output.endswith("0002_second.py\n")
    assert fp("status").output == "[ ] 0001_add_karma\n[ ] 0002_second\n"


@pytest.mark.backends("sqlite")
def test_relative_migrations_dir_is_read_from_the_app_root(app, db, fp, tmp_path):
    app.config["FLASK_PEEWEE_MIGRATIONS_DIR"] = "db/migrations"
    assert fp("create", "x").exit_code == 0
    assert (tmp_path / "db" / "migrations" / "0001_x.py").exists()
