"""``AdminPanel``: a box on the admin dashboard, with optional views of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import render_template, url_for
from markupsafe import Markup

from flask_peewee.utils import slugify

if TYPE_CHECKING:
    from flask_peewee.admin._admin import Admin

__all__ = ["AdminPanel"]


class AdminPanel:
    """A panel rendered on the dashboard with :meth:`get_context`; :meth:`get_urls` may add views.

    Usage::

        class NotePanel(AdminPanel):
            template_name = "admin/notes.html"

            def get_context(self):
                return {"note_list": Note.select().order_by(Note.created.desc()).limit(3)}

        admin.register_panel("Notes", NotePanel)

    Views of :meth:`get_urls` live under ``/admin/<slug of title>/`` and are protected like
    the rest of the admin (login, permission, cross-site POSTs refused).
    """

    template_name = "admin/panels/default.html"

    def __init__(self, admin: Admin, title: str) -> None:
        self.admin = admin
        self.title = title
        self.slug = slugify(title) or "panel"

    def dashboard_url(self) -> str:
        """The URL of the admin dashboard (where panel views usually redirect)."""
        return url_for(f"{self.admin.blueprint.name}.index")

    def check_permission(self, user: Any) -> bool:
        """Whether ``user`` may see this panel and use its views (default: the whole admin's permission).

        Per-model grants never open a panel: override this to open it to more users.
        """
        return user is not None and bool(self.admin.check_user_permission(user))

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        """``(url, view)`` pairs added under the panel's slug; the admin protects them."""
        return ()

    def get_url_name(self, name: str) -> str:
        """The endpoint of the panel view ``name``, for ``url_for`` (``admin.panel_notes_create``)."""
        return f"{self.admin.blueprint.name}.panel_{self.slug.replace('-', '_')}_{name}"

    def get_template_name(self) -> str:
        """The template rendering the panel on the dashboard (:attr:`template_name`)."""
        return self.template_name

    def get_context(self) -> dict[str, Any]:
        """Extra template context for :meth:`render`."""
        return {}

    def render(self) -> Markup:
        """The panel's HTML for the dashboard: its template with ``panel`` and :meth:`get_context`."""
        context = {"panel": self, **self.get_context()}
        return Markup(render_template(self.get_template_name(), **context))  # noqa: S704 - rendered by Jinja, autoescaped
