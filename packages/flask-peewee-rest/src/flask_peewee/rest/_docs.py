"""The interactive API reference (Swagger UI, bundled) at ``<prefix>/docs/``, on with ``FLASK_PEEWEE_REST_DOCS``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response, send_from_directory, url_for
from markupsafe import escape

from flask_peewee.rest._errors import json_response

if TYPE_CHECKING:
    from flask_peewee.rest._api import RestAPI

__all__ = ["add_docs_routes", "docs_endpoint"]

STATIC = Path(__file__).parent / "static"
#: the files of the npm package ``swagger-ui-dist`` (version in its package.json) served by the explorer
SWAGGER_FILES = frozenset(
    {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "favicon-32x32.png",
        "favicon-16x16.png",
        "LICENSE",
        "NOTICE",
        "swagger-ui-bundle.js.LICENSE.txt",
    }
)
_OWN_FILES = frozenset({"flask-peewee-rest-docs.js"})
# no inline script; Swagger UI sets style attributes and shows data: images
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'"
)
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" href="{icon}" sizes="32x32">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def docs_endpoint(api: RestAPI) -> str:
    """The app endpoint of ``api``'s explorer page."""
    return f"{api.name}_docs"


def add_docs_routes(api: RestAPI, app: Flask, prefix: str) -> None:
    """Serve ``api``'s explorer on ``app`` at ``<prefix>/docs/`` (its files below it)."""
    page = docs_endpoint(api)
    files = f"{api.name}_docs_file"

    def docs_page() -> Response:
        def asset(name: str) -> str:
            return url_for(files, filename=name)

        html = _PAGE.format(
            title=escape(api.openapi_title),
            css=escape(asset("swagger-ui.css")),
            icon=escape(asset("favicon-32x32.png")),
            openapi=escape(url_for(f"{api.blueprint.name}.openapi")),
            bundle=escape(asset("swagger-ui-bundle.js")),
            init=escape(asset("flask-peewee-rest-docs.js")),
        )
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def docs_file(filename: str) -> Response:
        if filename in SWAGGER_FILES:
            response = send_from_directory(STATIC / "swagger-ui", filename, max_age=3600)
        elif filename in _OWN_FILES:
            response = send_from_directory(STATIC, filename, max_age=3600)
        else:
            return json_response({"error": "Not found"}, 404)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.add_url_rule(f"{prefix}/docs/", page, docs_page, methods=["GET"])
    app.add_url_rule(f"{prefix}/docs/<path:filename>", files, docs_file, methods=["GET"])
