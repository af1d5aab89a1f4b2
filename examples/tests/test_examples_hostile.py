"""Hostile input on every route of the example app (pages, admin, API): a clear status, never a 500.

Each GET route gets odd keys in its URL and odd query parameters; each admin form gets odd
values in every field; the API gets broken bodies. On PostgreSQL (``DATABASE_URL``) this
also covers what only a server refuses, such as a NUL character in text.
"""

import re

import pytest

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


def _urls(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        if not rule.arguments:
            yield rule.rule, True
            continue
        for key in KEYS:
            yield re.sub(r"<[^>]+>", key, rule.rule), False
        yield re.sub(r"<[^>]+>", "1", rule.rule), True


def test_get_routes_with_hostile_keys_and_parameters(example, admin_client):
    main, _ = example
    for url, with_params in _urls(main.app):
        _no_server_error(admin_client.get(url), url)
        for params in PARAMS if with_params else ():
            _no_server_error(admin_client.get(f"{url}?{params}"), f"{url}?{params}")


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
        }
    main.db.database.close()
    return rows


@pytest.mark.parametrize("model", ["message", "relationship", "note", "user"])
def test_admin_forms_with_hostile_values(example, admin_client, token, person, model):
    main, _ = example
    target = f"/admin/{model}/{_own_rows(main, person)[model].id}/"
    add = admin_client.get(f"/admin/{model}/add/")
    csrf = token(add)
    names = sorted(set(re.findall(r'<(?:input|textarea|select)[^>]* name="([^"]+)"', add.text)) - {"csrf_token"})
    assert names, f"the {model} add form has fields"
    for value in FORM_VALUES:
        for name in names:
            data = {"csrf_token": csrf, **dict.fromkeys(names, "1"), name: value}
            for url in (f"/admin/{model}/add/", target, f"/admin/{model}/{HUGE}/"):
                _no_server_error(admin_client.post(url, data=data), f"POST {url} {name}={value[:20]!r}")
        for url, data in (
            (f"/admin/{model}/action/", {"action": "delete", "id": [value, HUGE]}),
            (f"/admin/{model}/action/", {"action": value, "id": "1"}),
            (f"/admin/{model}/delete/", {"id": [value, HUGE]}),
            (f"/admin/{model}/export/", {"fields": value, "format": value}),
        ):
            _no_server_error(admin_client.post(url, data={"csrf_token": csrf, **data}), f"POST {url} {value[:20]!r}")


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
