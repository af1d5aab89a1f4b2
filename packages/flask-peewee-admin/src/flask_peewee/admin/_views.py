"""The views of a :class:`~flask_peewee.admin.ModelAdmin`: list, add, edit, delete, bulk actions, history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

import peewee
from flask import Response, abort, flash, redirect, render_template, request
from markupsafe import Markup, escape
from werkzeug.datastructures import CombinedMultiDict

from flask_peewee.admin._audit import (
    audit_log_of,
    delete_with_audit,
    describe_changes,
    record,
    send_deleted,
    send_saved,
    snapshot,
)
from flask_peewee.admin._conflicts import explain_refusal
from flask_peewee.admin._filters import ROW_FIELD, rows_to_args
from flask_peewee.admin._forms import VERSION_FIELD, SecretField, keep_unchanged
from flask_peewee.admin._host import ModelAdminHost
from flask_peewee.admin._i18n import N_, gettext
from flask_peewee.admin._keys import parse_keys
from flask_peewee.admin._prepared import ListPagination, prepared_pagination
from flask_peewee.auth import validate_csrf_token
from flask_peewee.db.typed import does_not_exist, pk_expr, primary_key
from flask_peewee.utils import QueryError, get_sensitive_fields
from flask_peewee.utils.uploads import delete_object_files, upload_batch

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["CONFLICT_MESSAGE", "CSRF_CONFIRM_MESSAGE", "CSRF_MESSAGE", "CSRF_RETRY_MESSAGE", "ModelViews"]

CSRF_MESSAGE = N_("The form has expired or did not come from this site. Reload the page and try again.")
CSRF_RETRY_MESSAGE = N_(
    "Nothing was saved: this form had expired (your session changed since it was opened, for example "
    "by logging in again). Your input is shown again below; check it and submit again "
    "(files and passwords must be entered again)."
)
CSRF_CONFIRM_MESSAGE = N_(
    "Nothing was done: this page had expired (your session changed since it was opened, for example "
    "by logging in again). Check the selection below and confirm again."
)
CONFLICT_MESSAGE = N_(
    "Someone else changed this object after you opened it. Your changes were not saved: "
    "the form now shows the current values; make your changes again."
)


def _named_groups(groups: Any, action: str = "deleted") -> list[tuple[str, list[Any]]]:
    """Groups of dependent rows as ``(label, objects)`` for the delete page.

    Takes the original's ``(depth, model, objects)`` groups (what :meth:`ModelViews.collect_objects`
    returns) and, from older overrides, ``(label, objects)`` pairs.
    """
    result = []
    for group in groups or ():
        if len(group) == 3:
            _depth, model, objects = group
            result.append((f"{getattr(model, '__name__', str(model))} ({action})", list(objects)))
        else:
            result.append((str(group[0]), list(group[1])))
    return result


class ListRow(NamedTuple):
    """A row of the list page: the object, its primary key, its edit URL and its cells as HTML."""

    obj: Any
    pk: Any
    edit_url: str
    cells: Markup
    select_label: str = ""  # the row's checkbox label, "Select <object>" in the user's language


class StaleVersion(Exception):
    """The object changed after the edit form was opened (found inside the save's transaction)."""


def _write_atomic(database: Any) -> Any:
    """``database.atomic()``; on SQLite an immediate transaction, so concurrent saves queue for the write lock."""
    bound = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if isinstance(bound, peewee.SqliteDatabase) and bound.transaction_depth() == 0:
        return bound.atomic(lock_type="IMMEDIATE")
    return database.atomic()


def _ids() -> list[str]:
    return [v for v in request.values.getlist("id") if v.strip()]


class _Host(ModelAdminHost, Protocol):
    """A :class:`ModelViews` host: a ``ModelAdmin``, with the views' own helpers they call on each other."""

    def _require(self, action: str) -> None: ...
    def _get_or_404(self, pk: Any) -> peewee.Model: ...
    def _keep_secrets(self, form: Any, instance: peewee.Model) -> None: ...
    def _save(self, instance: peewee.Model, form: Any, formsets: list[Any], adding: bool) -> peewee.Model: ...
    def _check_version_locked(self, instance: peewee.Model) -> None: ...
    def _add_inline_row(self, formsets: list[Any]) -> bool: ...
    def _render_form(self, template: str, status: int, **context: Any) -> Any: ...
    def get_form_data(self) -> Any: ...
    def get_extra_context(self) -> dict[str, Any]: ...
    def render(self, template: str, **context: Any) -> str: ...
    def dispatch_save_redirect(self, instance: peewee.Model) -> Any: ...
    def show_refusal(self, form: Any, instance: peewee.Model, exc: Exception) -> None: ...
    def collect_objects(self, obj: peewee.Model) -> list[tuple[int, type[peewee.Model], list[Any]]]: ...
    def collect_unlinked(self, obj: peewee.Model) -> list[tuple[int, type[peewee.Model], list[Any]]]: ...
    def action(self) -> Any: ...
    def list_rows(self, objects: list[Any], columns: list[Any]) -> list[ListRow]: ...


class ModelViews:
    """Views mixed into :class:`~flask_peewee.admin.ModelAdmin` (their names make the endpoint names)."""

    model: type[peewee.Model]
    templates: dict[str, str]
    paginate_by: int

    # -- helpers ----------------------------------------------------------------------

    def _require(self: _Host, action: str) -> None:
        if not self.can(action):
            abort(403)

    def _get_or_404(self: _Host, pk: Any) -> peewee.Model:
        try:
            return self.get_object(pk)
        except does_not_exist(self.model):
            abort(404)

    def get_form_data(self) -> Any:
        """The submitted data the add and edit forms are bound to: the form fields and the uploaded files."""
        return CombinedMultiDict([request.form, request.files])

    def get_extra_context(self) -> dict[str, Any]:
        """More template context for the list, add, edit, delete and export pages."""
        return {}

    def render(self: _Host, template: str, **context: Any) -> str:
        """Render this admin's page ``template`` (a key of ``templates``) with :meth:`get_extra_context`."""
        return render_template(
            self.templates[template],
            **{"model_admin": self, "admin": self.admin, **context, **self.get_extra_context()},
        )

    def _keep_secrets(self, form: Any, instance: peewee.Model) -> None:
        """A blank secret input on an edit form keeps the stored value (the form's data holds it)."""
        sensitive = get_sensitive_fields(self.model)
        for name in sensitive:
            field = getattr(form, name, None)
            if isinstance(field, SecretField) and not field.data:
                field.data = getattr(instance, name)

    def dispatch_save_redirect(self: _Host, instance: peewee.Model) -> Any:
        """Where a successful save goes, as in the original: "Save" (``_save`` or the original's ``save``)
        goes to the list, "Save and add another" (``_addanother``, ``save_add``) to a new add form, and
        otherwise ("Save and continue editing", or no button named) to the object's edit page.
        """
        if "_save" in request.form or "save" in request.form:
            return redirect(self.admin_url("index"))
        if "_addanother" in request.form or "save_add" in request.form:
            return redirect(self.admin_url("add"))
        return redirect(self.admin_url("edit", pk=instance.get_id()))

    def show_refusal(self: _Host, form: Any, instance: peewee.Model, exc: Exception) -> None:
        """Put a save the database refused on ``form``: the conflicting fields named, never driver text."""
        helper = self.admin.template_helper
        errors, general = explain_refusal(
            instance,
            exc,
            self.get_display_name(),
            lambda f: helper.get_verbose_name(self.model, f.name),
        )
        for name, message in errors.items():
            field: Any = getattr(form, name, None)
            try:
                field.errors = [*field.errors, message]
            except AttributeError:  # no such input, or one whose errors are its parts' (date and time)
                form.form_errors.append(f"{helper.get_verbose_name(self.model, name)}: {message}")
        if general:
            form.form_errors.append(general)

    # -- list -------------------------------------------------------------------------

    def index(self: _Host) -> Any:
        """The list: filters, search, ``ordering=[-]field``, ``page``, bulk actions.

        A POST (the original's list form posted its bulk actions here) goes to :meth:`action`.
        """
        self._require("view")
        if request.method == "POST":
            return self.action()
        if ROW_FIELD in request.args:
            keep = [(k, v) for k, v in request.args.items(multi=True) if k in ("q", "ordering")]
            pairs = keep + rows_to_args(request.args, self.custom_filter_keys())
            from urllib.parse import urlencode

            return redirect(request.path + ("?" + urlencode(pairs) if pairs else ""))
        query = self.get_query()
        filter_form, query, active, _tree = self.process_filters(query)
        query = self.apply_search(query, self.search_term())
        ordering = request.args.get("ordering") or None
        try:
            query = self.apply_ordering(query, ordering)
        except QueryError as exc:
            filter_form.errors.append(exc.message)
            ordering = None
        if not ordering:
            query = query.order_by(self.get_ordering())
        # the default hooks: the count and the page built once per shape of request
        pagination = prepared_pagination(self, query, filter_form, active, ordering) or ListPagination(
            query, self.paginate_by
        )
        if pagination.is_out_of_range():
            abort(404)
        object_list = self.load_related(pagination.page_objects())
        columns = self.list_columns()
        return self.render(
            "index",
            object_list=object_list,
            rows=self.list_rows(object_list, columns),
            pagination=pagination,
            query=pagination,  # the original's name
            filter_form=filter_form,
            field_tree=self.get_field_tree(),
            active_filters=self.legacy_active_filters() or filter_form.active,
            columns=columns,
            ordering=ordering or "",
            search=self.search_term(),
            search_query=self.search_term(),
            actions=self.get_actions(),
        )

    def list_rows(self: _Host, objects: list[Any], columns: list[Any]) -> list[ListRow]:
        """The list page's rows: each object's key, edit URL and cells (escaped HTML), in ``columns`` order.

        The first column links to the edit page (:meth:`AdminTemplateHelper.format_value`), the
        others show related objects as links (:meth:`AdminTemplateHelper.linked`).
        """
        helper = self.admin.template_helper
        select = gettext("Select %(object)s", object="\0")  # translated once, the object put in per row
        rows = []
        for obj in objects:
            pk = obj.get_id()
            edit_url = self.admin.object_url(self, pk)
            cells = []
            for index, column in enumerate(columns):
                value = column.value(obj)
                css = getattr(column, "css_class", None)
                td = f'<td class="{escape(css)}">' if css else "<td>"
                if index == 0:
                    cells.append(f'{td}<a href="{escape(edit_url)}">{escape(helper.format_value(value))}</a></td>')
                else:
                    cells.append(f"{td}{escape(helper.linked(value))}</td>")
            cells_html = Markup("".join(cells))  # noqa: S704 - cells escaped above
            rows.append(ListRow(obj, pk, edit_url, cells_html, select.replace("\0", str(obj))))
        return rows

    # -- add and edit -----------------------------------------------------------------

    def _save(self: _Host, instance: peewee.Model, form: Any, formsets: list[Any], adding: bool) -> peewee.Model:
        """One transaction: the object (:meth:`save_model`), its links, its inline rows, and their audit entries.

        The object's entry holds the ids of the many-to-many fields the form submitted.
        """
        # uploads are stored before the row and deleted again if the transaction fails (upload_batch)
        with upload_batch(), _write_atomic(self.database):
            if not adding:
                self._check_version_locked(instance)
            links = self.submitted_many_to_many(form, adding=adding)
            before = None if adding else snapshot(self.auth, instance, links)
            old_password = getattr(instance, "password", None)
            instance = self.save_model(instance, form, adding=adding)
            self.save_related(instance, form, adding=adding)
            entry = record(self.auth, "add" if adding else "change", instance, before, links)
            for formset in formsets:
                formset.parent = instance
                formset.save(self.auth)
        send_saved(self.auth, instance, adding=adding, entry=entry, old_password=old_password)
        return instance

    def _check_version_locked(self: _Host, instance: peewee.Model) -> None:
        """The optimistic check again, in the save's transaction, on the row read again and locked.

        Two editors submitting the same version at the same moment both pass the first check;
        here the second waits for the first to commit (``FOR UPDATE``, or SQLite's write lock)
        and then sees the new version: :class:`StaleVersion`.
        """
        submitted = request.form.get(VERSION_FIELD)
        if not submitted:
            return
        query = self.model.select().where(pk_expr(instance))
        if getattr(self.model._meta.database, "for_update", False):
            query = query.for_update()
        current = query.first()
        if current is None or self.get_version(current) != submitted:
            raise StaleVersion()

    def _add_inline_row(self, formsets: list[Any]) -> bool:
        """The inline "add" button without JavaScript: one more blank row, nothing saved."""
        prefix = request.form.get("_inline_add")
        if prefix is None:
            return False
        for formset in formsets:
            if formset.prefix == prefix and formset.can_add:
                formset.add_blank_row()
        return True

    def _render_form(self: _Host, template: str, status: int, **context: Any) -> Any:
        return self.render(template, **context), status

    def add(self: _Host) -> Any:
        """The add form; a valid POST saves through :meth:`save_model` and records the audit entry."""
        self._require("add")
        form_class = self.get_add_form()
        instance = self.model()
        status = 200
        if request.method == "POST":
            form = form_class(self.get_form_data())
            formsets = self.get_formsets(instance, request.form)
            if self._add_inline_row(formsets):
                pass
            elif not validate_csrf_token():
                form.form_errors.append(gettext(CSRF_RETRY_MESSAGE))
                status = 400
            elif all([form.validate(), *(fs.validate() for fs in formsets)]):
                try:
                    instance = self._save(instance, form, formsets, adding=True)
                except (peewee.IntegrityError, peewee.DataError) as exc:
                    self.show_refusal(form, instance, exc)
                else:
                    flash(
                        gettext(
                            "%(model)s \u201c%(object)s\u201d was added.",
                            model=self.get_display_name(),
                            object=instance,
                        ),
                        "success",
                    )
                    return self.dispatch_save_redirect(instance)
        else:
            form = form_class()
            formsets = self.get_formsets(instance)
        return self._render_form("add", status, form=form, instance=instance, inlines=formsets)

    def edit(self: _Host, pk: Any) -> Any:
        """The edit form; refused when the object changed since the form was opened (optimistic check)."""
        self._require("view")
        instance = self._get_or_404(pk)
        form_class = self.get_edit_form(instance)
        version = self.get_version(instance)
        status = 200
        if request.method == "POST":
            self._require("change")
            form = form_class(self.get_form_data(), obj=instance)
            formsets = self.get_formsets(instance, request.form)
            submitted = request.form.get(VERSION_FIELD)
            if self._add_inline_row(formsets):
                version = submitted or version
            elif not validate_csrf_token():
                # re-shown with the version it was opened with, so a resubmit still meets the optimistic check
                form.form_errors.append(gettext(CSRF_RETRY_MESSAGE))
                version = submitted or version
                status = 400
            elif submitted and submitted != version:
                form = form_class(obj=instance)
                formsets = self.get_formsets(instance)
                form.form_errors.append(gettext(CONFLICT_MESSAGE))
            elif all([form.validate(), *(fs.validate() for fs in formsets)]):
                self._keep_secrets(form, instance)
                keep_unchanged(form)
                try:
                    instance = self._save(instance, form, formsets, adding=False)
                except (peewee.IntegrityError, peewee.DataError) as exc:
                    self.show_refusal(form, instance, exc)
                except StaleVersion:  # changed between the first check and the save: shown as above
                    instance = self._get_or_404(pk)
                    version = self.get_version(instance)
                    form = form_class(obj=instance)
                    formsets = self.get_formsets(instance)
                    form.form_errors.append(gettext(CONFLICT_MESSAGE))
                else:
                    flash(
                        gettext(
                            "%(model)s \u201c%(object)s\u201d was saved.",
                            model=self.get_display_name(),
                            object=instance,
                        ),
                        "success",
                    )
                    return self.dispatch_save_redirect(instance)
        else:
            form = form_class(obj=instance)
            formsets = self.get_formsets(instance)
        return self._render_form(
            "edit",
            status,
            form=form,
            instance=instance,
            version=version,
            version_field=VERSION_FIELD,
            read_only=not self.can("change"),
            inlines=formsets,
        )

    # -- delete and bulk actions ------------------------------------------------------

    def _dependents(self, obj: peewee.Model, nullable: bool) -> list[tuple[int, type[peewee.Model], list[Any]]]:
        groups: dict[type[peewee.Model], list[Any]] = {}
        for condition, fk in obj.dependencies(exclude_null_children=True):
            if bool(fk.null) != nullable:
                continue
            rows = list(fk.model.select().where(condition).limit(101))
            if rows:
                groups.setdefault(fk.model, []).extend(rows)
        return sorted(((0, model, rows) for model, rows in groups.items()), key=lambda g: (g[0], g[1].__name__))

    def collect_objects(self, obj: peewee.Model) -> list[tuple[int, type[peewee.Model], list[Any]]]:
        """The rows deleting ``obj`` deletes with it, as the original's ``(depth, model, objects)`` groups.

        Sorted by depth (always 0, as in the original), then model name; at most 101 rows a group.
        """
        return self._dependents(obj, nullable=False)

    def collect_unlinked(self, obj: peewee.Model) -> list[tuple[int, type[peewee.Model], list[Any]]]:
        """The rows whose nullable foreign key to ``obj`` is cleared when it is deleted (same shape)."""
        return self._dependents(obj, nullable=True)

    def delete(self: _Host) -> Any:
        """GET ``?id=1&id=2``: the objects and what depends on them; POST: delete them in one transaction."""
        self._require("delete")
        ids = _ids()
        primary = primary_key(self.model)
        try:
            keys = parse_keys(self.model, ids)
            objects = list(self.get_query().where(primary.in_(keys))) if keys else []
        except (ValueError, TypeError, peewee.DataError):
            objects = []
        if not objects and request.method == "POST":
            flash(gettext("Select at least one object to delete."), "warning")
            return redirect(self.admin_url("index"))
        error = None
        status = 200
        if request.method == "POST" and not validate_csrf_token():
            error, status = gettext(CSRF_CONFIRM_MESSAGE), 400
        elif request.method == "POST":
            try:
                with self.database.atomic():
                    deleted = [o for o in objects if delete_with_audit(self.auth, o, recursive=self.delete_recursive)]
            except peewee.IntegrityError:
                error = gettext("These objects are still referenced by other rows and cannot be deleted.")
            else:
                send_deleted(self.auth, deleted)
                delete_object_files(deleted)
                flash(gettext("Deleted %(count)s.", count=self.count_label(len(objects))), "success")
                return redirect(self.admin_url("index"))
        collected: dict[Any, Any] = {}
        dependents: dict[Any, list[tuple[str, list[Any]]]] = {}
        if self.delete_collect_objects:
            for obj in objects:
                collected[obj.get_id()] = self.collect_objects(obj)
                dependents[obj.get_id()] = _named_groups(collected[obj.get_id()]) + _named_groups(
                    self.collect_unlinked(obj), "unlinked"
                )
        # ``query`` and ``collected`` ({pk: [(depth, model, objects)]}) are the original's context
        context = {"objects": objects, "query": objects, "collected": collected, "dependents": dependents}
        return self.render("delete", error=error, **context), status

    def action(self: _Host) -> Any:
        """POST from the list: run the chosen bulk action on the selected rows (after confirmation)."""
        if request.method != "POST":
            return redirect(self.admin_url("index"))
        csrf_ok = validate_csrf_token()
        actions = {a.name: a for a in self.get_actions()}
        chosen = actions.get(request.form.get("action", ""))
        if chosen is None:
            if not csrf_ok:
                abort(400, description=gettext(CSRF_MESSAGE))
            flash(gettext("Choose an action you are allowed to run."), "warning")
            return redirect(self.admin_url("index"))
        ids = _ids()
        if chosen.name == "delete":  # the delete view asks for confirmation (and checks its own token)
            return redirect(self.admin_url("delete", id=ids))
        primary = primary_key(self.model)
        try:
            keys = parse_keys(self.model, ids)
            objects = list(self.get_query().where(primary.in_(keys))) if keys else []
        except (ValueError, TypeError, peewee.DataError):
            objects = []
        if not objects:
            flash(gettext("Select at least one object."), "warning")
            return redirect(self.admin_url("index"))
        if not csrf_ok:  # ask again, with a fresh token, instead of a bare error page
            page = render_template(
                self.templates["action"],
                model_admin=self,
                action=chosen,
                objects=objects,
                error=gettext(CSRF_CONFIRM_MESSAGE),
            )
            return page, 400
        if chosen.confirm and "_confirm" not in request.form:
            return render_template(self.templates["action"], model_admin=self, action=chosen, objects=objects)
        with self.database.atomic():
            message = chosen.run(cast("ModelAdmin", self), objects)  # the host is always a ModelAdmin
        if isinstance(message, Response):  # the original's Action.callback may answer itself
            return message
        flash(
            message
            or gettext("%(action)s: done for %(count)s.", action=chosen.label, count=self.count_label(len(objects))),
            "success",
        )
        return redirect(self.admin_url("index"))

    # -- history ----------------------------------------------------------------------

    def history(self: _Host, pk: Any) -> Any:
        """Who changed this object, when, and which fields from what to what (from the audit log)."""
        self._require("view")
        instance = self._get_or_404(pk)
        audit = audit_log_of(self.auth)
        entries: list[Any] = list(audit.query(model=self.model, pk=instance.get_id()).limit(500))
        return render_template(
            self.templates["history"],
            model_admin=self,
            instance=instance,
            entries=entries,
            described=describe_changes(entries, {entry.model: self.model for entry in entries}),
            audit_available=True,  # the templates' name; every Auth has its audit log
        )
