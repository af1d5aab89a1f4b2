"""Two-factor authentication in the example: offered to users who want it, not required for the admin."""

import re
import time

import pyotp


def test_a_person_enrols_and_logs_in_with_a_code(example, client, login, person, token):
    user, password = person("twofactor")
    username = user.username
    login(client, username, password)
    assert 'href="/accounts/two-factor/"' in client.get("/").get_data(as_text=True)
    enrol = client.get("/accounts/two-factor/enrol/")
    page = enrol.get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'auth-two-factor-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(
        "/accounts/two-factor/enrol/", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token(enrol)}
    )
    assert done.status_code == 200
    assert "recovery codes" in done.get_data(as_text=True)
    logout = client.get("/accounts/logout/")
    client.post("/accounts/logout/", data={"csrf_token": token(logout)})

    login_page = client.get("/accounts/login/")
    step = client.post(
        "/accounts/login/", data={"username": username, "password": password, "csrf_token": token(login_page)}
    )
    assert step.status_code == 302
    assert "/accounts/two-factor/verify/" in step.location
    assert client.get("/private/").status_code == 302  # not logged in yet
    verify = client.get("/accounts/two-factor/verify/")
    code = pyotp.TOTP(secret).at(int(time.time()) + 30)
    finished = client.post("/accounts/two-factor/verify/", data={"code": code, "csrf_token": token(verify)})
    assert finished.status_code == 302
    assert client.get("/private/").status_code == 200


def test_the_admin_needs_no_second_factor(example, admin_client):
    assert admin_client.get("/admin/").status_code == 200
