"""Every package builds a wheel and an sdist, and its wheel installs alone with only its declared dependencies.

The build runs once per session (``dist_dir``); each part gets its own fresh venv
(``installed``). The last tests break copies of the artefacts on purpose to show the
checks are not vacuous.
"""

from __future__ import annotations

import email.parser
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

PARTS = ("db", "utils", "auth", "admin", "rest")
ROOT = Path(__file__).resolve().parent.parent


def _run(python: Path, code: str) -> str:
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, cwd=python.parent)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


# --------------------------------------------------------------------------- the real artefacts


def test_every_part_builds_a_wheel_and_an_sdist(bai: ModuleType, dist_dir: Path) -> None:
    names = sorted(p.name for p in dist_dir.iterdir())
    expected = []
    for part in PARTS:
        version = bai.about_version(part)
        expected += [f"flask_peewee_{part}-{version}-py3-none-any.whl", f"flask_peewee_{part}-{version}.tar.gz"]
    assert names == sorted(expected)


@pytest.mark.parametrize("part", PARTS)
def test_wheel_ships_only_its_layer(bai: ModuleType, dist_dir: Path, part: str) -> None:
    built = bai.find_dists(part, dist_dir)
    bai.check_wheel(part, built.wheel)
    with zipfile.ZipFile(built.wheel) as zf:
        names = zf.namelist()
        info = f"flask_peewee_{part}-{built.version}.dist-info"
        meta = email.parser.Parser().parsestr(zf.read(f"{info}/METADATA").decode())
    assert f"flask_peewee/{part}/py.typed" in names
    assert f"flask_peewee/{part}/__about__.py" in names
    assert "flask_peewee/__init__.py" not in names
    if part in ("admin", "auth"):  # the catalogues, compiled at build time (never committed)
        for lang in ("de", "fr", "es"):
            assert f"flask_peewee/{part}/translations/{lang}/LC_MESSAGES/flask_peewee_{part}.mo" in names
    if part == "rest":  # the API explorer's bundled Swagger UI, with its licence (no CDN)
        swagger = "flask_peewee/rest/static/swagger-ui"
        assert {f"{swagger}/swagger-ui-bundle.js", f"{swagger}/swagger-ui.css", f"{swagger}/LICENSE"} <= set(names)
        assert "flask_peewee/rest/static/flask-peewee-rest-docs.js" in names
    modules = tuple(f"flask_peewee/{m}" for m in bai.namespace_modules(part))
    assert all(n.startswith((f"flask_peewee/{part}/", f"{info}/")) or n in modules for n in names)
    assert meta["License-Expression"] == bai.LICENSE_EXPRESSIONS[part]
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["Version"] == built.version
    assert meta.get_all("Project-URL") is None  # no public address yet: no URL fields (CONTRIBUTING.md)


@pytest.mark.parametrize("part", PARTS)
def test_sdist_has_project_files_sources_and_tests(bai: ModuleType, dist_dir: Path, part: str) -> None:
    built = bai.find_dists(part, dist_dir)
    bai.check_sdist(part, built.sdist)
    top = f"flask_peewee_{part}-{built.version}"
    with tarfile.open(built.sdist) as tf:
        names = {m.name.removeprefix(f"{top}/") for m in tf.getmembers() if m.isfile()}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO"} <= names
    assert f"src/flask_peewee/{part}/__init__.py" in names
    tests_in_tree = {p.relative_to(bai.package_dir(part)).as_posix() for p in bai.package_dir(part).glob("tests/*.py")}
    assert tests_in_tree <= names


@pytest.mark.parametrize("part", PARTS)
def test_wheel_installs_alone_and_upper_layers_are_absent(
    bai: ModuleType, installed: Callable[[str], Path], part: str
) -> None:
    python = installed(part)
    found = json.loads(
        _run(
            python,
            f"import importlib.util, json, sys, flask_peewee, flask_peewee.{part} as m\n"
            "print(json.dumps({'version': m.__version__, 'file': m.__file__, 'prefix': sys.prefix,"
            " 'namespace_file': getattr(flask_peewee, '__file__', None),"
            f" 'importable': [n for n in {list(PARTS)} if importlib.util.find_spec('flask_peewee.' + n)],"
            " 'wtfpeewee': importlib.util.find_spec('wtfpeewee') is not None}))",
        )
    )
    assert found["version"] == bai.about_version(part)
    assert found["file"].startswith(found["prefix"])
    assert found["namespace_file"] is None
    assert set(found["importable"]) == set(bai.sibling_chain(part))
    assert not set(found["importable"]) & set(bai.ABOVE[part])
    assert found["wtfpeewee"] is (part == "admin")


