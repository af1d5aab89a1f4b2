"""Our side of the benchmark: the five flask-peewee-* packages (runs in bench/.venv-ours).

The same app as workloads_original.py, written with our public API: a ``User`` and a
``Message`` model, the admin with a ``MessageAdmin``, and the REST API with
``UserAuthentication`` and messages restricted to their owner with the user nested.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import peewee
from flask import Flask

from flask_peewee.admin import Admin, ModelAdmin
from flask_peewee.auth import Auth, BaseUser
from flask_peewee.auth.testing import log_in
from flask_peewee.db import Database
from flask_peewee.rest import RestAPI, RestResource, RestrictOwnerResource, UserAuthentication
from flask_peewee.utils import model_to_dict, object_list

import _harness as h

HERE = os.path.dirname(os.path.abspath(__file__))

# A cheap scheme (one salted sha256), as a test suite would configure; the default is argon2.
PASSWORD_SCHEMES = ["ldap_salted_sha256"]


def database_config(args: Any) -> dict[str, Any]:
    engine, options = h.database_options(args)
    name = os.path.abspath(args.database) if args.backend == "sqlite" else args.database
    return {"name": name, "engine": engine, **options}


def make_app(args: Any, *, throttle: bool = True) -> dict[str, Any]:
    app = Flask(__name__, template_folder=os.path.join(HERE, "templates"))
    app.config.update(
        SECRET_KEY="bench",
        TESTING=True,
        DATABASE=database_config(args),
        FLASK_PEEWEE_PASSWORD_SCHEMES=PASSWORD_SCHEMES,
        FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED=throttle,
    )
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

    class CursorMessageResource(MessageResource):
        pagination = "cursor"

    # A second API serves the same messages with keyset pagination (a model is registered once per API).
    cursor_api = RestAPI(app, prefix="/api-cursor", default_auth=UserAuthentication(auth), name="api_cursor")
    cursor_api.register(User, UserResource)
    cursor_api.register(Message, CursorMessageResource)
    cursor_api.setup()

    @app.route("/messages/")
    def messages() -> Any:
        return object_list("bench/list.html", Message.select().order_by(Message.id), paginate_by=h.PAGE_SIZE)

    with app.app_context():
        db.database.connect(reuse_if_open=True)
        user = User.get_by_id(1)
        user.set_password(h.BENCH_PASSWORD)
        user.save()
        db.database.close()

    admin_client = app.test_client()
    log_in(admin_client, user)
    return {
        "app": app,
        "db": db,
        "User": User,
        "Message": Message,
        "admin_client": admin_client,
        "user": user,
    }


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

    def rest_create(ctx: h.Context, throttle: bool = True) -> h.Workload:
        headers = h.basic_auth_header(o["user"].username, h.BENCH_PASSWORD)
        poster = client if throttle else make_app(ctx.args, throttle=False)["app"].test_client()

        def run() -> h.Result:
            response = poster.post("/api/message/", json=h.CREATE_BODY, headers=headers)
            return h.Result(status=response.status_code, shape=h.json_shape(response.get_json()))

        note = "login throttle on (default)" if throttle else "FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED = False"
        return h.Workload(run, note=f"UserAuthentication, ldap_salted_sha256 hash, audit log; {note}")

    def admin_page(url: str) -> h.Workload:
        return h.Workload(lambda: h.html_result(admin_client.get(url)))

    def preload(nested: bool) -> list[Any]:
        with o["app"].app_context():
            o["db"].database.connect(reuse_if_open=True)
            query = Message.select().order_by(Message.id).limit(h.SERIALIZE_COUNT)
            if nested:
                query = Message.select(Message, User).join(User).order_by(Message.id).limit(h.SERIALIZE_COUNT)
            objects = list(query)
            o["db"].database.close()
        return objects

    def serialize(nested: bool) -> h.Workload:
        objects = preload(nested)
        options = {"nested": {"user": {"exclude": ("email",)}}} if nested else {}

        def run() -> h.Result:
            data = [model_to_dict(obj, **options) for obj in objects]
            return h.Result(shape=h.json_shape(data[0]), rows=len(data))

        return h.Workload(run, memory=True, warmup=3, repeats=ctx.args.repeats)

    def export(fmt: str) -> h.Workload:
        query = "&".join(f"_fields={f}" for f in h.EXPORT_FIELDS)
        url = f"/admin/message/export/?_format={fmt}&{query}"

        def run() -> h.Result:
            response = admin_client.get(url)
            nbytes, newlines = h.drain(response)
            # CSV: a header line, then one line per row; JSON: "[", "\n{...}" per row, "\n]\n".
            rows = newlines - (1 if fmt == "csv" else 2)
            return h.Result(status=response.status_code, shape=f"{fmt}-stream", rows=rows, nbytes=nbytes)

        return h.Workload(run, memory=True, note="GET, streamed in keyset batches")

    def cursor_page(page: int) -> h.Workload:
        # Follow `next` from the first page to the wanted page's cursor (setup, not timed).
        url = "/api-cursor/message/"
        for _ in range(page - 1):
            url = client.get(url).get_json()["meta"]["next"]

        def run() -> h.Result:
            response = client.get(url)
            return h.Result(status=response.status_code, shape=h.list_shape(response.get_json()))

        return h.Workload(run, note=f"page {page} reached by following `next` cursors")

    def login_form(ctx: h.Context) -> h.Workload:
        state: dict[str, Any] = {}
        token = re.compile(rb'name="csrf_token" value="([^"]+)"')

        def before() -> None:  # a new browser that has opened the login page (its CSRF token)
            state["client"] = o["app"].test_client()
            page = state["client"].get(h.LOGIN_URL).get_data()
            state["token"] = token.search(page).group(1).decode()

        def run() -> h.Result:
            form = {"username": o["user"].username, "password": h.BENCH_PASSWORD, "csrf_token": state["token"]}
            return h.login_result(state["client"].post(h.LOGIN_URL, data=form))

        return h.Workload(
            run,
            before=before,
            note="CSRF token, login throttle, session renewal, server-side session (ended at logout)",
        )

    deep, last = ctx.deep_page, ctx.last_page
    filter_url = f"{h.ADMIN_INDEX_URL}?user__username={h.FILTER_USERNAME}"
    return {
        "rest_list": lambda ctx: json_get(h.REST_LIST_URL, h.list_shape),
        "rest_list_filtered": lambda ctx: json_get(h.REST_FILTERED_URL, h.list_shape),
        "rest_detail": lambda ctx: json_get(f"/api/message/{ctx.messages // 2}/"),
        "admin_index": lambda ctx: admin_page(h.ADMIN_INDEX_URL),
        "admin_index_filter": lambda ctx: admin_page(filter_url),
        "serialize_1000": lambda ctx: serialize(False),
        "serialize_1000_nested": lambda ctx: serialize(True),
        "export_csv": lambda ctx: export("csv"),
        "export_json": lambda ctx: export("json"),
        "object_list_deep": lambda ctx: h.Workload(
            lambda: h.html_result(client.get(f"/messages/?page={deep}"), marker=b"<li>")
        ),
        "rest_deep_page": lambda ctx: json_get(f"/api/message/?page={deep}", h.list_shape),
        "rest_last_page": lambda ctx: json_get(f"/api/message/?page={last}", h.list_shape),
        "rest_cursor": lambda ctx: cursor_page(deep),
        "rest_cursor_first": lambda ctx: cursor_page(1),
        "rest_cursor_last": lambda ctx: cursor_page(last),
        "login_form": login_form,
        "rest_create": rest_create,
        "rest_create_no_throttle": lambda ctx: rest_create(ctx, throttle=False),
    }


if __name__ == "__main__":
    versions = h.versions_of(
        "flask-peewee-db",
        "flask-peewee-utils",
        "flask-peewee-auth",
        "flask-peewee-admin",
        "flask-peewee-rest",
        "flask",
        "werkzeug",
        "peewee",
        "wtforms",
        "wtf-peewee",
        "libpass",
    )
    sys.exit(h.main("ours", versions, build))
