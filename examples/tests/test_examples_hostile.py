"""Hostile input on every route of the example app (pages, admin, API): a clear status, never a 500.

Each hostile value goes into one place at a time, with everything else valid, so that it
reaches as deep as a real request would: one URL argument (the others name real rows), one
query parameter, one form field (the others as the edit page fills them in). The API gets
broken bodies. The ``examples-postgres`` tox env runs this file on PostgreSQL too, which
refuses what SQLite takes (a NUL character in text, an integer past 64 bits).
"""

import io
import json
import re
import secrets

import pytest
from PIL import Image

pytestmark = pytest.mark.usefixtures("leaves_no_rows")

HUGE = "99999999999999999999"  # past 64 bits
KEYS = ["0", "-1", "abc", HUGE, "1.5", "%00", "%E9", "x" * 500]
PARAMS = [
    "page=-1",
    f"page={HUGE}",
    "limit=abc",
    "ordering=password",
    "ordering=--id",
    "user__password__like=a%25",
    "id__in=,,",
    "id__is=maybe",
    f"id={HUGE}",
    "pub_date__gt=zzz",
    "content__like=%00",
    "content=a%00b",
    "content__regexp=(a%2B)%2B",
    "q=%00",
    "field=password&query=a&page=-1",
    "cursor=garbage",
    "fields=password&format=xml",
    "next=//evil.example",
]
FORM_VALUES = ["", "abc", HUGE, "-1", "\x00", "x" * 3000, "2020-13-45"]
BODIES = [
    b"",
    b"{",
    b"[]",
    b"null",
    b'{"id": "abc"}',
    b'{"user": "' + HUGE.encode() + b'"}',
    b'{"content": "a\\u0000b"}',
]


