"""The example's admin through Flask's test client: dashboard, panels, and every model admin."""

import csv
import io


def test_admin_dashboard_panels_and_message_admin(admin_client):
    dashboard = admin_client.get("/admin/")
    assert dashboard.status_code == 200
    for model in ("User", "Relationship", "Message", "Note"):
        assert f">{model}<" in dashboard.text
    assert "Notes" in dashboard.text
    assert "New users this week" in dashboard.text
    assert "Messages this week" in dashboard.text
    messages = admin_client.get("/admin/message/?ordering=-pub_date")
    assert messages.status_code == 200
    assert "Following alice for the tips." in messages.text
    searched = admin_client.get("/admin/message/?q=postgresql")
    assert "Anyone here running this on PostgreSQL?" in searched.text
    assert "Hello, world!" not in searched.text
    filtered = admin_client.get("/admin/message/?user__username=carol")
    assert "Following alice for the tips." in filtered.text
    assert "Hello, world!" not in filtered.text
    users = admin_client.get("/admin/user/")
    assert "carol" in users.text
    assert "$argon2" not in users.text
    assert "pbkdf2" not in users.text


def test_user_stats_panel_counts_this_week(example, admin_client, person):
    main, _ = example
    before = admin_client.get("/admin/").text
    count = int(before.split("New users this week: <strong>")[1].split("<")[0])
    person("newcomer")
    after = admin_client.get("/admin/").text
    assert f"New users this week: <strong>{count + 1}</strong>" in after
    with main.app.app_context():
        assert main.User.select().count() >= count + 1


