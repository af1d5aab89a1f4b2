"""The example's locale selector: ``?lang=de`` (kept in the session) puts the admin and login pages in German."""


def test_lang_parameter_switches_the_admin_and_login_pages(example, admin_client):
    assert "Dashboard" in admin_client.get("/admin/").text
    german = admin_client.get("/admin/?lang=de")
    assert '<html lang="de">' in german.text
    assert "Übersicht" in german.text
    assert "Übersicht" in admin_client.get("/admin/message/").text  # kept in the session
    assert "Tableau de bord" in admin_client.get("/admin/?lang=fr").text
    assert "Panel" in admin_client.get("/admin/?lang=es").text
    assert "Dashboard" in admin_client.get("/admin/?lang=en").text
    main, _ = example
    visitor = main.app.test_client()
    assert "Iniciar sesión" in visitor.get("/accounts/login/?lang=es").text
    # the session wins over the browser's language
    assert "Iniciar sesión" in visitor.get("/accounts/login/", headers={"Accept-Language": "de"}).text
    browser = main.app.test_client()
    assert "Anmelden" in browser.get("/accounts/login/", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    assert "Log in" in main.app.test_client().get("/accounts/login/?lang=xx", headers={"Accept-Language": "ja"}).text
