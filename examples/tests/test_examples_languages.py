"""The example's locale selector: ``?lang=de`` (kept in the session) puts the admin and login pages in German."""

from pathlib import Path


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


def test_the_apps_own_catalogue_names_its_models_fields_and_links(example, admin_client):
    """Model and field names come from the example's translations/ (compiled at start), the rest from flask-peewee's."""
    main, _ = example
    admin_client.get("/admin/?lang=de")
    listing = admin_client.get("/admin/message/").text
    assert "Nachricht hinzufügen" in listing  # the app's "Message" in the admin's sentence
    assert ">Veröffentlicht am" in listing  # a column label
    assert ">Benutzer / Benutzername</option>" in listing  # a filter on a related field, both names translated
    assert "Benutzerstatistik" in admin_client.get("/admin/").text  # a panel's title
    assert "Neue Benutzer diese Woche:" in admin_client.get("/admin/").text
    login = main.app.test_client().get("/accounts/login/?lang=fr").text
    assert '<html lang="fr">' in login
    assert ">membres</a>" in login  # the site's links, in base.html
    compiled = Path(main.app.root_path, "translations").glob("*/LC_MESSAGES/messages.mo")
    assert {mo.parent.parent.name for mo in compiled} == {"de", "fr", "es"}