def test_note_panel_posts_as_in_the_docs(example, admin_client):
    main, _ = example
    dashboard = admin_client.get("/admin/")
    assert 'action="/admin/notes/create/"' in dashboard.text
    response = admin_client.post("/admin/notes/create/", data={"message": "keep an eye on spam", "next": "/admin/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert "admin: keep an eye on spam" in admin_client.get("/admin/").text
    with main.app.app_context():
        note = main.Note.get(main.Note.message == "keep an eye on spam")
        assert note.user.username == "admin"
    away = admin_client.post("/admin/notes/create/", data={"message": "x", "next": "https://evil.example/"})
    assert "evil.example" not in away.headers["Location"]
    cross_site = admin_client.post(
        "/admin/notes/create/", data={"message": "from elsewhere"}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site.status_code in (400, 403)
    with main.app.app_context():
        assert not main.Note.select().where(main.Note.message == "from elsewhere").exists()


def test_non_admin_cannot_enter_the_admin(client, login, person):
    user, password = person("plain")
    login(client, user.username, password)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/message/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/message/")
    assert response.status_code == 302
    assert "/accounts/login/?next=/admin/message/" in response.headers["Location"]


def test_message_admin_add_edit_lookup_history_and_delete(example, admin_client, form, person):
    main, _ = example
    author, _ = person("author")
    lookup = admin_client.get(f"/admin/message/lookup/?field=user&query={author.username[:-1]}").get_json()
    assert {"id": author.id, "label": author.username} in lookup["objects"]

    page = admin_client.get("/admin/message/add/")
    assert page.status_code == 200
    data = form(page, "content")
    data.update(content="added in the admin", user=str(author.id))
    response = admin_client.post("/admin/message/add/", data=data)
    assert response.status_code == 302
    with main.app.app_context():
        message = main.Message.get(main.Message.content == "added in the admin")
        assert message.user_id == author.id
    assert "added in the admin" in admin_client.get(f"/admin/message/?user__username={author.username}").text
    assert "added in the admin" in admin_client.get(f"/users/{author.username}/").text

    url = f"/admin/message/{message.id}/"
    edit = admin_client.get(url)
    assert edit.status_code == 200
    data = form(edit, "content")
    assert data["content"] == "added in the admin"
    assert data["user"] == str(author.id)
    data.update(content="edited in the admin", _continue="")
    saved = admin_client.post(url, data=data)
    assert saved.status_code == 302
    assert saved.headers["Location"] == url
    assert "was saved." in admin_client.get(url).text
    assert "edited in the admin" in admin_client.get("/public/").text

    bad = form(admin_client.get(url), "content")
    bad.update(content="", user="999999")
    refused = admin_client.post(url, data=bad)
    assert refused.status_code == 200
    assert "Please correct the errors below." in refused.text

    history = admin_client.get(f"{url}history/")
    assert history.status_code == 200
    assert "add" in history.text
    assert "change" in history.text
    assert "edited in the admin" in admin_client.get("/admin/audit-log/").text

    confirm = admin_client.get(f"/admin/message/delete/?id={message.id}")
    assert "Delete 1 message?" in confirm.text
    deleted = admin_client.post("/admin/message/delete/", data=form(confirm, "id"))
    assert deleted.status_code == 302
    with main.app.app_context():
        assert not main.Message.select().where(main.Message.id == message.id).exists()
    assert admin_client.get(url).status_code == 404


def test_message_admin_export(admin_client):
    page = admin_client.get("/admin/message/export/")
    assert page.status_code == 200
    assert 'value="user__username"' in page.text
    response = admin_client.get(
        "/admin/message/export/?_format=csv&_fields=content&_fields=user__username&user__username=bob&ordering=id"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="message.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["content", "user__username"]
    assert rows[1] == ["Hello, world!", "bob"]
    assert {row[1] for row in rows[1:]} == {"bob"}
    as_json = admin_client.get("/admin/message/export/?_format=json&_fields=content&user__username=carol")
    assert {"content": "Following alice for the tips."} in as_json.get_json()


def test_user_admin_add_edit_and_delete(example, admin_client, client, form, login):
    main, _ = example
    page = admin_client.get("/admin/user/add/")
    data = form(page, "username")
    assert data["password"] == ""  # the password input is always rendered empty
    data.update(username="frank", password="frank-pass", email="frank@example.com")
    assert admin_client.post("/admin/user/add/", data=data).status_code == 302
    with main.app.app_context():
        frank = main.User.get(main.User.username == "frank")
        assert frank.password != "frank-pass"
        assert frank.check_password("frank-pass")
        stored = frank.password

    url = f"/admin/user/{frank.id}/"
    edit = admin_client.get(url)
    assert "frank-pass" not in edit.text
    assert stored not in edit.text
    data = form(edit, "username")
    data.update(email="frank@new.example")  # password left blank: kept
    assert admin_client.post(url, data=data).status_code == 302
    with main.app.app_context():
        assert main.User.get_by_id(frank.id).email == "frank@new.example"
        assert main.User.get_by_id(frank.id).password == stored
    other = main.app.test_client()
    assert login(other, "frank", "frank-pass").status_code == 302

    data = form(admin_client.get(url), "username")
    data.update(password="frank-new-pass")
    assert admin_client.post(url, data=data).status_code == 302
    assert login(main.app.test_client(), "frank", "frank-pass").status_code == 200  # the old one is refused
    assert login(main.app.test_client(), "frank", "frank-new-pass").status_code == 302

    confirm = admin_client.get(f"/admin/user/delete/?id={frank.id}")
    assert confirm.status_code == 200
    assert admin_client.post("/admin/user/delete/", data=form(confirm, "id")).status_code == 302
    with main.app.app_context():
        assert not main.User.select().where(main.User.username == "frank").exists()


def test_relationship_admin_add_edit_and_delete(example, admin_client, form, person):
    main, _ = example
    one, _ = person("one")
    two, _ = person("two")
    three, _ = person("three")
    data = form(admin_client.get("/admin/relationship/add/"), "from_user")
    data.update(from_user=str(one.id), to_user=str(two.id))
    assert admin_client.post("/admin/relationship/add/", data=data).status_code == 302
    with main.app.app_context():
        link = main.Relationship.get(main.Relationship.from_user == one.id)
        assert link.to_user_id == two.id
    listing = admin_client.get(f"/admin/relationship/?from_user__username={one.username}")
    assert two.username in listing.text

    url = f"/admin/relationship/{link.id}/"
    data = form(admin_client.get(url), "to_user")
    data.update(to_user=str(three.id))
    assert admin_client.post(url, data=data).status_code == 302
    with main.app.app_context():
        assert main.Relationship.get_by_id(link.id).to_user_id == three.id

    duplicate = form(admin_client.get("/admin/relationship/add/"), "from_user")
    duplicate.update(from_user=str(one.id), to_user=str(three.id))
    again = admin_client.post("/admin/relationship/add/", data=duplicate)
    assert again.status_code == 200  # the unique index refuses it; the form is shown again
    with main.app.app_context():
        assert main.Relationship.select().where(main.Relationship.from_user == one.id).count() == 1

    confirm = admin_client.get(f"/admin/relationship/delete/?id={link.id}")
    assert f"{one.username} follows {three.username}" in confirm.text
    assert admin_client.post("/admin/relationship/delete/", data=form(confirm, "id")).status_code == 302
    with main.app.app_context():
        assert not main.Relationship.select().where(main.Relationship.id == link.id).exists()


def test_note_admin_add_edit_and_delete(example, admin_client, form):
    main, _ = example
    with main.app.app_context():
        admin_id = main.User.get(main.User.username == "admin").id
    data = form(admin_client.get("/admin/note/add/"), "message")
    data.update(message="a note from the note admin", user=str(admin_id))
    assert admin_client.post("/admin/note/add/", data=data).status_code == 302
    with main.app.app_context():
        note = main.Note.get(main.Note.message == "a note from the note admin")
    assert "a note from the note admin" in admin_client.get("/admin/note/").text

    url = f"/admin/note/{note.id}/"
    data = form(admin_client.get(url), "message")
    data.update(message="a note, edited")
    assert admin_client.post(url, data=data).status_code == 302
    assert "a note, edited" in admin_client.get("/admin/note/").text

    confirm = admin_client.get(f"/admin/note/delete/?id={note.id}")
    assert admin_client.post("/admin/note/delete/", data=form(confirm, "id")).status_code == 302
    assert "a note, edited" not in admin_client.get("/admin/note/").text


def test_admin_forms_without_a_token_are_refused(example, admin_client):
    main, _ = example
    with main.app.app_context():
        message = main.Message.select().first()
    response = admin_client.post(f"/admin/message/{message.id}/", data={"content": "forged", "user": message.user_id})
    assert response.status_code == 400
    with main.app.app_context():
        assert main.Message.get_by_id(message.id).content != "forged"
