"""The example holds one rule per value, whichever way it comes in: the site, the admin panel or the API."""

import json

import pytest

pytestmark = pytest.mark.usefixtures("leaves_no_rows")


def test_api_refuses_a_message_longer_than_the_site_takes(example, client, basic_auth, person):
    main, _ = example
    user, password = person("limits")
    headers = basic_auth(user.username, password)
    too_long = json.dumps({"content": "x" * 1001, "user": user.id})
    response = client.post("/api/message/", data=too_long, headers=headers)
    assert response.status_code == 422
    assert "content" in response.get_json()["errors"]
    with main.app.app_context():
        assert not main.Message.select().where(main.Message.user == user).exists()
    fits = client.post("/api/message/", data=json.dumps({"content": "x" * 1000, "user": user.id}), headers=headers)
    assert fits.status_code == 200
    edited = client.put(
        f"/api/message/{fits.get_json()['id']}/", data=json.dumps({"content": "y" * 900_000}), headers=headers
    )
    assert edited.status_code == 422
    with main.app.app_context():
        assert main.Message.get_by_id(fits.get_json()["id"]).content == "x" * 1000


def test_join_refuses_a_password_the_login_form_would_refuse(example, client, token, login):
    main, _ = example
    page = client.get("/join/")
    for password in ("tab\there", "line\nbreak", "x" * 1025):
        response = client.post(
            "/join/", data={"username": "tabby", "password": password, "email": "", "csrf_token": token(page)}
        )
        assert response.status_code == 200
        assert "Choose a password of printable characters" in response.text
    with main.app.app_context():
        assert not main.User.select().where(main.User.username == "tabby").exists()
    joined = client.post(
        "/join/", data={"username": "tabby", "password": "no tabs here", "email": "", "csrf_token": token(page)}
    )
    assert joined.status_code == 302
    other = main.app.test_client()
    assert login(other, "tabby", "no tabs here").status_code == 302


def test_note_panel_refuses_a_nul_character_and_caps_the_length(example, admin_client):
    main, _ = example
    refused = admin_client.post("/admin/notes/create/", data={"message": "nul\x00note"})
    assert refused.status_code == 400  # the admin refuses NUL in any panel form: never a 500
    response = admin_client.post("/admin/notes/create/", data={"message": "long note " + "z" * 2000})
    assert response.status_code == 302
    with main.app.app_context():
        assert not main.Note.select().where(main.Note.message.startswith("nul")).exists()
        note = main.Note.get(main.Note.message.startswith("long note "))
    assert len(note.message) == 1000
