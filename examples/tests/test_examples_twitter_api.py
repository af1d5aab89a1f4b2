"""The example's REST API through Flask's test client: every resource, every verb, the OpenAPI document."""


def test_api_lists_messages_with_the_user_nested(client):
    response = client.get("/api/message/?user__username=bob&ordering=id")
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["model"] == "message"
    assert body["objects"][0]["content"] == "Hello, world!"
    assert body["objects"][0]["user"]["username"] == "bob"
    assert "password" not in body["objects"][0]["user"]
    assert "email" not in body["objects"][0]["user"]
    detail = client.get(f"/api/message/{body['objects'][0]['id']}/")
    assert detail.status_code == 200
    assert detail.get_json() == body["objects"][0]
    assert client.get("/api/message/999999/").get_json() == {"error": "Not found"}
    assert client.get("/api/message/?user__password=x").status_code == 400


def test_api_user_resource_needs_an_admin_for_writes_and_hides_secrets(example, client, basic_auth):
    main, password = example
    admin = basic_auth("admin", password)
    users = client.get("/api/user/").get_json()["objects"]
    assert {"username", "id"} <= set(users[0])
    assert all("password" not in u and "email" not in u for u in users)
    bob = main.User.get(main.User.username == "bob")
    detail = client.get(f"/api/user/{bob.id}/").get_json()
    assert detail["username"] == "bob"
    assert "email" not in detail
    assert client.post("/api/user/", json={"username": "eve"}).status_code == 401
    assert client.get("/api/user/").status_code == 200
    edited = client.put(f"/api/user/{bob.id}/", json={"email": "bob@new.example"}, headers=admin)
    assert edited.status_code == 200
    assert "email" not in edited.get_json()
    assert main.User.get_by_id(bob.id).email == "bob@new.example"


def test_api_user_create_edit_and_delete_by_an_admin(example, client, basic_auth, person):
    main, password = example
    admin = basic_auth("admin", password)
    plain, plain_password = person("plain")
    assert (
        client.post("/api/user/", json={"username": "gina"}, headers=basic_auth(plain.username, plain_password))
    ).status_code == 401  # a user, but not an admin
    missing = client.post("/api/user/", json={"username": "gina", "email": "g@example.com"}, headers=admin)
    assert missing.status_code == 422
    assert "password" in missing.get_json()["errors"]
    created = client.post(
        "/api/user/", json={"username": "gina", "email": "g@example.com", "password": "gina-pass"}, headers=admin
    )
    assert created.status_code == 200
    gina = created.get_json()
    assert gina["username"] == "gina"
    assert "password" not in gina
    with main.app.app_context():
        stored = main.User.get_by_id(gina["id"])
        assert stored.password != "gina-pass"
        assert stored.check_password("gina-pass")
    assert client.get("/api/message/", headers=basic_auth("gina", "gina-pass")).status_code == 200
    taken = client.post("/api/user/", json={"username": "gina", "email": "x", "password": "x"}, headers=admin)
    assert taken.status_code == 409

    renamed = client.patch(f"/api/user/{gina['id']}/", json={"username": "gina2"}, headers=admin)
    assert renamed.get_json()["username"] == "gina2"
    with main.app.app_context():
        assert main.User.get_by_id(gina["id"]).check_password("gina-pass")  # no password given: kept
    client.post("/api/message/", json={"content": "gina was here"}, headers=basic_auth("gina2", "gina-pass"))

    deleted = client.delete(f"/api/user/{gina['id']}/", headers=admin)
    assert deleted.status_code == 200
    assert deleted.get_json() == {"deleted": 1}
    assert client.get(f"/api/user/{gina['id']}/").status_code == 404
    with main.app.app_context():
        assert not main.Message.select().where(main.Message.content == "gina was here").exists()


def test_api_message_owner_rules(example, client, basic_auth, person):
    main, _ = example
    carol, carol_password = person("writer")
    auth = basic_auth(carol.username, carol_password)
    assert client.post("/api/message/", json={"content": "anonymous"}).status_code == 401
    created = client.post("/api/message/", json={"content": "hello api"}, headers=auth)
    assert created.status_code == 200
    message = created.get_json()
    assert message["content"] == "hello api"
    assert message["user"]["username"] == carol.username
    bobs = main.Message.select().join(main.User).where(main.User.username == "bob").first()
    forbidden = client.put(f"/api/message/{bobs.id}/", json={"content": "haxed you, bro"}, headers=auth)
    assert forbidden.status_code == 403
    assert main.Message.get_by_id(bobs.id).content != "haxed you, bro"
    assert client.delete(f"/api/message/{bobs.id}/", headers=auth).status_code == 403
    own = client.put(f"/api/message/{message['id']}/", json={"content": "edited"}, headers=auth)
    assert own.status_code == 200
    assert own.get_json()["content"] == "edited"
    assert client.get(f"/api/message/{message['id']}/").get_json()["content"] == "edited"
    invalid = client.post("/api/message/", data="{not json", content_type="application/json", headers=auth)
    assert invalid.status_code == 400
    gone = client.delete(f"/api/message/{message['id']}/", headers=auth)
    assert gone.get_json() == {"deleted": 1}
    assert client.get(f"/api/message/{message['id']}/").status_code == 404


