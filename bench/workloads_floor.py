"""The floor of the benchmark: the same pages written by hand with Flask and peewee (no flask-peewee).

Runs in bench/.venv-ours (the same Flask, Werkzeug, peewee and passlib pins as ours) but
imports nothing of flask-peewee. It does what a careful hand-written app does and no more:
a connection per request, the queries each page needs (only the columns it writes), the
same password hash as ours (one salted SHA-256 through passlib), a session login that
clears the session, a streamed export. It has no CSRF token, no login throttle, no audit
entry, no permission framework, no server-side session record: the goals of issue 16
leave room for those. The JSON and HTML are the same as ours (same keys in the same order, a Jinja
template of about the same size for the admin list).
"""

from __future__ import annotations

import base64
import csv
import datetime
import importlib
import io
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import peewee
from flask import Flask, Response, abort, redirect, render_template, request, session, stream_with_context
from passlib.hash import ldap_salted_sha256

import _harness as h
import dataset

HERE = os.path.dirname(os.path.abspath(__file__))

# The admin list's filter form: field, kind and operators, written once (what ours' form offers).
_NUM, _TEXT = "eq,ne,lt,lte,gt,gte,in,is", "eq,ne,ilike,like,in,is,startswith,contains"
FILTER_FIELDS = [
    ("id", "number", _NUM, "Id"),
    ("user", "fk", "eq,ne,in,is", "User"),
    ("content", "text", _TEXT, "Content"),
    ("pub_date", "date", "eq,ne,lt,lte,gt,gte,is,within_days,older_days,year,month", "Pub Date"),
    ("user__id", "number", _NUM, "User / Id"),
    ("user__username", "text", _TEXT, "User / Username"),
    ("user__email", "text", _TEXT, "User / Email"),
    ("user__active", "bool", "eq,is", "User / Active"),
    ("user__admin", "bool", "eq,is", "User / Admin"),
]
OPERATORS = [
    ("eq", "equals"),
    ("ne", "does not equal"),
    ("lt", "is less than"),
    ("lte", "is at most"),
    ("gt", "is greater than"),
    ("gte", "is at least"),
    ("in", "is one of (a,b,c)"),
    ("is", "is (null, true, false)"),
    ("like", "matches (% and _, case-sensitive)"),
    ("ilike", "matches (% and _)"),
    ("startswith", "starts with"),
    ("contains", "contains"),
    ("within_days", "within X days ago"),
    ("older_days", "older than X days ago"),
    ("year", "year equals"),
    ("month", "month equals"),
]
EXPORT_BATCH = 1000


def open_database(args: Any) -> peewee.Database:
    engine, options = h.database_options(args)
    module, _, name = engine.rpartition(".")
    database_class = getattr(importlib.import_module(module), name)
    path = os.path.abspath(args.database) if args.backend == "sqlite" else args.database
    return database_class(path, **options)