#: The original's modules without a package of their own, shipped as plain modules of the namespace (DESIGN.md).
NAMESPACE_MODULES = {"db": ["exceptions.py"], "utils": ["serializer.py"], "admin": ["filters.py", "forms.py"]}


@pytest.mark.parametrize("part", sorted(NAMESPACE_MODULES))
def test_namespace_modules_ship_in_the_lowest_wheel_allowed(bai: ModuleType, dist_dir: Path, part: str) -> None:
    assert bai.namespace_modules(part) == NAMESPACE_MODULES[part]
    with zipfile.ZipFile(bai.find_dists(part, dist_dir).wheel) as zf:
        names = zf.namelist()
    assert [n for n in names if n.count("/") == 1 and n.startswith("flask_peewee/")] == [
        f"flask_peewee/{m}" for m in NAMESPACE_MODULES[part]
    ]
    with tarfile.open(bai.find_dists(part, dist_dir).sdist) as tf:
        members = [m.name.split("/", 1)[1] for m in tf.getmembers()]
    assert [f"src/flask_peewee/{m}" for m in NAMESPACE_MODULES[part]] == [
        n for n in members if n.startswith("src/flask_peewee/") and n.count("/") == 2
    ]


def test_db_installed_alone_imports_flask_peewee_exceptions(installed: Callable[[str], Path]) -> None:
    found = json.loads(
        _run(
            installed("db"),
            "import importlib.util, json, flask_peewee.db as db, flask_peewee.exceptions as ex\n"
            "print(json.dumps({'same': ex.ImproperlyConfigured is db.ImproperlyConfigured,"
            " 'file': ex.__file__, 'charfield': db.CharField.__module__,"
            " 'serializer': importlib.util.find_spec('flask_peewee.serializer') is not None}))",
        )
    )
    assert found["same"] is True
    assert found["file"].endswith("site-packages/flask_peewee/exceptions.py")
    assert found["charfield"] == "peewee"
    assert found["serializer"] is False  # utils' module is absent with db alone


def test_utils_installed_alone_imports_flask_peewee_serializer(installed: Callable[[str], Path]) -> None:
    found = json.loads(
        _run(
            installed("utils"),
            "import json, flask_peewee.serializer as s, flask_peewee.exceptions as ex\n"
            "print(json.dumps({'names': sorted(s.__all__), 'file': s.__file__, 'ex': ex.__name__}))",
        )
    )
    assert found["names"] == ["Deserializer", "Serializer"]
    assert found["file"].endswith("site-packages/flask_peewee/serializer.py")
    assert found["ex"] == "flask_peewee.exceptions"


