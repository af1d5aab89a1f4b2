"""The original single-package flask-peewee 4.0.1 side of the benchmark (runs in bench/.venv-original).

The app is the docs' example: a ``User`` and a ``Message`` model, the admin with a
``MessageAdmin``, and the REST API with ``UserAuthentication`` and messages restricted to
their owner with the user nested. Only public, documented API of the original is used.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import peewee
from flask import Flask

import flask_peewee.utils as fp_utils
from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth, BaseUser
from flask_peewee.db import Database
from flask_peewee.rest import RestAPI, RestResource, RestrictOwnerResource, UserAuthentication
from flask_peewee.serializer import Serializer
from flask_peewee.utils import object_list

import _harness as h

HERE = os.path.dirname(os.path.abspath(__file__))

# The original hashes with werkzeug's scrypt by default; it documents this module-level
# switch to make hashing cheap. pbkdf2 with one iteration is about as cheap as the salted
# sha256 our side is configured with, so REST create measures the framework, not the hash.
fp_utils.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


def database_config(args: Any) -> dict[str, Any]:
    engine, options = h.database_options(args)
    return {"name": args.database, "engine": engine, **options}


def make_app(args: Any) -> dict[str, Any]:
    app = Flask(__name__, template_folder=os.path.join(HERE, "templates"))
    app.config.update(SECRET_KEY="bench", TESTING=True, DATABASE=database_config(args))
    db = Database(app)

    class User(db.Model, BaseUser):
        username = peewee.CharField(max_length=255, unique=True)
        password = peewee.CharField(max_length=255)
        email = peewee.CharField(max_length=255)
        active = peewee.BooleanField(default=True)
        admin = peewee.BooleanField(default=False)

        class Meta:
            table_name = "user"

        def __str__(self) -> str:
            return self.username

    class Message(db.Model):
        user = peewee.ForeignKeyField(User, backref="messages")
        content = peewee.TextField()
        pub_date = peewee.DateTimeField(index=True)

        class Meta:
            table_name = "message"

    auth = Auth(app, db, user_model=User)

    class MessageAdmin(ModelAdmin):
        columns = ("user", "content", "pub_date")
        paginate_by = h.PAGE_SIZE

    admin = Admin(app, auth)
    admin.register(Message, MessageAdmin)
    admin.setup()

    class UserResource(RestResource):
        exclude = ("password", "email")

    class MessageResource(RestrictOwnerResource):
        owner_field = "user"
        include_resources = {"user": UserResource}
        paginate_by = h.PAGE_SIZE

    api = RestAPI(app, default_auth=UserAuthentication(auth))
    api.register(User, UserResource)
    api.register(Message, MessageResource)
    api.setup()

    @app.route("/messages/")
    def messages() -> Any:
        return object_list("bench/list.html", Message.select().order_by(Message.id), paginate_by=h.PAGE_SIZE)

    db.database.connect()
    user = User.get_by_id(1)
    user.set_password(h.BENCH_PASSWORD)
    user.save()
    db.database.close()

    admin_client = app.test_client()
    with admin_client.session_transaction() as session:
        session["logged_in"] = True
        session["user_pk"] = user.id
    return {"app": app, "db": db, "User": User, "Message": Message, "admin_client": admin_client, "user": user}


def build(ctx: h.Context) -> dict[str, Any]:
    o = make_app(ctx.args)
    ctx.objects.update(o)
    client = o["app"].test_client()
    admin_client = o["admin_client"]
    User, Message = o["User"], o["Message"]

    def json_get(url: str, shape: Any = h.json_shape) -> h.Workload:
        def run() -> h.Result:
            response = client.get(url)
            return h.Result(status=response.status_code, shape=shape(response.get_json()))

        return h.Workload(run)

    def rest_create(ctx: h.Context) -> h.Workload:
        headers = h.basic_auth_header(o["user"].username, h.BENCH_PASSWORD)

        def run() -> h.Result:
            response = client.post("/api/message/", json=h.CREATE_BODY, headers=headers)
            return h.Result(status=response.status_code, shape=h.json_shape(response.get_json()))

        return h.Workload(run, note="UserAuthentication, pbkdf2:sha256:1 hash")

    def admin_page(url: str) -> h.Workload:
        return h.Workload(lambda: h.html_result(admin_client.get(url)))

    def preload(nested: bool) -> list[Any]:
        o["db"].database.connect(reuse_if_open=True)
        query = Message.select().order_by(Message.id).limit(h.SERIALIZE_COUNT)
        if nested:
            query = Message.select(Message, User).join(User).order_by(Message.id).limit(h.SERIALIZE_COUNT)
        objects = list(query)
        o["db"].database.close()
        return objects

    def serialize(nested: bool) -> h.Workload:
        objects = preload(nested)
        fields = None
        if nested:
            fields = {Message: Message._meta.sorted_field_names, User: ["id", "username", "active", "admin"]}

        def run() -> h.Result:
            serializer = Serializer()
            data = [serializer.serialize_object(obj, fields) for obj in objects]
            return h.Result(shape=h.json_shape(data[0]), rows=len(data))

        return h.Workload(run, memory=True, warmup=3, repeats=ctx.args.repeats)

    def export_json(ctx: h.Context) -> h.Workload:
        def run() -> h.Result:
            response = admin_client.post("/admin/message/export/", data={"fields": list(h.EXPORT_FIELDS)})
            nbytes, newlines = h.drain(response)
            # "[\n" + rows joined by ",\n" + "\n]": one newline per row plus one.
            return h.Result(status=response.status_code, shape="json-stream", rows=newlines - 1, nbytes=nbytes)

        return h.Workload(run, memory=True, note="POST with fields; the only export format of the original")

    def login_form(ctx: h.Context) -> h.Workload:
        state: dict[str, Any] = {}

        def before() -> None:  # a new browser that has opened the login page
            state["client"] = o["app"].test_client()
            state["client"].get(h.LOGIN_URL)

        def run() -> h.Result:
            form = {"username": o["user"].username, "password": h.BENCH_PASSWORD}
            return h.login_result(state["client"].post(h.LOGIN_URL, data=form))

        return h.Workload(run, before=before, note="no CSRF, no throttle; the session is kept, not renewed")

    no_keyset = "the original REST API has page numbers only (no keyset pagination)"
    deep, last = ctx.deep_page, ctx.last_page
    filter_url = f"{h.ADMIN_INDEX_URL}?fr_user-fo_username=eq&fr_user-fv_username={h.FILTER_USERNAME}"
    return {
        "rest_list": lambda ctx: json_get(h.REST_LIST_URL, h.list_shape),
        "rest_list_filtered": lambda ctx: json_get(h.REST_FILTERED_URL, h.list_shape),
        "rest_detail": lambda ctx: json_get(f"/api/message/{ctx.messages // 2}/"),
        "admin_index": lambda ctx: admin_page(h.ADMIN_INDEX_URL),
        "admin_index_filter": lambda ctx: admin_page(filter_url),
        "serialize_1000": lambda ctx: serialize(False),
        "serialize_1000_nested": lambda ctx: serialize(True),
        "export_csv": lambda ctx: "the original admin exports JSON only",
        "export_json": export_json,
        "object_list_deep": lambda ctx: h.Workload(
            lambda: h.html_result(client.get(f"/messages/?page={deep}"), marker=b"<li>")
        ),
        "rest_deep_page": lambda ctx: json_get(f"/api/message/?page={deep}", h.list_shape),
        "rest_last_page": lambda ctx: json_get(f"/api/message/?page={last}", h.list_shape),
        "rest_cursor": lambda ctx: no_keyset,
        "rest_cursor_first": lambda ctx: no_keyset,
        "rest_cursor_last": lambda ctx: no_keyset,
        "login_form": login_form,
        "rest_create": rest_create,
        # The original has no login throttle: the same request as rest_create.
        "rest_create_no_throttle": rest_create,
    }


if __name__ == "__main__":
    versions = h.versions_of("flask-peewee", "flask", "werkzeug", "peewee", "wtforms", "wtf-peewee")
    sys.exit(h.main("original", versions, build))
