"""The interactive API reference (bundled Swagger UI) at ``/api/docs/``, on with ``FLASK_PEEWEE_REST_DOCS``."""

from __future__ import annotations

from flask_peewee.rest import RestAPI, UserAuthentication


def test_off_by_default_adds_no_route(app, client, auth, models):
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    assert not [rule for rule in app.url_map.iter_rules() if "docs" in rule.rule]
    response = client.get("/api/docs/")
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not found"}
    assert client.get("/api/docs/swagger-ui-bundle.js", follow_redirects=True).status_code == 404
    assert "docs" not in client.get("/api/").get_json()


def test_on_serves_the_page_and_its_bundled_files(app, client, auth, models):
    app.config["FLASK_PEEWEE_REST_DOCS"] = True
    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    assert client.get("/api/").get_json()["docs"] == "/api/docs/"
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'data-openapi="/api/openapi.json"' in html
    assert '<script src="/api/docs/swagger-ui-bundle.js">' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "<script>" not in html  # no inline script: the page's CSP forbids it
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for name, mimetype in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("flask-peewee-rest-docs.js", "text/javascript"),
        ("favicon-32x32.png", "image/png"),
    ]:
        response = client.get(f"/api/docs/{name}")
        assert response.status_code == 200, name
        assert response.mimetype == mimetype, name
        response.close()
    response = client.get("/api/docs/flask-peewee-rest-docs.js")
    init = response.get_data(as_text=True)
    response.close()
    assert 'request.credentials = "omit"' in init  # try-it-out never sends the session cookie
    assert "validatorUrl: null" in init  # nothing leaves the app
    response = client.get("/api/docs/LICENSE")
    license_text = response.get_data(as_text=True)
    response.close()
    assert "Apache License" in license_text
    for missing in ("index.html", "../_api.py", "..%2F_api.py", "swagger-ui.js", "package.json"):
        response = client.get(f"/api/docs/{missing}")
        assert response.status_code == 404, missing
        assert response.get_json() == {"error": "Not found"}
    # the resources stay where they were
    assert client.get("/api/note/").status_code == 200


def test_on_follows_the_prefix_given_to_init_app(app, client, models):
    app.config["FLASK_PEEWEE_REST_DOCS"] = True
    api = RestAPI(prefix="/v1", name="v1")
    api.register(models.Note)
    api.init_app(app, url_prefix="/service/v1/")
    assert client.get("/service/v1/docs/").status_code == 200
    assert client.get("/service/v1/").get_json()["docs"] == "/service/v1/docs/"
    assert 'data-openapi="/service/v1/openapi.json"' in client.get("/service/v1/docs/").get_data(as_text=True)


def test_the_page_title_is_the_apis_own_text(app, client, auth, models):
    app.config["FLASK_PEEWEE_REST_DOCS"] = True

    class Api(RestAPI):
        openapi_title = "Tweepee API"

    api = Api(app, default_auth=UserAuthentication(auth))
    api.register(models.Note)
    body = client.get("/api/docs/").get_data(as_text=True)
    assert "<title>Tweepee API</title>" in body
    assert "reference" not in body.lower()
