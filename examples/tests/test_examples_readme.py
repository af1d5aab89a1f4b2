"""What the READMEs promise about the demo holds: its URLs answer, its banner reads right, the
screenshot recipe runs with the demo's own virtualenv."""

import importlib.util
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
README = ROOT / "README.md"
EXAMPLES_README = ROOT / "examples" / "README.md"


def demo_paths():
    """The paths of the demo's URLs (http://127.0.0.1:5000/...) the root README shows."""
    return sorted(set(re.findall(r"http://127\.0\.0\.1:5000(/[^\s'`)]*)", README.read_text())))


def test_every_demo_url_of_the_readme_answers(admin_client):
    paths = demo_paths()

    answers = {path: admin_client.get(path).status_code for path in paths}

    assert {"/api/message/1/", "/api/openapi.json", "/admin/"} <= set(paths)
    assert {path: status for path, status in answers.items() if status != 200} == {}


def test_readme_names_the_api_urls_that_exist(client):
    text = README.read_text()
    openapi = client.get("/api/openapi.json")

    assert "`/api/openapi.json`" in text
    assert openapi.status_code == 200
    assert openapi.get_json()["openapi"].startswith("3.")
    assert "/api/message/" in openapi.get_json()["paths"]
    # The bare prefix is not an index (yet): the README must not send people there.
    if client.get("/api/").status_code == 404:
        assert "API at `/api/`" not in text
        assert "http://127.0.0.1:5000/api/ " not in text


def _run_demo():
    spec = importlib.util.spec_from_file_location("fp_run_demo", ROOT / "examples" / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_banner_reads_right():
    banner = _run_demo().banner("s3cret", 5000)

    lines = [line.strip() for line in banner.strip().splitlines()]
    assert lines[1] == "Log in at http://127.0.0.1:5000/accounts/login/ as admin / s3cret"
    assert all("  " not in line for line in lines)
    assert "http://127.0.0.1:8001/" in _run_demo().banner("x", 8001)


def test_screenshot_recipe_uses_the_demo_virtualenv_which_has_what_the_script_imports():
    text = EXAMPLES_README.read_text()
    recipe = [shlex.split(line.split("#")[0]) for line in re.findall(r"^\S+ examples/screenshots\.py.*$", text, re.M)]
    requirements = (ROOT / "examples" / "requirements.txt").read_text()
    dev = (ROOT / "dev.py").read_text()
    script = (ROOT / "examples" / "screenshots.py").read_text()

    assert recipe
    assert {command[0] for command in recipe} == {".dev/demo/bin/python"}
    assert "python3 dev.py demo" in text
    # dev.py demo installs the five packages and examples/requirements.txt into .dev/demo.
    assert re.search(r'_with_packages\("demo", ROOT / "examples" / "requirements.txt"\)', dev)
    assert "from playwright" in script
    assert re.search(r"^playwright==\S+", requirements, re.M)
    assert ".tox/" not in text.split("The admin README's screenshots", 1)[1]
