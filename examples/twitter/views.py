"""The example's pages: timelines, join, follow and unfollow, user lists."""

from flask import abort, flash, redirect, render_template, request, url_for

from app import app
from auth import auth
from flask_peewee.auth import validate_csrf_token
from flask_peewee.utils import get_object_or_404, object_list
from models import MAX_MESSAGE_LENGTH, Message, Relationship, User


@app.before_request
def check_csrf():
    """Every form this app renders carries csrf_token(); a POST without a valid one is refused."""
    if request.method == "POST" and request.endpoint and request.blueprint is None and not validate_csrf_token():
        abort(400, "The form has expired or did not come from this site; reload the page and try again.")


@app.route("/")
def homepage():
    if auth.get_logged_in_user():
        return private_timeline()
    return public_timeline()


@app.route("/private/")
@auth.login_required
def private_timeline():
    user = auth.get_logged_in_user()
    messages = (
        Message.select(Message, User)
        .join(User)
        .where(Message.user << user.following() | (Message.user == user))
        .order_by(Message.pub_date.desc(), Message.id.desc())
    )
    return object_list("private_messages.html", messages, "message_list")


@app.route("/public/")
def public_timeline():
    messages = Message.select(Message, User).join(User).order_by(Message.pub_date.desc(), Message.id.desc())
    return object_list("public_messages.html", messages, "message_list")


@app.route("/join/", methods=["GET", "POST"])
def join():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        email = request.form.get("email", "").strip()
        if not username or not password or len(username) > 64 or not username.isprintable():
            error = "Choose a username (up to 64 printable characters) and a password."
        elif len(password) > 1024 or not password.isprintable():
            # The login form refuses control characters (tabs included): never make a password it refuses.
            error = "Choose a password of printable characters (no tabs or line breaks), up to 1024."
        elif len(email) > 255 or not email.isprintable():
            error = "That email address cannot be used."
        elif User.select().where(User.username == username).exists():
            error = "That username is already taken."
        else:
            user = User(username=username, email=email)
            user.set_password(password)
            user.save()
            auth.login_user(user)
            return redirect(url_for("homepage"))
    return render_template("join.html", error=error)


@app.route("/following/")
@auth.login_required
def following():
    user = auth.get_logged_in_user()
    return object_list("user_following.html", user.following().order_by(User.username), "user_list")


@app.route("/followers/")
@auth.login_required
def followers():
    user = auth.get_logged_in_user()
    return object_list("user_followers.html", user.followers().order_by(User.username), "user_list")


@app.route("/users/")
def user_list():
    return object_list("user_list.html", User.select().order_by(User.username), "user_list")


@app.route("/users/<username>/")
def user_detail(username):
    user = get_object_or_404(User, User.username == username)
    messages = user.messages.order_by(Message.pub_date.desc(), Message.id.desc())
    return object_list("user_detail.html", messages, "message_list", person=user)


@app.route("/users/<username>/follow/", methods=["POST"])
@auth.login_required
def user_follow(username):
    user = get_object_or_404(User, User.username == username)
    me = auth.get_logged_in_user()
    if user == me:
        abort(400)
    Relationship.get_or_create(from_user=me, to_user=user)
    flash(f"You are now following {user.username}")
    return redirect(url_for("user_detail", username=user.username))


@app.route("/users/<username>/unfollow/", methods=["POST"])
@auth.login_required
def user_unfollow(username):
    user = get_object_or_404(User, User.username == username)
    me = auth.get_logged_in_user()
    Relationship.delete().where((Relationship.from_user == me) & (Relationship.to_user == user)).execute()
    flash(f"You are no longer following {user.username}")
    return redirect(url_for("user_detail", username=user.username))


@app.route("/create/", methods=["GET", "POST"])
@auth.login_required
def create():
    user = auth.get_logged_in_user()
    if request.method == "POST":
        content = request.form.get("content", "").replace("\x00", "").strip()
        if content:
            Message.create(user=user, content=content[:MAX_MESSAGE_LENGTH])
            flash("Your message has been created")
            return redirect(url_for("user_detail", username=user.username))
    return render_template("create.html")
