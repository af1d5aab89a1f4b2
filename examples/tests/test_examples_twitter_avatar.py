"""The example's user avatar: uploaded in the admin, shown there with a thumbnail, and in the API as a URL."""

import io

from PIL import Image


def _png(color):
    out = io.BytesIO()
    Image.new("RGB", (240, 240), color).save(out, "PNG")
    return out.getvalue()


def test_an_admin_uploads_a_users_avatar_and_the_api_shows_it(example, admin_client, person, token):
    main, _ = example
    user, _password = person("avatar")
    edit_url = f"/admin/user/{user.id}/"
    page = admin_client.get(edit_url)
    assert 'name="avatar"' in page.text
    assert 'type="file"' in page.text
    version = page.text.split('name="_fp_version" value="')[1].split('"')[0]
    data = {
        "csrf_token": token(page),
        "_fp_version": version,
        "username": user.username,
        "email": user.email,
        "active": "y",
        "password": "",
        "avatar": (io.BytesIO(_png("purple")), "me.png"),
        "_continue": "1",
    }
    response = admin_client.post(edit_url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    with main.app.app_context():
        stored = main.User.get_by_id(user.id).avatar
    main.db.database.close()
    assert stored.startswith(f"{main.User._meta.table_name}/avatar/")
    page = admin_client.get(edit_url).text
    assert "fp-upload-thumb" in page
    link = page.split('class="fp-upload-current">')[1].split('href="')[1].split('"')[0]
    assert admin_client.get(link).status_code == 200
    thumb = admin_client.get(link + "?thumb=1")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.data)).size == (160, 160)

    api = main.app.test_client().get(f"/api/user/{user.id}/")
    assert api.status_code == 200
    url = api.get_json()["avatar"]
    assert url.endswith(f"/api/user/{user.id}/file/avatar/")
    served = main.app.test_client().get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/png"
