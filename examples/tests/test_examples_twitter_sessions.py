"""The example's "Your sessions" page: linked from every page, lists where the user is logged in, ends the others."""

import re

ROW = re.compile(r'name="do" value="end_session">\s*<input type="hidden" name="id" value="(\d+)"')


def test_sessions_page_lists_and_ends_the_other_sessions(example, login, person, token):
    main, _ = example
    someone, password = person("sessions")
    laptop, phone = main.app.test_client(), main.app.test_client()
    laptop.environ_base.update(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Laptop Firefox")
    phone.environ_base.update(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Phone Safari")
    assert login(laptop, someone.username, password).status_code == 302
    assert login(phone, someone.username, password).status_code == 302
    home = laptop.get("/private/")
    assert 'href="/accounts/sessions/">sessions</a>' in home.text
    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    assert "Phone Safari" in page.text
    assert "203.0.113.9" in page.text
    assert "This session" in page.text
    assert len(ROW.findall(page.text)) == 2
    ended = laptop.post("/accounts/sessions/", data={"do": "end_others", "csrf_token": token(page)})
    assert ended.status_code == 302
    assert phone.get("/private/").status_code == 302  # logged out at its next request
    assert laptop.get("/private/").status_code == 200
    page = laptop.get("/accounts/sessions/")
    assert "Phone Safari" not in page.text
    assert len(ROW.findall(page.text)) == 1
