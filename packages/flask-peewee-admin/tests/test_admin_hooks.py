"""Issue 13 for the admin: every hook of the original's Admin, ModelAdmin and AdminPanel is called where the
original called it (or refused when the class is created), and templates written for the original render."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, redirect, render_template
from jinja2 import ChoiceLoader, DictLoader

from flask_peewee.admin import Admin, AdminPanel, ModelAdmin
from flask_peewee.admin._hooks import MODEL_ADMIN_REFUSED
from flask_peewee.auth.testing import log_in
from flask_peewee.db import ImproperlyConfigured
from tests.conftest import csrf_of, make_user

#: the original's hooks, as data: each is overridden below and must be seen called
HONOURED = {
    "ModelAdmin": [
        "get_form_data", "get_extra_context", "get_search_fields", "apply_ordering", "apply_search",
        "dispatch_save_redirect", "get_export_field_objects", "ajax_list", "get_query", "get_object",
        "process_filters", "get_form", "get_add_form", "get_edit_form", "get_columns", "column_is_sortable",
        "get_display_name", "get_admin_name", "save_model", "collect_objects", "get_urls",
        "get_export_fields", "get_template_overrides",
    ],
    "Admin": [
        "get_admin_url", "get_model_name", "configure_routes", "register_blueprint",
        "prepare_template_environment", "auth_required", "check_user_permission", "get_urls",
    ],
    "AdminPanel": ["get_urls", "get_context", "get_template_name", "render", "dashboard_url"],
}  # fmt: skip
#: the original's ModelAdmin names that have no such point here: refused when a subclass sets them
REFUSED = ["filter_converter", "get_exportable_lookups"]

TEMPLATES = {
    # written against the original's block structure (example/templates/admin/*.html style)
    "admin/posting_list.html": """{% extends "admin/models/index.html" %}
{% block content_tagline %}{{ extra_flag }}{% endblock %}
{% block extra_script %}{{ super() }}<script src="/static/custom-admin.js"></script>{% endblock %}
{% block extra_tabs %}<li><a href="/admin/stats/">Stats tab</a></li>{% endblock %}
{% block object_action_links %}<li><a href="/preview/{{ object._pk }}/">Preview {{ object._pk }}</a></li>{% endblock %}
{% block footer %}Posting footer{% endblock %}
""",
    "admin/posting_add.html": """{% extends "admin/models/add.html" %}
{% block extra_form %}<p class="extra-form-bit">Remember to be nice.</p>{% endblock %}
""",
    "admin/hooked_panel.html": """{% extends "admin/panels/default.html" %}
{% block panel_content %}<p>{{ panel_flag }}</p>
<form method="post" action="{{ url_for(panel.get_url_name('go')) }}"><button type="submit">Go</button></form>
{% endblock %}
""",
    "admin/plain_panel.html": """{% extends "admin/panels/base.html" %}
{% block panel_title %}Plain panel{% endblock %}
{% block panel_content %}{% include "admin/includes/form_raw_id.html" %}plain body{% endblock %}
""",
    "admin/stats.html": """{% extends "admin/base.html" %}
{% block title %}Stats{% endblock %}
{% block content_title %}Site stats{% endblock %}
{% block breadcrumbs %}{{ super() }}<li>Stats</li>{% endblock %}
{% block content %}<p>{{ site_flag }}: {{ admin.get_model_admins()|length }} models</p>{% endblock %}
""",
}


@pytest.fixture
def hooked(app: Flask, db: Any, auth: Any, models: Any) -> Any:
    calls: list[tuple[str, str]] = []
    Message, Note = models.Message, models.Note
    app.jinja_loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_loader])

    def seen(owner: str, name: str) -> None:
        calls.append((owner, name))

    class HookedMessageAdmin(ModelAdmin):
        search_fields = ("content",)

        def get_template_overrides(self) -> dict[str, str]:
            seen("ModelAdmin", "get_template_overrides")
            return {"index": "admin/posting_list.html", "add": "admin/posting_add.html"}

        def get_form_data(self) -> Any:
            seen("ModelAdmin", "get_form_data")
            return super().get_form_data()

        def get_extra_context(self) -> dict[str, Any]:
            seen("ModelAdmin", "get_extra_context")
            return {"extra_flag": "EXTRA-CONTEXT"}

        def get_search_fields(self) -> list[str]:
            seen("ModelAdmin", "get_search_fields")
            return ["content"]

        def apply_ordering(self, query: Any, ordering: Any) -> Any:
            seen("ModelAdmin", "apply_ordering")
            return super().apply_ordering(query, ordering)

        def apply_search(self, query: Any, term: Any) -> Any:
            seen("ModelAdmin", "apply_search")
            return super().apply_search(query, term)

        def dispatch_save_redirect(self, instance: Any) -> Any:
            seen("ModelAdmin", "dispatch_save_redirect")
            return redirect(f"/saved/{instance._pk}/")

        def get_export_fields(self, model: Any = None) -> list[str]:
            seen("ModelAdmin", "get_export_fields")
            return super().get_export_fields(model)

        def get_export_field_objects(self, model: Any = None) -> list[Any]:
            seen("ModelAdmin", "get_export_field_objects")
            return [f for f in super().get_export_field_objects(model) if f.name != "pub_date"]

        def ajax_list(self) -> Any:
            seen("ModelAdmin", "ajax_list")
            return super().ajax_list()

        def get_query(self) -> Any:
            seen("ModelAdmin", "get_query")
            return super().get_query().where(Message.content != "secret row")

        def get_object(self, pk: Any) -> Any:
            seen("ModelAdmin", "get_object")
            return super().get_object(pk)

        def process_filters(self, query: Any) -> Any:
            seen("ModelAdmin", "process_filters")
            return super().process_filters(query)

        def get_form(self, adding: bool = False) -> Any:
            seen("ModelAdmin", "get_form")
            return super().get_form(adding)

        def get_add_form(self) -> Any:
            seen("ModelAdmin", "get_add_form")
            return super().get_add_form()

        def get_edit_form(self, instance: Any) -> Any:
            seen("ModelAdmin", "get_edit_form")
            assert isinstance(instance, Message)
            return super().get_edit_form(instance)

        def get_columns(self) -> Any:
            seen("ModelAdmin", "get_columns")
            return ["content", "user", "pub_date"]  # the original's plain names

        def column_is_sortable(self, col: str) -> bool:
            seen("ModelAdmin", "column_is_sortable")
            return col == "content"

        def get_display_name(self) -> str:
            seen("ModelAdmin", "get_display_name")
            return "Posting"

        def get_admin_name(self) -> str:
            seen("ModelAdmin", "get_admin_name")
            return "posting"

        def save_model(self, instance: Any, form: Any, adding: bool = False) -> Any:
            seen("ModelAdmin", "save_model")
            form.populate_obj(instance)
            instance.content = instance.content.upper()
            instance.save(force_insert=adding)
            return instance

        def collect_objects(self, obj: Any) -> Any:
            seen("ModelAdmin", "collect_objects")
            return [(0, Note, [Note(message="a dependent note")])]  # the original's (depth, model, objects)

        def get_urls(self) -> Any:
            seen("ModelAdmin", "get_urls")
            return (*super().get_urls(), ("/ping/", self.ping))

        def ping(self) -> str:
            return "pong"

    class HookedPanel(AdminPanel):
        def get_urls(self) -> Any:
            seen("AdminPanel", "get_urls")
            return (("/go/", self.go),)

        def go(self) -> Any:
            return redirect(self.dashboard_url())

        def dashboard_url(self) -> str:
            seen("AdminPanel", "dashboard_url")
            return super().dashboard_url() + "?from=panel"

        def get_context(self) -> dict[str, Any]:
            seen("AdminPanel", "get_context")
            return {"panel_flag": "PANEL-CONTEXT"}

        def get_template_name(self) -> str:
            seen("AdminPanel", "get_template_name")
            return "admin/hooked_panel.html"

        def render(self) -> Any:
            seen("AdminPanel", "render")
            return super().render()

    class PlainPanel(AdminPanel):
        template_name = "admin/plain_panel.html"

    class HookedAdmin(Admin):
        def get_admin_url(self, obj: Any) -> Any:
            seen("Admin", "get_admin_url")
            return super().get_admin_url(obj)

        def get_model_name(self, model_class: Any) -> str:
            seen("Admin", "get_model_name")
            return super().get_model_name(model_class)

        def configure_routes(self) -> None:
            seen("Admin", "configure_routes")
            super().configure_routes()
            self.blueprint.add_url_rule("/hello/", "hello", self.auth_required(self.hello))

        def hello(self) -> str:
            return "hello from configure_routes"

        def register_blueprint(self, **kwargs: Any) -> None:
            seen("Admin", "register_blueprint")
            super().register_blueprint(**kwargs)

        def prepare_template_environment(self) -> None:
            seen("Admin", "prepare_template_environment")
            super().prepare_template_environment()
            self.app.jinja_env.globals["site_flag"] = "SITE-FLAG"  # type: ignore[union-attr]

        def auth_required(self, func: Any) -> Any:
            seen("Admin", "auth_required")
            return super().auth_required(func)

        def check_user_permission(self, user: Any) -> bool:
            seen("Admin", "check_user_permission")
            return user.username == "boss"

        def get_urls(self) -> Any:
            seen("Admin", "get_urls")
            return (*super().get_urls(), ("/stats/", self.auth_required(self.stats)))

        def stats(self) -> str:
            return render_template("admin/stats.html")

    admin = HookedAdmin(app, auth, branding="Hooked")
    admin.register(Message, HookedMessageAdmin)
    admin.register(Note)
    auth.register_admin(admin)
    admin.register_panel("Hooked", HookedPanel)
    admin.register_panel("Plain", PlainPanel)
    admin.setup()
    db.create_tables()
    boss = make_user(app, auth, "boss", admin=True)
    make_user(app, auth, "other", admin=True)
    with app.app_context():
        Message.create(user=boss, content="hello world")
        Message.create(user=boss, content="secret row")
    db.database.close()
    client = app.test_client()
    log_in(client, boss)
    return client, calls


def test_every_original_hook_is_called(hooked: Any, app: Flask, auth: Any, models: Any) -> None:
    client, calls = hooked
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "PANEL-CONTEXT" in dashboard  # get_context, get_template_name, render
    listing = client.get("/admin/posting/?q=hello&ordering=content").get_data(as_text=True)
    assert "hello world" in listing
    assert "secret row" not in client.get("/admin/posting/").get_data(as_text=True)  # get_query
    assert "EXTRA-CONTEXT" in listing  # get_extra_context, in the original's content_tagline block
    assert 'href="/admin/user/1/"' in listing  # get_admin_url links the user column
    assert "Cannot order by" in client.get("/admin/posting/?ordering=pub_date").get_data(as_text=True)
    plain = client.get("/admin/posting/").get_data(as_text=True)
    assert 'href="?ordering=content"' in plain  # column_is_sortable decides which headers link
    assert 'href="?ordering=pub_date"' not in plain
    assert "User / Username" in listing  # a related filter's label, through get_model_name
    token = csrf_of(client, "/admin/posting/add/")
    added = client.post("/admin/posting/add/", data={"csrf_token": token, "user": "1", "content": "shout"})
    assert added.status_code == 302
    assert added.headers["Location"].startswith("/saved/")  # dispatch_save_redirect
    with app.app_context():
        assert models.Message.select().where(models.Message.content == "SHOUT").count() == 1  # save_model
    assert client.get("/admin/posting/1/").status_code == 200  # get_object, get_edit_form(instance)
    delete_page = client.get("/admin/posting/delete/?id=1").get_data(as_text=True)
    assert "a dependent note" in delete_page  # collect_objects in the original's shape
    export = json.loads(client.get("/admin/posting/export/?_format=json").get_data(as_text=True))
    assert "pub_date" not in export[0]
    assert "content" in export[0]
    ajax = client.get("/admin/posting/_ajax/?field=user").get_json()
    assert ajax == {
        "prev_page": 0,
        "next_page": 0,
        "object_list": [{"id": 1, "repr": "boss"}, {"id": 2, "repr": "other"}],
    }
    assert client.get("/admin/posting/ping/").get_data(as_text=True) == "pong"  # ModelAdmin.get_urls
    assert client.get("/admin/hello/").get_data(as_text=True) == "hello from configure_routes"
    stats = client.get("/admin/stats/").get_data(as_text=True)  # Admin.get_urls
    assert "SITE-FLAG: 3 models" in stats  # prepare_template_environment
    go = client.post("/admin/hooked/go/")
    assert go.headers["Location"] == "/admin/?from=panel"  # AdminPanel.get_urls and dashboard_url
    other = app.test_client()
    with app.app_context():
        log_in(other, auth.User.get(auth.User.username == "other"))
    assert other.get("/admin/").status_code == 403  # check_user_permission decides, not the admin flag
    for owner, names in HONOURED.items():
        for name in names:
            assert (owner, name) in calls, f"{owner}.{name} was never called"


@pytest.mark.parametrize("name", REFUSED)
def test_hooks_without_a_point_here_are_refused_at_class_creation(name: str) -> None:
    assert name in MODEL_ADMIN_REFUSED
    with pytest.raises(ImproperlyConfigured, match=f"{name} is not supported"):
        type("LegacyAdmin", (ModelAdmin,), {name: lambda self: None})


def test_templates_written_for_the_original_render_inside_the_admin(hooked: Any) -> None:
    client, _calls = hooked
    listing = client.get("/admin/posting/").get_data(as_text=True)
    assert '<script src="/static/custom-admin.js"></script>' in listing
    assert "admin.js" in listing  # super() of extra_script keeps the admin's own
    assert '<a href="/admin/stats/">Stats tab</a>' in listing
    assert 'class="active"><a href="/admin/posting/">Posting</a>' in listing  # tab_index_class of index.html
    assert '<a href="/preview/1/">Preview 1</a>' in listing
    assert "Posting footer" in listing
    assert '<body class="admin model-admin">' in listing
    add = client.get("/admin/posting/add/").get_data(as_text=True)
    assert '<p class="extra-form-bit">Remember to be nice.</p>' in add
    assert add.index("extra-form-bit") < add.index('name="_save"')  # inside the form, before the buttons
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert ">Plain panel</h2>" in dashboard
    assert "plain body" in dashboard
    assert ">Hooked</h2>" in dashboard
    stats = client.get("/admin/stats/").get_data(as_text=True)
    assert "<title>Stats &middot; Hooked</title>" in stats
    assert "Site stats" in stats
    assert "<li>Stats</li>" in stats
