"""``flask fp createsuperuser`` and ``flask fp changepassword``."""

from __future__ import annotations

PASSWORD = "correct horse"


def _user(app, auth, username):
    with app.app_context():
        user = auth.User.get_or_none(auth.User.username == username)
    auth.db.database.close()
    return user


def test_createsuperuser_prompts_for_a_hidden_confirmed_password(auth, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fp", "createsuperuser"], input="root\ns3cret horse\ns3cret horse\n")
    assert result.exit_code == 0, result.output
    assert "Created superuser 'root'." in result.output
    assert "s3cret" not in result.output
    user = _user(app, auth, "root")
    assert user.admin is True
    assert user.active is True
    assert user.password != "s3cret horse"
    with app.app_context():
        assert user.check_password("s3cret horse")


def test_createsuperuser_asks_again_when_confirmation_differs(auth, app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["fp", "createsuperuser", "--username", "root"], input="one\ntwo\nabc 12345\nabc 12345\n"
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    with app.app_context():
        assert _user(app, auth, "root").check_password("abc 12345")


def test_createsuperuser_options_and_password_stdin(auth, app, client, login):
    runner = app.test_cli_runner()
    args = ["fp", "createsuperuser", "--username", "ops", "--email", "ops@example.com", "--password-stdin"]
    result = runner.invoke(args=args, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert _user(app, auth, "ops").email == "ops@example.com"
    assert login(client, "ops", PASSWORD).status_code == 302


def test_createsuperuser_refuses_a_duplicate_username(auth, app, user):
    result = app.test_cli_runner().invoke(
        args=["fp", "createsuperuser", "--username", "alice", "--password-stdin"], input="x\n"
    )
    assert result.exit_code == 1
    assert "A user named 'alice' already exists." in result.output
    assert "Traceback" not in result.output


def test_createsuperuser_refuses_an_empty_password(auth, app):
    result = app.test_cli_runner().invoke(
        args=["fp", "createsuperuser", "--username", "root", "--password-stdin"], input="\n"
    )
    assert result.exit_code == 1
    assert "The password must not be empty." in result.output
    assert _user(app, auth, "root") is None


def test_createsuperuser_without_the_table_says_what_to_do(app, db):
    from flask_peewee.auth import Auth

    Auth(app, db)
    result = app.test_cli_runner().invoke(
        args=["fp", "createsuperuser", "--username", "root", "--password-stdin"], input="pw\n"
    )
    assert result.exit_code == 1
    assert "flask fp create-tables" in result.output


def test_changepassword(auth, app, client, user, login):
    login(client)
    result = app.test_cli_runner().invoke(args=["fp", "changepassword", "alice"], input="new pw 2026\nnew pw 2026\n")
    assert result.exit_code == 0, result.output
    assert "Password changed for 'alice'" in result.output
    assert client.get("/private/").status_code == 302  # the old session ended
    assert login(client, "alice", "new pw 2026").status_code == 302


def test_changepassword_unknown_user(auth, app):
    result = app.test_cli_runner().invoke(args=["fp", "changepassword", "ghost", "--password-stdin"], input="x\n")
    assert result.exit_code == 1
    assert "No user named 'ghost'." in result.output