def test_api_relationship_follow_and_unfollow(example, client, basic_auth, person, login):
    main, _ = example
    fan, fan_password = person("fan")
    star, _ = person("star")
    other, _ = person("other")
    auth = basic_auth(fan.username, fan_password)
    created = client.post("/api/relationship/", json={"to_user": star.id}, headers=auth)
    assert created.status_code == 200
    link = created.get_json()
    assert link["from_user"]["username"] == fan.username  # the owner is the logged-in user
    assert link["to_user"]["username"] == star.username
    assert "password" not in link["to_user"]
    listed = client.get(f"/api/relationship/?from_user__username={fan.username}").get_json()["objects"]
    assert [row["id"] for row in listed] == [link["id"]]
    assert client.get(f"/api/relationship/{link['id']}/").get_json() == link
    browser = main.app.test_client()
    login(browser, fan.username, fan_password)
    assert f">{star.username}</a>" in browser.get("/following/").text

    moved = client.put(f"/api/relationship/{link['id']}/", json={"to_user": other.id}, headers=auth)
    assert moved.get_json()["to_user"]["username"] == other.username
    duplicate = client.post("/api/relationship/", json={"to_user": other.id}, headers=auth)
    assert duplicate.status_code == 409

    someone_elses = main.Relationship.select().join(main.User, on=main.Relationship.from_user)
    someone_elses = someone_elses.where(main.User.username == "alice").get()
    assert client.delete(f"/api/relationship/{someone_elses.id}/", headers=auth).status_code == 403
    assert client.delete(f"/api/relationship/{link['id']}/", headers=auth).get_json() == {"deleted": 1}
    assert client.get(f"/api/relationship/?from_user__username={fan.username}").get_json()["objects"] == []


def test_api_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/message/",
        "/api/message/{pk}/",
        "/api/relationship/",
        "/api/relationship/{pk}/",
        "/api/user/",
        "/api/user/{pk}/",
    } <= set(document["paths"])
    assert {"get", "post"} <= set(document["paths"]["/api/message/"])
    assert '"password"' not in response.get_data(as_text=True)  # a sensitive field is never described


def test_api_index_and_explorer(client):
    index = client.get("/api/").get_json()
    assert index["openapi"] == "/api/openapi.json"
    assert index["docs"] == "/api/docs/"
    by_name = {entry["name"]: entry for entry in index["resources"]}
    assert set(by_name) == {"message", "relationship", "user"}
    assert by_name["message"]["url"] == "/api/message/"
    assert by_name["message"]["authentication"] == "basic"
    assert by_name["user"]["protected_methods"] == ["POST", "PUT", "PATCH", "DELETE"]
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert 'data-openapi="/api/openapi.json"' in page.get_data(as_text=True)
    document = client.get("/api/openapi.json").get_json()
    assert set(document["components"]["securitySchemes"]) == {"basicAuth"}


def test_api_message_writes_are_rate_limited_per_user_admins_are_not(example, client, basic_auth, person, monkeypatch):
    import flask_peewee.rest._ratelimit as ratelimit

    monkeypatch.setattr(ratelimit, "_now", lambda: 1_800_000_030.0)  # one window for the whole test
    main, password = example
    writer, writer_password = person("limited")
    auth = basic_auth(writer.username, writer_password)
    answers = [client.post("/api/message/", json={"content": f"note {n}"}, headers=auth) for n in range(31)]
    assert [answer.status_code for answer in answers] == [200] * 30 + [429]
    assert answers[0].headers["RateLimit-Limit"] == "30"
    assert answers[29].headers["RateLimit-Remaining"] == "0"
    refused = answers[30]
    assert refused.get_json() == {"error": "Too many requests"}
    assert refused.headers["Retry-After"] == "30"
    with main.app.app_context():
        assert main.Message.select().where(main.Message.user == writer.id).count() == 30
    assert client.get("/api/message/", headers=auth).status_code == 200  # reads are not limited
    admin = basic_auth("admin", password)
    assert all(
        client.post("/api/message/", json={"content": "admin note"}, headers=admin).status_code == 200
        for _ in range(31)
    )
    document = client.get("/api/openapi.json").get_json()
    assert document["paths"]["/api/message/"]["post"]["x-rate-limit"]["rate"] == "30/minute"
    with main.app.app_context():  # the other tests read the public timeline
        query = main.Message.delete().where((main.Message.user == writer.id) | (main.Message.content == "admin note"))
        assert query.execute() == 61
    main.db.database.close()
