"""The example app works end to end through Flask's test client (what `python3 dev.py demo` serves)."""

import re


def _token(response):
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, "the page has a CSRF token"
    return match.group(1)


def _login(client, username, password):
    page = client.get("/accounts/login/")
    return client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrf_token": _token(page)},
    )


def test_public_pages_show_demo_data(example):
    main, _ = example
    client = main.app.test_client()
    home = client.get("/")
    assert home.status_code == 200
    assert "Hello, world!" in home.text
    assert "alice" in client.get("/users/").text
    detail = client.get("/users/bob/")
    assert "Anyone here running this on PostgreSQL?" in detail.text
    assert client.get("/users/nobody/").status_code == 404
    assert client.get("/public/?page=99").status_code == 404


def test_private_pages_need_login(example):
    main, _ = example
    client = main.app.test_client()
    response = client.get("/private/")
    assert response.status_code == 302
    assert "/accounts/login/?next=/private/" in response.headers["Location"]


def test_admin_logs_in_with_the_printed_password(example):
    main, password = example
    client = main.app.test_client()
    response = _login(client, "admin", password)
    assert response.status_code == 302
    timeline = client.get("/private/")
    assert timeline.status_code == 200
    assert "Admin, REST and auth in five small packages." in timeline.text  # admin follows carol


def test_join_post_follow_and_unfollow(example):
    main, _ = example
    client = main.app.test_client()
    page = client.get("/join/")
    response = client.post(
        "/join/", data={"username": "dave", "password": "s3cret-pass", "email": "", "csrf_token": _token(page)}
    )
    assert response.status_code == 302
    create = client.get("/create/")
    client.post("/create/", data={"content": "dave's first message", "csrf_token": _token(create)})
    assert "dave&#39;s first message" in client.get("/users/dave/").text

    alice = client.get("/users/alice/")
    assert "Follow" in alice.text
    client.post("/users/alice/follow/", data={"csrf_token": _token(alice)})
    timeline = client.get("/private/").text
    assert "peewee queries read like SQL, nice." in timeline
    assert "Unfollow" in client.get("/users/alice/").text
    client.post("/users/alice/unfollow/", data={"csrf_token": _token(alice)})
    assert "peewee queries read like SQL, nice." not in client.get("/private/").text


def test_forged_post_is_refused(example):
    main, _ = example
    client = main.app.test_client()
    page = client.get("/join/")
    assert _token(page)
    response = client.post(
        "/join/",
        data={"username": "mallory", "password": "x", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert not main.User.select().where(main.User.username == "mallory").exists()


def test_admin_dashboard_panels_and_message_admin(example):
    main, password = example
    client = main.app.test_client()
    _login(client, "admin", password)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Notes" in dashboard.text
    assert "New users this week" in dashboard.text
    messages = client.get("/admin/message/?ordering=-pub_date")
    assert messages.status_code == 200
    assert "Following alice for the tips." in messages.text
    searched = client.get("/admin/message/?q=postgresql")
    assert "Anyone here running this on PostgreSQL?" in searched.text
    assert "Hello, world!" not in searched.text
    users = client.get("/admin/user/")
    assert "carol" in users.text
    assert "$argon2" not in users.text
    assert "pbkdf2" not in users.text


def test_note_panel_posts_as_in_the_docs(example):
    main, password = example
    client = main.app.test_client()
    _login(client, "admin", password)
    response = client.post("/admin/notes/create/", data={"message": "keep an eye on spam", "next": "/admin/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert "keep an eye on spam" in client.get("/admin/").text
    away = client.post("/admin/notes/create/", data={"message": "x", "next": "https://evil.example/"})
    assert "evil.example" not in away.headers["Location"]


def test_non_admin_cannot_enter_the_admin(example):
    main, _ = example
    client = main.app.test_client()
    user = main.User.get(main.User.username == "bob")
    user.set_password("bob-password")
    user.save()
    _login(client, "bob", "bob-password")
    assert client.get("/admin/").status_code == 403


def _basic(username, password):
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_api_lists_messages_with_the_user_nested(example):
    main, _ = example
    client = main.app.test_client()
    response = client.get("/api/message/?user__username=bob&ordering=id")
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["model"] == "message"
    assert body["objects"][0]["content"] == "Hello, world!"
    assert body["objects"][0]["user"]["username"] == "bob"
    assert "password" not in body["objects"][0]["user"]
    assert "email" not in body["objects"][0]["user"]


def test_api_user_resource_needs_an_admin_for_writes_and_hides_secrets(example):
    main, password = example
    client = main.app.test_client()
    users = client.get("/api/user/").get_json()["objects"]
    assert {"username", "id"} <= set(users[0])
    assert all("password" not in u and "email" not in u for u in users)
    assert client.post("/api/user/", json={"username": "eve"}).status_code == 401
    bob = main.User.get(main.User.username == "bob")
    edited = client.put(f"/api/user/{bob.id}/", json={"email": "bob@new.example"}, headers=_basic("admin", password))
    assert edited.status_code == 200
    assert "email" not in edited.get_json()
    assert main.User.get_by_id(bob.id).email == "bob@new.example"


def test_api_message_owner_rules(example):
    main, _ = example
    carol = main.User.get(main.User.username == "carol")
    carol.set_password("carol-password")
    carol.save()
    client = main.app.test_client()
    auth = _basic("carol", "carol-password")
    created = client.post("/api/message/", json={"content": "hello api"}, headers=auth)
    assert created.status_code == 200
    message = created.get_json()
    assert message["content"] == "hello api"
    assert message["user"]["username"] == "carol"
    bobs = main.Message.select().join(main.User).where(main.User.username == "bob").first()
    forbidden = client.put(f"/api/message/{bobs.id}/", json={"content": "haxed you, bro"}, headers=auth)
    assert forbidden.status_code == 403
    assert main.Message.get_by_id(bobs.id).content != "haxed you, bro"
    own = client.put(f"/api/message/{message['id']}/", json={"content": "edited"}, headers=auth)
    assert own.status_code == 200
    assert own.get_json()["content"] == "edited"
