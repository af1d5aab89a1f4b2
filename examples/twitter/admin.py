"""The example's admin: models with custom ModelAdmins, the User admin, and dashboard panels (groups among them)."""

import datetime

from flask import redirect, request

from app import app
from auth import auth
from flask_peewee.admin import Admin, AdminPanel, GroupsPanel, ModelAdmin
from flask_peewee.utils import safe_next_url
from models import MAX_MESSAGE_LENGTH, Message, Note, Relationship, User


class MessageAdmin(ModelAdmin):
    columns = ("user", "content", "pub_date")
    foreign_key_lookups = {"user": "username"}
    search_fields = ("content", "user__username")


class RelationshipAdmin(ModelAdmin):
    columns = ("from_user", "to_user")
    foreign_key_lookups = {"from_user": "username", "to_user": "username"}


class NoteAdmin(ModelAdmin):
    columns = ("user", "message", "created")
    foreign_key_lookups = {"user": "username"}


class NotePanel(AdminPanel):
    """The docs' panel: admins leave notes for each other on the dashboard."""

    template_name = "admin/notes.html"

    def get_urls(self):
        return (("/create/", self.create),)

    def create(self):
        if request.method == "POST":
            message = request.form.get("message", "").strip()
            if message:
                Note.create(user=auth.get_logged_in_user(), message=message[:MAX_MESSAGE_LENGTH])
        # The docs redirect to any `next`; only follow it when it stays on this site.
        return redirect(safe_next_url(request.form.get("next"), self.dashboard_url()))

    def get_context(self):
        return {
            "note_list": Note.select().order_by(Note.created.desc()).limit(3),
        }


class UserStatsPanel(AdminPanel):
    """New users and messages this week, at a glance."""

    template_name = "admin/user_stats.html"

    def get_context(self):
        last_week = datetime.datetime.now() - datetime.timedelta(days=7)
        return {
            "user_count": User.select().where(User.join_date >= last_week).count(),
            "message_count": Message.select().where(Message.pub_date >= last_week).count(),
        }


admin = Admin(app, auth)
auth.register_admin(admin)
admin.register(Relationship, RelationshipAdmin)
admin.register(Message, MessageAdmin)
admin.register(Note, NoteAdmin)
admin.register_panel("Notes", NotePanel)
admin.register_panel("User stats", UserStatsPanel)
admin.register_panel("Groups", GroupsPanel)  # groups of users and their permission grants
admin.setup()
