"""The example's own pages through Flask's test client (what `python3 dev.py demo` serves)."""

import datetime


def test_public_pages_show_demo_data(client):
    home = client.get("/")
    assert home.status_code == 200
    assert "Public timeline" in home.text
    assert "Hello, world!" in home.text
    assert "Hello, world!" in client.get("/public/").text
    assert "alice" in client.get("/users/").text
    detail = client.get("/users/bob/")
    assert "Anyone here running this on PostgreSQL?" in detail.text
    assert "Follow" not in detail.text  # anonymous visitors get no follow button
    assert client.get("/users/nobody/").status_code == 404
    assert client.get("/public/?page=99").status_code == 404
    assert client.get("/public/?page=abc").status_code == 200  # not a number: page 1
    with client.get("/static/style.css") as css:
        assert css.status_code == 200
        assert ".message" in css.text


def test_private_pages_need_login(client):
    for url in ("/private/", "/create/", "/following/", "/followers/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert f"/accounts/login/?next={url}" in response.headers["Location"]
    assert client.post("/users/alice/follow/").status_code == 400  # no form token: refused before anything else
    assert client.get("/users/alice/follow/").status_code == 405


def test_login_with_a_wrong_password_shows_the_form_again(client, login):
    response = login(client, "admin", "not the password")
    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert "Public timeline" in client.get("/").text  # still anonymous


def test_admin_logs_in_with_the_printed_password_and_logs_out(example, client, login, token):
    _, password = example
    page = client.get("/accounts/login/?next=/following/")
    assert 'name="username"' in page.text
    response = client.post(
        "/accounts/login/?next=/following/",
        data={"username": "admin", "password": password, "csrf_token": token(page), "next": "/following/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/following/")
    home = client.get("/")
    assert "Your timeline" in home.text  # the homepage is the private timeline once logged in
    assert "Admin, REST and auth in five small packages." in home.text  # admin follows carol
    assert "Hello, world!" not in home.text  # ... and not bob
    assert 'href="/admin/">administration</a>' in home.text  # admins get a link to the admin
    confirm = client.get("/accounts/logout/")
    assert confirm.status_code == 200
    assert 'action="/accounts/logout/"' in confirm.text
    assert "Your timeline" in client.get("/").text  # a GET did not log out
    response = client.post("/accounts/logout/", data={"csrf_token": token(confirm)})
    assert response.status_code == 302
    assert "Public timeline" in client.get("/").text
    assert client.get("/private/").status_code == 302


def test_join_post_follow_and_unfollow(example, client, token):
    main, _ = example
    page = client.get("/join/")
    assert page.status_code == 200
    response = client.post(
        "/join/", data={"username": "dave", "password": "s3cret-pass", "email": "", "csrf_token": token(page)}
    )
    assert response.status_code == 302
    create = client.get("/create/")
    assert create.status_code == 200
    posted = client.post("/create/", data={"content": "dave's first message", "csrf_token": token(create)})
    assert posted.status_code == 302
    assert posted.headers["Location"].endswith("/users/dave/")
    mine = client.get("/users/dave/")
    assert "Your message has been created" in mine.text
    assert "dave&#39;s first message" in mine.text
    assert "Follow" not in mine.text  # no follow button on your own page

    alice = client.get("/users/alice/")
    assert "Follow" in alice.text
    followed = client.post("/users/alice/follow/", data={"csrf_token": token(alice)})
    assert followed.status_code == 302
    assert "You are now following alice" in client.get("/users/alice/").text
    timeline = client.get("/private/").text
    assert "peewee queries read like SQL, nice." in timeline
    assert "dave&#39;s first message" in timeline  # your own messages are on your timeline too
    assert "alice" in client.get("/following/").text
    assert "Unfollow" in client.get("/users/alice/").text
    with main.app.app_context():
        assert main.User.get(main.User.username == "alice").followers().where(main.User.username == "dave").exists()
    client.post("/users/alice/unfollow/", data={"csrf_token": token(alice)})
    assert "You are no longer following alice" in client.get("/users/alice/").text
    assert "peewee queries read like SQL, nice." not in client.get("/private/").text
    assert "alice" not in client.get("/following/").text


def test_join_refuses_a_taken_or_empty_username(client, token):
    page = client.get("/join/")
    taken = client.post(
        "/join/", data={"username": "alice", "password": "pw", "email": "x@example.com", "csrf_token": token(page)}
    )
    assert taken.status_code == 200
    assert "That username is already taken." in taken.text
    assert 'value="x@example.com"' in taken.text  # the form keeps what was typed
    empty = client.post("/join/", data={"username": "  ", "password": "pw", "csrf_token": token(page)})
    assert empty.status_code == 200
    assert "Choose a username" in empty.text
    # a NUL character, which PostgreSQL refuses in any text, is a message, not a server error
    for data in ({"username": "nul\x00"}, {"username": "nul-mail", "email": "x\x00@example.com"}):
        hostile = client.post("/join/", data={"password": "pw", "csrf_token": token(page), **data})
        assert hostile.status_code == 200
        assert "cannot be used" in hostile.text or "Choose a username" in hostile.text
    assert "Public timeline" in client.get("/").text  # nobody was logged in


def test_empty_message_is_not_posted(example, client, login, person, token):
    main, _ = example
    user, password = person("quiet")
    login(client, user.username, password)
    page = client.get("/create/")
    response = client.post("/create/", data={"content": "   ", "csrf_token": token(page)})
    assert response.status_code == 200
    assert "Post a message" in response.text
    response = client.post("/create/", data={"content": "\x00 ", "csrf_token": token(page)})
    assert response.status_code == 200
    with main.app.app_context():
        assert main.Message.select().where(main.Message.user == user.id).count() == 0


def test_followers_page_and_following_yourself(client, login, person, token):
    star, star_password = person("star")
    fan, fan_password = person("fan")
    login(client, fan.username, fan_password)
    page = client.get(f"/users/{star.username}/")
    client.post(f"/users/{star.username}/follow/", data={"csrf_token": token(page)})
    assert client.post(f"/users/{fan.username}/follow/", data={"csrf_token": token(page)}).status_code == 400
    assert client.post("/users/nobody/follow/", data={"csrf_token": token(page)}).status_code == 404
    assert fan.username not in client.get("/followers/").text.split('<ul class="users">')[1]
    client.post("/accounts/logout/", data={"csrf_token": token(page)})
    login(client, star.username, star_password)
    followers = client.get("/followers/")
    assert followers.status_code == 200
    assert "Your followers" in followers.text
    assert f">{fan.username}</a>" in followers.text.split('<ul class="users">')[1]
    assert "People you follow" in client.get("/following/").text


def test_user_pages_and_timelines_paginate(example, client, person):
    main, _ = example
    writer, _ = person("zz-writer")
    with main.app.app_context():
        long_ago = datetime.datetime(2001, 1, 1)
        for n in range(25):
            main.Message.create(
                user=writer, content=f"old post {n:02d}", pub_date=long_ago + datetime.timedelta(hours=n)
            )
        for _ in range(21):
            person("zz-reader")
    main.db.database.close()

    first = client.get(f"/users/{writer.username}/")
    assert "old post 24" in first.text  # newest first
    assert "old post 04" not in first.text
    assert "page 1 of 2" in first.text
    assert 'href="?page=2"' in first.text
    second = client.get(f"/users/{writer.username}/?page=2")
    assert "old post 04" in second.text
    assert "old post 05" not in second.text
    assert 'href="?page=1"' in second.text
    assert client.get(f"/users/{writer.username}/?page=3").status_code == 404

    people = client.get("/users/")
    assert "admin" in people.text
    assert "page 1 of" in people.text
    last_page = int(people.text.split("page 1 of ")[1].split("<")[0])
    assert last_page >= 2
    assert "zz-" in client.get(f"/users/?page={last_page}").text  # this test's users sort last
    assert client.get(f"/users/?page={last_page + 1}").status_code == 404

    public = client.get("/public/")
    assert 'href="?page=2"' in public.text
    pages = int(public.text.split("page 1 of ")[1].split("<")[0])
    assert "old post 00" in client.get(f"/public/?page={pages}").text  # the oldest message is on the last page


def test_forged_post_is_refused(example, client, token):
    main, _ = example
    page = client.get("/join/")
    assert token(page)
    response = client.post("/join/", data={"username": "mallory", "password": "x", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert not main.User.select().where(main.User.username == "mallory").exists()
