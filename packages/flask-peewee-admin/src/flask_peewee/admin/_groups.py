"""``GroupsPanel``: the admin screens of the auth layer's groups, memberships and permission grants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import peewee
from flask import abort, flash, redirect, render_template, request, url_for

from flask_peewee.admin._i18n import N_, gettext
from flask_peewee.admin._panels import AdminPanel
from flask_peewee.auth import validate_csrf_token

if TYPE_CHECKING:
    from flask_peewee.auth import Auth

__all__ = ["GroupsPanel"]

SOURCE = "admin"
_MAX_ID = 2**63 - 1  # larger ids are no row's (and no column takes them)
CSRF_ERROR = N_("The form has expired or did not come from this site. Please try again.")
#: The refusals of auth's group methods (``GroupError.template``), marked for the admin's catalogue.
GROUP_ERRORS = frozenset(
    {
        N_("the group name must be text"),
        N_("the group name must not be empty"),
        N_("the group name must be at most %(limit)s characters"),
        N_("the group name must not hold a NUL character"),
        N_("the description must be at most 255 characters, without NUL"),
        N_("a group named %(name)s already exists"),
        N_("no group %(group)s"),
    }
)


def error_sentence(exc: ValueError) -> str:
    """A refused change as a sentence of the page, in the user's language (auth's English when not in the catalogue)."""
    text = str(exc)
    template = getattr(exc, "template", None)
    if template in GROUP_ERRORS:
        text = gettext(template, **getattr(exc, "params", {}))
    return f"{text[:1].upper()}{text[1:]}."


class GroupsPanel(AdminPanel):
    """Groups of users and permission grants, managed from the admin.

    Usage::

        admin.register_panel("Groups", GroupsPanel)

    The dashboard lists the groups; its pages create, rename and delete groups, set their
    members and their grants (the ``view``/``add``/``change``/``delete``/``export`` actions
    of the permission policy, per model), and show one user's groups, own grants and the
    permissions they add up to. Like every panel, only users with the whole admin's
    permission open it; every form carries a CSRF token and every write is recorded in the
    audit log (source ``"admin"``) in the transaction that makes it.
    """

    template_name = "admin/panels/groups.html"

    @property
    def auth(self) -> Auth:
        return self.admin.auth

    def get_urls(self) -> tuple[tuple[str, Callable[..., Any]], ...]:
        return (
            ("/", self.groups),
            ("/<int:group_id>/", self.group),
            ("/users/<int:user_id>/", self.user),
        )

    def get_context(self) -> dict[str, Any]:
        return {"groups": self._groups_with_counts()}

    # -- what the pages show ------------------------------------------------------------

    def permission_models(self, granted: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        """``(table, label)`` of the models a grant may name: the admin's models, then any already granted."""
        shown: dict[str, str] = {}
        for model_admin in self.admin.get_model_admins():
            shown.setdefault(model_admin.model._meta.table_name, model_admin.get_display_name())
        for table, _action in sorted(granted):
            shown.setdefault(table, table)
        return list(shown.items())

    def _groups_with_counts(self) -> list[tuple[Any, int]]:
        auth = self.auth
        member = auth.GroupMember
        counts = dict(
            member.select(member.group_id, peewee.fn.COUNT(member.id)).group_by(member.group_id).tuples()  # one query
        )
        return [(group, counts.get(group.id, 0)) for group in auth.get_groups()]

    def _render(self, template: str, status: int = 200, **context: Any) -> tuple[str, int]:
        return render_template(template, panel=self, actions=self.auth.permission_policy.actions, **context), status

    def _grants_from_form(self, tables: Iterable[str]) -> set[tuple[str, str]] | None:
        """The ``(table, action)`` pairs ticked in the form; None when one names no shown model or action."""
        allowed_tables, actions = set(tables), set(self.auth.permission_policy.actions)
        wanted = set()
        for value in request.form.getlist("grant"):
            table, _sep, action = value.rpartition(":")
            if table not in allowed_tables or action not in actions:
                return None
            wanted.add((table, action))
        return wanted

    # -- views --------------------------------------------------------------------------

    def groups(self) -> Any:
        """Every group with its member count; POST creates one. ``?username=`` opens that user's page."""
        auth = self.auth
        error = None
        username = request.args.get("username", "").strip()
        if username:
            user_model = auth.User
            found = user_model.get_or_none(user_model.username == username)
            if found is not None:
                return redirect(url_for(self.get_url_name("user"), user_id=found.get_id()))
            error = gettext("No user named %(username)s.", username=repr(username))
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            else:
                try:
                    created = auth.create_group(
                        request.form.get("name", ""), request.form.get("description", ""), source=SOURCE
                    )
                except ValueError as exc:
                    error = error_sentence(exc)
                else:
                    flash(gettext("Created the group %(name)s.", name=created.name), "success")
                    return redirect(url_for(self.get_url_name("group"), group_id=created.id))
        return self._render(
            "admin/groups/index.html", groups=self._groups_with_counts(), error=error, form=request.form
        )

    def group(self, group_id: int) -> Any:
        """One group: its name, members and grants; POST ``do`` = edit, add_member, remove_member, grants, delete."""
        auth = self.auth
        group = auth.get_group(group_id)
        if group is None:
            abort(404)
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            else:
                try:
                    done = self._change_group(group)
                except ValueError as exc:
                    error = error_sentence(exc)
                else:
                    flash(done, "success")
                    if request.form.get("do") == "delete":
                        return redirect(url_for(self.get_url_name("groups")))
                    return redirect(url_for(self.get_url_name("group"), group_id=group.id))
                group = auth.get_group(group_id) or group
        granted = auth.get_group_permissions(group)
        return self._render(
            "admin/groups/group.html",
            group=group,
            members=auth.get_group_members(group),
            granted=granted,
            models=self.permission_models(granted),
            error=error,
        )

    def _change_group(self, group: Any) -> str:
        auth = self.auth
        do = request.form.get("do")
        if do == "delete":
            auth.delete_group(group, source=SOURCE)
            return gettext("Deleted the group %(name)s.", name=group.name)
        if do == "edit":
            return self._edit_group(group)
        if do in ("add_member", "remove_member"):
            user_model = auth.User
            username = request.form.get("username", "").strip()
            user = user_model.get_or_none(user_model.username == username) if username else None
            if user is None:
                raise ValueError(gettext("no user named %(username)s", username=repr(username)))
            if do == "add_member":
                added = auth.add_to_group(user, group, source=SOURCE)
                if added:
                    return gettext("Added %(user)s to %(group)s.", user=user, group=group.name)
                return gettext("%(user)s was already in %(group)s.", user=user, group=group.name)
            auth.remove_from_group(user, group, source=SOURCE)
            return gettext("Removed %(user)s from %(group)s.", user=user, group=group.name)
        if do == "grants":
            granted = auth.get_group_permissions(group)
            tables = [table for table, _label in self.permission_models(granted)]
            wanted = self._grants_from_form(tables)
            if wanted is None:
                raise ValueError(gettext("the form names a model or an action this page does not offer"))
            with auth.db.database.atomic():
                for table, action in sorted(wanted - granted):
                    auth.grant_group_permission(group, table, action, source=SOURCE)
                for table, action in sorted(granted - wanted):
                    auth.revoke_group_permission(group, table, action, source=SOURCE)
            return gettext("Saved the permissions of %(name)s.", name=group.name)
        raise ValueError(gettext("unknown change"))

    def _edit_group(self, group: Any) -> str:
        name, description = request.form.get("name", ""), request.form.get("description", "")
        changed = self.auth.update_group(group, name, description, source=SOURCE)
        return gettext("Saved the group %(name)s.", name=changed.name)

    def user(self, user_id: int) -> Any:
        """One user's groups and own grants, and the permissions they add up to; POST ``do`` = groups, grants."""
        auth = self.auth
        user_model = auth.User
        user = user_model.get_or_none(user_model._meta.primary_key == user_id) if user_id <= _MAX_ID else None
        if user is None:
            abort(404)
        error = None
        if request.method == "POST":
            if not validate_csrf_token():
                error = gettext(CSRF_ERROR)
            else:
                try:
                    done = self._change_user(user)
                except ValueError as exc:
                    error = error_sentence(exc)
                else:
                    flash(done, "success")
                    return redirect(url_for(self.get_url_name("user"), user_id=user_id))
        own = self._own_grants(user)
        effective = auth.get_permissions(user)
        return self._render(
            "admin/groups/user.html",
            subject=user,
            all_groups=auth.get_groups(),
            member_of={group.id for group in auth.get_groups(user)},
            granted=own,
            effective=effective,
            models=self.permission_models(own | effective),
            error=error,
        )

    def _own_grants(self, user: Any) -> set[tuple[str, str]]:
        grant = self.auth.PermissionGrant
        rows = grant.select(grant.model, grant.action).where(grant.user_id == user.get_id()).tuples()
        return {(model, action) for model, action in rows}

    def _change_user(self, user: Any) -> str:
        auth = self.auth
        do = request.form.get("do")
        if do == "groups":
            groups = {group.id: group for group in auth.get_groups()}
            try:
                chosen = {int(value) for value in request.form.getlist("group")}
            except ValueError:
                raise ValueError(gettext("the form names a group that does not exist")) from None
            if not chosen <= set(groups):
                raise ValueError(gettext("the form names a group that does not exist"))
            current = {group.id for group in auth.get_groups(user)}
            with auth.db.database.atomic():
                for group_id in sorted(chosen - current):
                    auth.add_to_group(user, groups[group_id], source=SOURCE)
                for group_id in sorted(current - chosen):
                    auth.remove_from_group(user, groups[group_id], source=SOURCE)
            return gettext("Saved the groups of %(user)s.", user=user)
        if do == "grants":
            granted = self._own_grants(user)
            tables = [table for table, _label in self.permission_models(granted)]
            wanted = self._grants_from_form(tables)
            if wanted is None:
                raise ValueError(gettext("the form names a model or an action this page does not offer"))
            with auth.db.database.atomic():
                for table, action in sorted(wanted - granted):
                    auth.grant_permission(user, table, action, source=SOURCE)
                for table, action in sorted(granted - wanted):
                    auth.revoke_permission(user, table, action, source=SOURCE)
            return gettext("Saved the permissions of %(user)s.", user=user)
        raise ValueError(gettext("unknown change"))