def _no_server_error(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    # Read a streamed body (an export) to its end and close it now: left to the garbage
    # collector, its generator would tear its request down in the middle of a later one.
    response.get_data()
    response.close()


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
OWNER = re.compile(r"^/(?:admin|api)/(\w+)/")


def _own_rows(main, person):
    """One row per model for this test alone, so that edits leave the other tests' rows alone."""
    user, _ = person("hostile")
    other, _ = person("hostile")
    with main.app.app_context():
        rows = {
            "user": user,
            "message": main.Message.create(user=user, content="hostile target"),
            "relationship": main.Relationship.create(from_user=user, to_user=other),
            "note": main.Note.create(user=user, message="hostile target"),
            "group": main.auth.create_group(f"hostile-{user.username}"),
        }
        field = main.User.avatar  # an avatar of its own, for the admin's and the API's file views
        image = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(image, "PNG")
        user.avatar = f"{field.get_prefix()}/hostile-{secrets.token_hex(8)}.png"
        field.get_storage().save(user.avatar, image.getvalue())
        user.save()
    with main.app.test_request_context():  # the mailed links of the account views, for their <token>
        links = {
            "auth.confirm_signup": main.auth.confirm_signup_url,
            "auth.reset_password": main.auth.reset_password_url,
        }
        rows["tokens"] = {endpoint: link(user).rstrip("/").rsplit("/", 1)[1] for endpoint, link in links.items()}
    main.db.database.close()
    return rows


def _valid_arguments(rule, rows):
    """A value for each argument of ``rule`` that names one of ``rows`` (so the view goes all the way)."""
    values = {}
    for name in rule.arguments:
        if name == "username":
            values[name] = rows["user"].username
        elif name == "resource":
            values[name] = "message"
        elif name == "filename":  # the explorer's bundled files, else the app's static folder
            values[name] = "swagger-ui.css" if rule.rule.endswith("/docs/<path:filename>") else "style.css"
        elif name == "path":  # the API's catch-all for custom endpoints; this one names a real page
            values[name] = "openapi.json"
        elif name == "token":  # a signed link of the account views (sign-up confirmation, password reset)
            values[name] = rows["tokens"][rule.endpoint]
        elif name == "group_id":  # the admin's groups panel
            values[name] = str(rows["group"].id)
        elif name == "user_id":
            values[name] = str(rows["user"].id)
        elif name == "field":  # the file views of the admin and the API: the user's avatar
            values[name] = "avatar"
        elif name == "name":
            values[name] = rows["user"].avatar
    if "pk" in rule.arguments:
        owner = values.get("resource") or OWNER.match(rule.rule).group(1)
        values["pk"] = str(rows[owner].id)
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no valid value known for {sorted(missing)} of {rule.rule}: teach _valid_arguments"
    return values


def _build(rule, values):
    return ARGUMENT.sub(lambda m: values[m.group(1)], rule.rule)


def _urls(app, rows):
    """``(url, kind)``: each GET route as it is ("plain") or with valid arguments ("valid"), then with one
    hostile argument at a time ("hostile")."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        valid = _valid_arguments(rule, rows)
        yield _build(rule, valid), ("valid" if rule.arguments else "plain")
        for name in rule.arguments:
            for key in KEYS:
                yield _build(rule, {**valid, name: key}), "hostile"


def test_get_routes_with_hostile_keys_and_parameters(example, admin_client, person):
    main, _ = example
    rows = _own_rows(main, person)
    reached = 0
    for url, kind in _urls(main.app, rows):
        response = admin_client.get(url)
        _no_server_error(response, url)
        if kind == "valid":  # the valid arguments really name rows, so the parameters reach the query
            reached += 1
            assert response.status_code < 400, f"{url} with valid arguments answers {response.status_code}"
        if kind != "hostile":
            for params in PARAMS:
                _no_server_error(admin_client.get(f"{url}?{params}"), f"{url}?{params}")
    assert reached >= 10  # the user page, each model's edit and history pages, the API's detail


def _vary_each_field(client, url, valid, what):
    """POST ``valid`` to ``url`` once per field and hostile value, the other fields kept valid."""
    names = sorted(set(valid) - {"csrf_token"})
    assert names, f"{what} has fields"
    for name in names:
        for value in FORM_VALUES:
            response = client.post(url, data={**valid, name: value})
            _no_server_error(response, f"POST {url} {name}={value[:20]!r}")


FIRST_FIELD = {"message": "content", "relationship": "from_user", "note": "message", "user": "username"}


@pytest.mark.parametrize("model", sorted(FIRST_FIELD))
def test_admin_forms_with_hostile_values(example, admin_client, form, person, model):
    main, _ = example
    target = f"/admin/{model}/{_own_rows(main, person)[model].id}/"
    edit = admin_client.get(target)
    valid = form(edit, FIRST_FIELD[model])  # the edit form as the page fills it in (not the logout form)
    csrf = valid["csrf_token"]
    for url in (f"/admin/{model}/add/", target, f"/admin/{model}/{HUGE}/"):
        _vary_each_field(admin_client, url, valid, f"the {model} form")
    for value in FORM_VALUES:
        for url, data in (
            (f"/admin/{model}/action/", {"action": "delete", "id": [value, HUGE]}),
            (f"/admin/{model}/action/", {"action": value, "id": "1"}),
            (f"/admin/{model}/delete/", {"id": [value, HUGE]}),
            (f"/admin/{model}/export/", {"fields": value, "format": value}),
        ):
            _no_server_error(admin_client.post(url, data={"csrf_token": csrf, **data}), f"POST {url} {value[:20]!r}")


def test_site_and_panel_forms_with_hostile_values(example, admin_client, form, token):
    main, _ = example
    dashboard = admin_client.get("/admin/")
    _vary_each_field(admin_client, "/admin/notes/create/", form(dashboard, "message"), "the note panel")
    create = admin_client.get("/create/")
    _vary_each_field(admin_client, "/create/", form(create, "content"), "the message form")
    visitor = main.app.test_client()
    join = visitor.get("/join/")
    valid = {
        "username": "hostile-joiner",
        "email": "j@example.com",
        "password": "a password",
        "csrf_token": token(join),
    }
    for name in ("username", "email", "password"):
        for value in FORM_VALUES:
            response = main.app.test_client().post("/join/", data={**valid, name: value})
            _no_server_error(response, f"POST /join/ {name}={value[:20]!r}")


def test_api_writes_with_broken_bodies(example, basic_auth, person):
    main, password = example
    rows = _own_rows(main, person)
    client = main.app.test_client()
    headers = basic_auth("admin", password)
    for resource in ("message", "user", "relationship"):
        own = rows[resource].id
        for body in BODIES:
            for content_type in ("application/json", "text/plain"):
                for method, url in (
                    ("post", f"/api/{resource}/"),
                    ("put", f"/api/{resource}/{own}/"),
                    ("patch", f"/api/{resource}/{HUGE}/"),
                    ("delete", f"/api/{resource}/abc/"),
                ):
                    response = getattr(client, method)(
                        url, data=body, headers={**headers, "Content-Type": content_type}
                    )
                    _no_server_error(response, f"{method.upper()} {url} {body[:30]!r}")
                    assert response.is_json, f"{method.upper()} {url} answers JSON"


def test_api_writes_with_one_hostile_field_at_a_time(example, basic_auth, person):
    main, password = example
    rows = _own_rows(main, person)
    client = main.app.test_client()
    headers = basic_auth("admin", password)
    valid = {
        "message": {"content": "hostile api", "user": rows["user"].id},
        "relationship": {"from_user": rows["user"].id, "to_user": rows["user"].id},
        "user": {"username": "hostile-api", "email": "h@example.com", "password": "a password"},
    }
    values = ["", "a\x00b", HUGE, -1, None, True, [], {}, "x" * 3000, "2020-13-45"]
    for resource, fields in valid.items():
        own = rows[resource].id
        for name in fields:
            for value in values:
                body = json.dumps({**fields, name: value})
                for method, url in (("post", f"/api/{resource}/"), ("put", f"/api/{resource}/{own}/")):
                    response = getattr(client, method)(url, data=body, headers=headers)
                    _no_server_error(response, f"{method.upper()} {url} {name}={value!r:.20}")
