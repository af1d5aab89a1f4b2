"""``flask fp migrate-check``: what an app written for the original flask-peewee needs to change.

It reads the app's Python files with :mod:`ast` and its templates as text, never importing
the app, and reports each place that must change (``change``: exit status 1) or deserves a
look (``look``), with what to write instead::

    $ flask fp migrate-check .
    app/admin.py:5: change: ...
    $ flask-peewee-migrate-check --format json src/    # the same without loading the app

Names are resolved against the flask-peewee packages installed here, so the report
follows what this environment provides. Higher layers add checks that need the app (auth
counts stored password-hash schemes) with :func:`register`.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import click

__all__ = ["Finding", "format_findings", "register", "run_registered", "scan"]

Severity = Literal["change", "look"]
_EXTENSION_KEY = "flask_peewee.db.migrate_checks"
_SKIP_DIRS = {".git", ".hg", ".tox", ".venv", "venv", "env", "node_modules", "__pycache__", "site-packages", ".dev"}
_TEMPLATE_SUFFIXES = {".html", ".htm", ".jinja", ".jinja2", ".j2", ".xml", ".txt"}

# Which distribution ships each module of the namespace.
_DISTRIBUTIONS = {
    "flask_peewee.db": "flask-peewee-db",
    "flask_peewee.exceptions": "flask-peewee-db",
    "flask_peewee.utils": "flask-peewee-utils",
    "flask_peewee.serializer": "flask-peewee-utils",
    "flask_peewee.auth": "flask-peewee-auth",
    "flask_peewee.admin": "flask-peewee-admin",
    "flask_peewee.filters": "flask-peewee-admin",
    "flask_peewee.forms": "flask-peewee-admin",
    "flask_peewee.rest": "flask-peewee-rest",
}
# Packages whose templates an app may extend or replace.
_TEMPLATE_PACKAGES = ("flask_peewee.auth", "flask_peewee.admin")
# Imports from outside flask-peewee that the original's docs used and today's libraries removed.
_REMOVED_IMPORTS = {
    ("flask", "Markup"): "from markupsafe import Markup (Flask 3 removed the re-export)",
    ("werkzeug", "secure_filename"): "from werkzeug.utils import secure_filename",
    ("flask", "_request_ctx_stack"): "flask.g or flask.request (Flask 3 removed the context stacks)",
    ("flask", "_app_ctx_stack"): "flask.g or flask.current_app (Flask 3 removed the context stacks)",
}


@dataclass(frozen=True)
class Finding:
    """One place in the app: ``change`` must be edited, ``look`` deserves a look."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


# -- Python sources -----------------------------------------------------------------------------


def _resolve(module_name: str) -> tuple[Any, str | None]:
    """Import one of our modules; ``(module, None)`` or ``(None, why not)``."""
    if module_name not in _DISTRIBUTIONS and not module_name.startswith(tuple(f"{m}." for m in _DISTRIBUTIONS)):
        return None, f"{module_name} is not a module of flask-peewee"
    try:
        return importlib.import_module(module_name), None
    except ImportError:
        top = ".".join(module_name.split(".")[:2])
        dist = _DISTRIBUTIONS.get(top, "flask-peewee-admin")
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None, f"{module_name} is not installed: pip install {dist}"
        return None, f"{module_name} is not in {dist} {version}: upgrade it (pip install -U {dist})"


def _is_submodule(module: str, name: str) -> bool:
    try:
        return importlib.util.find_spec(f"{module}.{name}") is not None
    except ImportError:  # ``module`` is a plain module, not a package
        return False


def _probe_subclass(base: type, name: str, methods: list[str], attributes: dict[str, Any]) -> str | None:
    """Create a throwaway subclass as the app's class would be; the refusal message, if any."""
    body: dict[str, Any] = {"__module__": "flask_peewee_migrate_check_probe", "__qualname__": name}
    body.update(attributes)
    for method in methods:
        body[method] = lambda self, *args, **kwargs: None
    try:
        type(name, (base,), body)
    except Exception as exc:  # any refusal at class creation is what the app would meet
        return f"{type(exc).__name__}: {exc}"
    return None