def make_app(args: Any) -> dict[str, Any]:
    app = Flask(__name__, template_folder=os.path.join(HERE, "templates"))
    app.config.update(SECRET_KEY="bench", TESTING=True)
    database = open_database(args)

    User, Message = dataset.models(database)  # the plain peewee models the data set was built with

    # The nested user's public columns: never password or email.
    user_columns = (User.id, User.username, User.active, User.admin)

    @app.before_request
    def connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def close(_exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

    def user_dict(user: Any) -> dict[str, Any]:
        return {"id": user.id, "username": user.username, "active": user.active, "admin": user.admin}

    def message_dict(message: Any) -> dict[str, Any]:
        return {
            "id": message.id,
            "user": user_dict(message.user),
            "content": message.content,
            "pub_date": message.pub_date.isoformat(),
        }

    def count_of(query: peewee.ModelSelect) -> int:
        """``SELECT COUNT(*) FROM ... WHERE ...``: no wrapped subquery (SQLite counts a whole table from its b-tree)."""
        for (count,) in query.select(peewee.fn.COUNT(peewee.SQL("*"))).tuples():
            return int(count)
        return 0

    def as_json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def messages_with_user() -> peewee.ModelSelect:
        # LEFT OUTER as ours: the same query (and the same plan) for the nested user.
        return Message.select(Message, *user_columns).join(User, peewee.JOIN.LEFT_OUTER)

    def page_number() -> int:
        try:
            return max(1, int(request.args.get("page", "1")))
        except ValueError:
            return 1

    def page_url(page: int, extra: str) -> str:
        return f"{request.path}?{extra}page={page}"

    @app.route("/api/message/")
    def api_messages() -> Response:
        query = messages_with_user()
        extra = ""
        username = request.args.get("user__username")
        if username is not None:
            query = query.where(User.username == username)
            extra += f"user__username={username}&"
        if request.args.get("ordering") == "-pub_date":
            query = query.order_by(Message.pub_date.desc(), Message.id)
            extra += "ordering=-pub_date&"
        else:
            query = query.order_by(Message.id)
        page = page_number()
        counted = Message.select()
        if username is not None:
            counted = counted.join(User).where(User.username == username)
        count = count_of(counted)
        pages = max(1, -(-count // h.PAGE_SIZE))
        objects = [message_dict(m) for m in query.paginate(page, h.PAGE_SIZE)]
        meta = {
            "model": "message",
            "page": page,
            "page_count": pages,
            "object_count": count,
            "previous": page_url(page - 1, extra) if page > 1 else "",
            "next": page_url(page + 1, extra) if page < pages else "",
        }
        return as_json({"meta": meta, "objects": objects})

    @app.route("/api/message/<int:pk>/")
    def api_message(pk: int) -> Response:
        message = messages_with_user().where(Message.id == pk).first()
        if message is None:
            abort(404)
        return as_json(message_dict(message))

    @app.route("/api/message/", methods=["POST"])
    def api_create() -> Response:
        auth = request.authorization
        if auth is None or auth.type != "basic":
            abort(401)
        user = User.get_or_none(User.username == auth.username)
        if user is None or not user.active or not ldap_salted_sha256.verify(auth.password or "", user.password):
            abort(401)
        data = request.get_json(silent=True) or {}
        try:
            pub_date = datetime.datetime.fromisoformat(data["pub_date"])
            content = str(data["content"])
        except (KeyError, TypeError, ValueError):
            return as_json({"error": "invalid data"}, 400)
        message = Message.create(user=user, content=content, pub_date=pub_date)
        return as_json(message_dict(message))

    @app.route("/api-cursor/message/")
    def api_cursor() -> Response:
        query = messages_with_user().order_by(Message.id)
        after = request.args.get("cursor")
        if after:
            try:
                query = query.where(Message.id > int(base64.urlsafe_b64decode(after.encode())))
            except ValueError:
                abort(400)
        rows = list(query.limit(h.PAGE_SIZE + 1))
        objects = [message_dict(m) for m in rows[: h.PAGE_SIZE]]
        next_url = ""
        if len(rows) > h.PAGE_SIZE:
            token = base64.urlsafe_b64encode(str(rows[h.PAGE_SIZE - 1].id).encode()).decode()
            next_url = f"/api-cursor/message/?cursor={token}"
        meta = {"model": "message", "limit": h.PAGE_SIZE, "previous": "", "next": next_url}
        return as_json({"meta": meta, "objects": objects})

    @app.route(h.LOGIN_URL, methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            username, password = request.form.get("username", ""), request.form.get("password", "")
            user = User.get_or_none(User.username == username)
            if user is not None and user.active and ldap_salted_sha256.verify(password, user.password):
                session.clear()  # a new session for the login
                session["user_id"] = user.id
                return redirect(request.args.get("next") or "/admin/")
            error = "Incorrect username or password"
        return render_template("floor/login.html", error=error)

    def admin_user() -> Any:
        """The logged-in administrator, or a redirect to the login page / 403."""
        user_id = session.get("user_id")
        user = User.get_or_none(User.id == user_id) if user_id is not None else None
        if user is None or not user.active:
            abort(redirect(f"{h.LOGIN_URL}?next={request.path}"))
        if not user.admin:
            abort(403)
        return user

    @app.route("/admin/message/")
    def admin_messages() -> str:
        user = admin_user()
        query = Message.select(Message, User.id, User.username).join(User)
        count_query = Message.select()
        username = request.args.get("user__username")
        extra = ""
        if username is not None:
            query = query.where(User.username == username)
            count_query = count_query.join(User).where(User.username == username)
            extra = f"user__username={username}&"
        page = page_number()
        count = count_of(count_query)
        pages = max(1, -(-count // h.PAGE_SIZE))
        rows = query.order_by(Message.id).paginate(page, h.PAGE_SIZE)
        return render_template(
            "floor/admin_list.html",
            user=user,
            rows=rows,
            count=count,
            page=page,
            pages=pages,
            extra=extra,
            fields=FILTER_FIELDS,
            operators=OPERATORS,
        )

    @app.route("/admin/message/export/")
    def admin_export() -> Response:
        admin_user()
        query = (
            Message.select(Message.id, Message.content, Message.pub_date, User.username)
            .join(User, peewee.JOIN.LEFT_OUTER)
            .order_by(Message.id)
            .tuples()
        )

        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(h.EXPORT_FIELDS)
            for row in query.iterator():
                writer.writerow((row[0], row[1], row[2].isoformat(), row[3]))
                if buffer.tell() > 65536:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        return Response(
            stream_with_context(lines()),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="message.csv"'},
        )

    @app.route("/admin/message/export.json")
    def admin_export_json() -> Response:
        admin_user()
        query = (
            Message.select(Message.id, Message.content, Message.pub_date, User.username)
            .join(User, peewee.JOIN.LEFT_OUTER)
            .order_by(Message.id)
            .tuples()
        )

        def chunks() -> Iterator[str]:
            parts, sep = ["["], "\n"
            for row in query.iterator():
                item = {"id": row[0], "content": row[1], "pub_date": row[2].isoformat(), "user__username": row[3]}
                parts.append(sep + json.dumps(item))
                sep = ",\n"
                if len(parts) >= EXPORT_BATCH:
                    yield "".join(parts)
                    parts = []
            parts.append("\n]\n")
            yield "".join(parts)

        return Response(stream_with_context(chunks()), mimetype="application/json")

    @app.route("/messages/")
    def messages() -> str:
        page = page_number()
        count = count_of(Message.select())
        pages = max(1, -(-count // h.PAGE_SIZE))
        if page > pages:
            abort(404)
        rows = list(Message.select().order_by(Message.id).paginate(page, h.PAGE_SIZE))

        class Pagination:  # the template calls pagination.get_pages()
            @staticmethod
            def get_pages() -> int:
                return pages

        return render_template("bench/list.html", object_list=rows, page=page, pagination=Pagination)

    database.connect()
    user = User.get_by_id(1)
    user.password = ldap_salted_sha256.hash(h.BENCH_PASSWORD)
    user.save()
    database.close()

    admin_client = app.test_client()
    with admin_client.session_transaction() as sess:
        sess["user_id"] = user.id
    return {
        "app": app,
        "database": database,
        "User": User,
        "Message": Message,
        "user": user,
        "admin_client": admin_client,
        "user_dict": user_dict,
    }


def build(ctx: h.Context) -> dict[str, Any]:
    o = make_app(ctx.args)
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

        return h.Workload(run, note="HTTP Basic, ldap_salted_sha256 hash; no throttle, no audit")

    def login_form(ctx: h.Context) -> h.Workload:
        state: dict[str, Any] = {}

        def before() -> None:  # a new browser that has opened the login page
            state["client"] = o["app"].test_client()
            state["client"].get(h.LOGIN_URL)

        def run() -> h.Result:
            form = {"username": o["user"].username, "password": h.BENCH_PASSWORD}
            return h.login_result(state["client"].post(h.LOGIN_URL, data=form))

        return h.Workload(run, before=before, note="session cleared and set; no CSRF, no throttle")

    def admin_page(url: str) -> h.Workload:
        return h.Workload(lambda: h.html_result(admin_client.get(url)))

    def preload(nested: bool) -> list[Any]:
        database = o["database"]
        database.connect(reuse_if_open=True)
        query = Message.select().order_by(Message.id).limit(h.SERIALIZE_COUNT)
        if nested:
            query = Message.select(Message, User).join(User).order_by(Message.id).limit(h.SERIALIZE_COUNT)
        objects = list(query)
        database.close()
        return objects

    def serialize(nested: bool) -> h.Workload:
        objects = preload(nested)
        user_dict = o["user_dict"]

        def flat(m: Any) -> dict[str, Any]:
            return {"id": m.id, "user": m.user_id, "content": m.content, "pub_date": m.pub_date.isoformat()}

        def with_user(m: Any) -> dict[str, Any]:
            return {"id": m.id, "user": user_dict(m.user), "content": m.content, "pub_date": m.pub_date.isoformat()}

        convert = with_user if nested else flat

        def run() -> h.Result:
            data = [convert(obj) for obj in objects]
            return h.Result(shape=h.json_shape(data[0]), rows=len(data))

        return h.Workload(run, memory=True, warmup=3, repeats=ctx.args.repeats)

    def export(fmt: str) -> h.Workload:
        url = "/admin/message/export/" if fmt == "csv" else "/admin/message/export.json"

        def run() -> h.Result:
            response = admin_client.get(url)
            nbytes, newlines = h.drain(response)
            rows = newlines - (1 if fmt == "csv" else 2)
            return h.Result(status=response.status_code, shape=f"{fmt}-stream", rows=rows, nbytes=nbytes)

        return h.Workload(run, memory=True, note="one query streamed with .iterator()")

    def follow_cursor(page: int) -> str:
        url = "/api-cursor/message/"
        for _ in range(page - 1):
            url = client.get(url).get_json()["meta"]["next"]
        return url

    def cursor_page(page: int) -> h.Workload:
        url = follow_cursor(page)

        def run() -> h.Result:
            response = client.get(url)
            return h.Result(status=response.status_code, shape=h.list_shape(response.get_json()))

        return h.Workload(run, note=f"page {page} reached by following `next` cursors")

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
        "rest_create_no_throttle": rest_create,
    }


if __name__ == "__main__":
    versions = h.versions_of("flask", "werkzeug", "peewee", "libpass", "jinja2")
    sys.exit(h.main("floor", versions, build))