def test_command_line_check_installs_and_reports(bai: ModuleType, dist_dir: Path, tmp_path: Path) -> None:
    script = ROOT / "tools" / "build_and_install.py"
    proc = subprocess.run(
        [sys.executable, str(script), "check", "db", "--dist", str(dist_dir), "--venv", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ok: flask-peewee-db installs alone" in proc.stdout
    assert (tmp_path / "db" / "pyvenv.cfg").is_file()


def test_command_line_rejects_an_unknown_part(dist_dir: Path) -> None:
    script = ROOT / "tools" / "build_and_install.py"
    proc = subprocess.run(
        [sys.executable, str(script), "check", "models", "--dist", str(dist_dir)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "'models' is not one of db, utils, auth, admin, rest" in proc.stderr


# --------------------------------------------------------------------------- the checks catch breakage


def _rewrite_wheel(src: Path, dst: Path, edit: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(src) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    edit(files)
    with zipfile.ZipFile(dst / src.name, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return dst / src.name


def _edit_metadata(files: dict[str, bytes], change: Callable[[str], str]) -> None:
    name = next(n for n in files if n.endswith(".dist-info/METADATA"))
    files[name] = change(files[name].decode()).encode()


WHEEL_BREAKAGES = {
    "namespace __init__": (
        lambda f: f.update({"flask_peewee/__init__.py": b""}),
        "flask_peewee/__init__.py sits at the namespace level",
    ),
    "no py.typed": (lambda f: f.pop("flask_peewee/utils/py.typed"), "flask_peewee/utils/py.typed is missing"),
    "no __about__": (lambda f: f.pop("flask_peewee/utils/__about__.py"), "flask_peewee/utils/__about__.py is missing"),
    "tests shipped": (
        lambda f: f.update({"flask_peewee/utils/tests/test_x.py": b""}),
        "flask_peewee/utils/tests/test_x.py should not ship",
    ),
    "examples shipped": (
        lambda f: f.update({"examples/app.py": b""}),
        "examples/app.py is outside flask_peewee/utils/",
    ),
    "namespace module dropped": (
        lambda f: f.pop("flask_peewee/serializer.py"),
        "flask_peewee/serializer.py is declared in only-include but missing",
    ),
    "undeclared namespace module": (
        lambda f: f.update({"flask_peewee/stray.py": b""}),
        "flask_peewee/stray.py sits at the namespace level",
    ),
    "top-level package": (lambda f: f.update({"utils/__init__.py": b""}), "utils/__init__.py is outside"),
    "licence changed": (
        lambda f: _edit_metadata(f, lambda m: m.replace("License-Expression: MIT", "License-Expression: GPL-3.0")),
        "License-Expression is 'GPL-3.0', expected 'MIT'",
    ),
    "python floor changed": (
        lambda f: _edit_metadata(f, lambda m: m.replace("Requires-Python: >=3.10", "Requires-Python: >=3.8")),
        "Requires-Python is '>=3.8', expected '>=3.10'",
    ),
    "dependency dropped": (
        lambda f: _edit_metadata(f, lambda m: re.sub(r"^Requires-Dist: [^;\n]*\n", "", m, count=1, flags=re.M)),
        "missing from Requires-Dist",
    ),
    "dependency added": (
        lambda f: _edit_metadata(
            f, lambda m: m.replace("Requires-Python:", "Requires-Dist: undeclared-thing\nRequires-Python:")
        ),
        "Requires-Dist undeclared-thing is not declared in pyproject.toml",
    ),
    "url added": (
        lambda f: _edit_metadata(
            f,
            lambda m: m.replace(
                "Requires-Python:", "Project-URL: Homepage, https://example.invalid/\nRequires-Python:"
            ),
        ),
        "Project-URL {'Homepage': 'https://example.invalid/'} != [project.urls] {}",
    ),
}


@pytest.mark.parametrize("breakage", WHEEL_BREAKAGES)
def test_wheel_check_rejects_a_broken_copy(bai: ModuleType, dist_dir: Path, tmp_path: Path, breakage: str) -> None:
    edit, message = WHEEL_BREAKAGES[breakage]
    broken = _rewrite_wheel(bai.find_dists("utils", dist_dir).wheel, tmp_path, edit)
    with pytest.raises(bai.CheckError) as info:
        bai.check_wheel("utils", broken)
    assert message in str(info.value)


def _rewrite_sdist(src: Path, dst: Path, edit: Callable[[dict[str, bytes]], None]) -> Path:
    with tarfile.open(src) as tf:
        files = {m.name: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}  # type: ignore[union-attr]
    edit(files)
    with tarfile.open(dst / src.name, "w:gz") as tf:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tf.addfile(member, io.BytesIO(data))
    return dst / src.name


TEST_FILE = "<each test file of the tree in turn>"
SDIST_BREAKAGES = {
    "no changelog": ("CHANGELOG.md", None, "CHANGELOG.md is missing"),
    "no licence": ("LICENSE", None, "LICENSE is missing"),
    "no pyproject": ("pyproject.toml", None, "pyproject.toml is missing"),
    "a test file dropped": (TEST_FILE, None, "from the source tree is missing"),
    "a module dropped": ("src/flask_peewee/db/__about__.py", None, "__about__.py from the source tree is missing"),
    "namespace __init__": ("src/flask_peewee/__init__.py", b"", "src/flask_peewee/__init__.py ships"),
    "bytecode": ("src/flask_peewee/db/__pycache__/x.pyc", b"", "x.pyc is a cache or build artefact"),
}


def test_wheel_check_rejects_a_wheel_without_its_compiled_catalogue(
    bai: ModuleType, dist_dir: Path, tmp_path: Path
) -> None:
    compiled = "flask_peewee/admin/translations/de/LC_MESSAGES/flask_peewee_admin.mo"
    broken = _rewrite_wheel(bai.find_dists("admin", dist_dir).wheel, tmp_path, lambda f: f.pop(compiled))
    with pytest.raises(bai.CheckError) as info:
        bai.check_wheel("admin", broken)
    assert f"{compiled} (compiled from src/{compiled[:-3]}.po) is missing" in str(info.value)


@pytest.mark.parametrize("breakage", SDIST_BREAKAGES)
def test_sdist_check_rejects_a_broken_copy(bai: ModuleType, dist_dir: Path, tmp_path: Path, breakage: str) -> None:
    target, data, message = SDIST_BREAKAGES[breakage]
    built = bai.find_dists("db", dist_dir)
    paths = sorted(bai.tracked_files(bai.package_dir("db"), "tests")) if target == TEST_FILE else [target]
    assert paths, "flask-peewee-db has tests, so its sdist must carry them"
    for number, path in enumerate(paths):
        full = f"flask_peewee_db-{built.version}/{path}"

        def edit(files: dict[str, bytes], full: str = full) -> None:
            if data is None:
                assert files.pop(full) is not None
            else:
                files[full] = data

        (tmp_path / str(number)).mkdir()
        broken = _rewrite_sdist(built.sdist, tmp_path / str(number), edit)
        with pytest.raises(bai.CheckError) as info:
            bai.check_sdist("db", broken)
        assert message in str(info.value)
        assert path in str(info.value)


def test_install_fails_when_a_sibling_wheel_is_missing(bai: ModuleType, dist_dir: Path, tmp_path: Path) -> None:
    lonely = tmp_path / "dist"
    lonely.mkdir()
    built = bai.find_dists("auth", dist_dir)
    for path in (built.wheel, built.sdist):
        shutil.copy(path, lonely)
    with pytest.raises(bai.CheckError) as info:
        bai.check("auth", lonely, venv_dir=tmp_path / "venv")
    assert "pip install" in str(info.value)
    assert "flask-peewee-utils" in str(info.value) or "flask-peewee-db" in str(info.value)


def test_smoke_fails_when_an_upper_layer_is_installed(bai: ModuleType, installed: Callable[[str], Path]) -> None:
    with pytest.raises(bai.CheckError) as info:
        bai.smoke(installed("utils"), "db")
    message = str(info.value)
    assert "flask_peewee.utils is importable" in message
    assert "distribution flask-peewee-utils" in message
    assert "is installed though flask_peewee.db" in message


def test_smoke_fails_when_wtfpeewee_is_installed_without_admin(
    bai: ModuleType, installed: Callable[[str], Path]
) -> None:
    with pytest.raises(bai.CheckError) as info:
        bai.smoke(installed("admin"), "auth")
    message = str(info.value)
    assert "wtfpeewee is installed though flask_peewee.auth does not need it" in message
    assert "flask_peewee.admin is importable" in message


def test_smoke_fails_when_the_version_differs(
    bai: ModuleType, installed: Callable[[str], Path], tmp_path: Path
) -> None:
    fake_root = tmp_path / "tree"
    shutil.copytree(ROOT / "packages", fake_root / "packages", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    about = fake_root / "packages" / "flask-peewee-db" / "src" / "flask_peewee" / "db" / "__about__.py"
    about.write_text('__version__ = "99.0.0"\n')
    with pytest.raises(bai.CheckError) as info:
        bai.smoke(installed("db"), "db", root=fake_root)
    message = str(info.value)
    assert f"flask_peewee.db.__version__ is {bai.about_version('db')!r}, expected '99.0.0'" in message
    assert "expected 99.0.0 (the one built)" in message