class _PythonScan(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.names: dict[str, str] = {}  # local name -> dotted origin ("flask_peewee.rest.RestResource")

    def add(self, node: ast.AST, severity: Severity, code: str, message: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), severity, code, message))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "flask_peewee" or alias.name.startswith("flask_peewee."):
                if alias.name != "flask_peewee":
                    _, problem = _resolve(alias.name)
                    if problem:
                        self.add(node, "change", "import", problem)
                self.names[(alias.asname or alias.name).split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            removed = _REMOVED_IMPORTS.get((module, alias.name))
            if removed:
                self.add(node, "change", "import", f"from {module} import {alias.name}: write {removed}")
        if node.level or not (module == "flask_peewee" or module.startswith("flask_peewee.")):
            return
        if module == "flask_peewee":  # from flask_peewee import admin, rest
            for alias in node.names:
                full = f"flask_peewee.{alias.name}"
                _, problem = _resolve(full)
                if problem:
                    self.add(node, "change", "import", problem)
                self.names[alias.asname or alias.name] = full
            return
        imported, problem = _resolve(module)
        if problem:
            self.add(node, "change", "import", problem)
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            if not hasattr(imported, alias.name) and not _is_submodule(module, alias.name):
                self.add(node, "change", "import", f"{module} has no name {alias.name}")
                continue
            self.names[alias.asname or alias.name] = f"{module}.{alias.name}"

    def _origin(self, expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return self.names.get(expr.id)
        if isinstance(expr, ast.Attribute):
            owner = self._origin(expr.value)
            return f"{owner}.{expr.attr}" if owner else None
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base_expr in node.bases:
            origin = self._origin(base_expr)
            if not origin or not origin.startswith("flask_peewee."):
                continue
            module_name, _, class_name = origin.rpartition(".")
            module, _problem = _resolve(module_name)  # an unresolved import is reported where it is
            base = getattr(module, class_name, None) if module else None
            if not isinstance(base, type):
                continue
            methods = [n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            attributes = {}
            for statement in node.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target = statement.targets[0]
                    if isinstance(target, ast.Name):  # literal settings only; others cannot be probed
                        with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                            attributes[target.id] = ast.literal_eval(statement.value)
            refusal = _probe_subclass(base, node.name, methods, attributes)
            if refusal:
                self.add(node, "change", "hook", f"class {node.name}({class_name}) is refused: {refusal}")
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name == "__unicode__":
            self.add(node, "look", "python3", "__unicode__ is never called on Python 3: name it __str__")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "related_name":
                self.add(
                    node,
                    "look",
                    "peewee",
                    "related_name= is peewee 2's spelling (a DeprecationWarning now): write backref=",
                )
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if callee == "url_for" and node.args and _constant(node.args[0]) == "auth.logout":
            self.add(
                node,
                "look",
                "logout",
                "url_for('auth.logout'): logging out is a POST now; a GET shows a confirm form. "
                "Post a form to it (with csrf_token) for a one-click logout",
            )
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        if any(_constant(key) == "threadlocals" for key in node.keys if key is not None):
            self.add(
                node, "look", "config", "'threadlocals' is ignored: peewee keeps a connection per thread; remove it"
            )
        self.generic_visit(node)


def _constant(node: ast.AST | None) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _scan_python(path: Path, shown: str) -> list[Finding]:
    try:
        tree = ast.parse(path.read_bytes(), filename=shown)
    except SyntaxError as exc:
        return [Finding(shown, exc.lineno or 0, "change", "syntax", f"not valid Python 3: {exc.msg}")]
    except ValueError as exc:  # NUL bytes
        return [Finding(shown, 0, "change", "syntax", f"not readable as Python: {exc}")]
    scan = _PythonScan(shown)
    scan.visit(tree)
    return scan.findings


# -- templates ---------------------------------------------------------------------------------

_EXTENDS = re.compile(r"""{%-?\s*extends\s+["']([^"']+)["']""")
_BLOCK = re.compile(r"{%-?\s*block\s+(\w+)")
_POST_FORM = re.compile(r"<form\b[^>]*\bmethod\s*=\s*[\"']?post", re.IGNORECASE)
_LIBRARY_ACTION = re.compile(r"auth\.log(?:in|out)|/log(?:in|out)/", re.IGNORECASE)
_LOGOUT_LINK = re.compile(
    r"""<a\b[^>]*\bhref\s*=\s*(?:"[^"]*(?:auth\.logout|/logout)[^"]*"|'[^']*(?:auth\.logout|/logout)[^']*')""",
    re.IGNORECASE,
)


def _our_templates() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in _TEMPLATE_PACKAGES:
        try:
            spec = importlib.util.find_spec(package)
        except ImportError:
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            root = Path(location) / "templates"
            for file in root.rglob("*.html") if root.is_dir() else ():
                found.setdefault(file.relative_to(root).as_posix(), file)
    return found


def _blocks(name: str, ours: dict[str, Path], seen: frozenset[str] = frozenset()) -> set[str]:
    """Block names of one of our templates, with those of the templates it extends."""
    if name not in ours or name in seen:
        return set()
    text = ours[name].read_text(encoding="utf-8")
    blocks = set(_BLOCK.findall(text))
    parent = _EXTENDS.search(text)
    if parent:
        blocks |= _blocks(parent.group(1), ours, seen | {name})
    return blocks


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _scan_template(path: Path, shown: str, name: str, ours: dict[str, Path]) -> list[Finding]:
    text = path.read_text(encoding="utf-8", errors="replace")
    findings = []
    parent = _EXTENDS.search(text)
    if parent and parent.group(1).startswith(("admin/", "auth/")):
        extended = parent.group(1)
        line = _line(text, parent.start())
        if extended not in ours:
            findings.append(
                Finding(shown, line, "change", "template", f"extends {extended}, which no installed package has")
            )
        else:
            known = _blocks(extended, ours)
            for block in _BLOCK.finditer(text):
                if block.group(1) not in known:
                    findings.append(
                        Finding(
                            shown,
                            _line(text, block.start()),
                            "change",
                            "template-block",
                            f"block {block.group(1)} is not in {extended} (its blocks: {', '.join(sorted(known))})",
                        )
                    )
    replaces_ours = name in ours
    for form in _POST_FORM.finditer(text):
        end = text.find("</form>", form.end())
        tag_end = text.find(">", form.start())
        tag, body = text[form.start() : tag_end + 1], text[form.end() : end if end != -1 else len(text)]
        # The library's own views (login, logout, the admin's forms) require the token; views an
        # app adds itself, admin panels included, are guarded by refusing cross-site posts instead.
        to_library = replaces_ours or _LIBRARY_ACTION.search(tag)
        if to_library and "csrf_token" not in body and "csrf_field" not in body:
            findings.append(
                Finding(
                    shown,
                    _line(text, form.start()),
                    "change",
                    "csrf",
                    "this form posts without a CSRF token and the library refuses it: add "
                    '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">',
                )
            )
    for link in _LOGOUT_LINK.finditer(text):
        findings.append(
            Finding(
                shown,
                _line(text, link.start()),
                "look",
                "logout",
                "a link to logout shows a confirm form now (logging out is a POST); "
                "for one click, post a form with csrf_token to it",
            )
        )
    return findings


# -- the walk -----------------------------------------------------------------------------------


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not (set(path.relative_to(root).parts[:-1]) & _SKIP_DIRS):
            yield path


def _template_name(path: Path) -> str | None:
    """The name Jinja would load ``path`` by: its path below the nearest ``templates`` folder."""
    parts = path.parts
    if "templates" not in parts or path.suffix not in _TEMPLATE_SUFFIXES:
        return None
    index = len(parts) - 1 - parts[::-1].index("templates")
    return "/".join(parts[index + 1 :])


def scan(root: str | Path) -> list[Finding]:
    """Every finding for the Python files and templates under ``root`` (a folder or one file)."""
    root = Path(root)
    base = root if root.is_dir() else root.parent
    ours = _our_templates()
    findings: list[Finding] = []
    for path in _files(root):
        shown = path.relative_to(base).as_posix() if path != base else path.name
        if path.suffix == ".py":
            findings += _scan_python(path, shown)
        else:
            name = _template_name(path.relative_to(base) if root.is_dir() else path)
            if name is not None:
                findings += _scan_template(path, shown, name, ours)
    return findings


def register(app: Any, check: Callable[[], Iterable[Finding]]) -> None:
    """Add a check that needs the app (run by ``flask fp migrate-check`` inside its app context)."""
    app.extensions.setdefault(_EXTENSION_KEY, []).append(check)


def run_registered(app: Any) -> list[Finding]:
    """The findings of the checks registered on ``app``."""
    findings: list[Finding] = []
    for check in app.extensions.get(_EXTENSION_KEY, []):
        findings += list(check())
    return findings


def format_findings(findings: list[Finding], output: str = "text") -> str:
    """The report: one line per finding and a summary, or JSON (``{"findings": [...], "change": N}``)."""
    ordered = sorted(findings, key=lambda f: (f.path, f.line, f.severity, f.message))
    changes = sum(1 for f in ordered if f.severity == "change")
    if output == "json":
        return json.dumps({"findings": [asdict(f) for f in ordered], "change": changes, "look": len(ordered) - changes})
    lines = [str(f) for f in ordered]
    looks = len(ordered) - changes
    lines.append(f"{changes} to change, {looks} to look at" if ordered else "nothing to change")
    return "\n".join(lines)


def _report(findings: list[Finding], output: str) -> None:
    click.echo(format_findings(findings, output))
    if any(f.severity == "change" for f in findings):
        raise SystemExit(1)


def add_command(group: click.Group, default_root: Callable[[], str]) -> None:
    """Add ``migrate-check`` to the ``fp`` group (``default_root`` gives the app's folder)."""

    @group.command("migrate-check")
    @click.argument("path", required=False, type=click.Path(exists=True))
    @click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def migrate_check(path: str | None, output: str) -> None:
        """Report what an app written for the original flask-peewee must change (exit 1 if anything must)."""
        from flask import current_app

        findings = scan(path or default_root())
        findings += run_registered(current_app)
        _report(findings, output)


@click.command("flask-peewee-migrate-check")
@click.argument("path", required=False, default=".", type=click.Path(exists=True))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def main(path: str, output: str) -> None:
    """Report what an app written for the original flask-peewee must change, without loading the app."""
    _report(scan(path), output)
