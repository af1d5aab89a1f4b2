"""Bulk actions on the rows selected in the list: delete (built in) and the model admin's own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask_peewee.admin._i18n import lazy_gettext

if TYPE_CHECKING:
    from flask_peewee.admin._model_admin import ModelAdmin

__all__ = ["Action", "AdminAction", "DeleteAction", "admin_action", "resolve_actions"]


#: the attribute ``@admin_action`` sets on a method: its name, label, permission and confirm flag
_ACTION_OPTIONS = "_admin_action"


class AdminAction:
    """A bulk action: subclass it, set ``name`` and ``label``, implement :meth:`run`, list it in ``actions``.

    ``permission`` is the admin action the user needs (``change`` by default); ``confirm``
    shows the selected objects on a confirmation page first. :meth:`run` receives the
    selected objects (already restricted by ``get_query()``) inside one transaction and
    returns a message to flash, or None.
    """

    name = ""
    label = ""
    permission = "change"
    confirm = True

    def run(self, model_admin: ModelAdmin, objects: list[Any]) -> str | None:
        """Do the action on ``objects``."""
        raise NotImplementedError


class Action:
    """The original's bulk action: ``callback(id_list)`` on the selected rows, listed in ``ModelAdmin.actions``.

    ``name`` defaults to the class name without ``Action``, ``description`` (the label) to the
    name in title case. The ids are those of selected rows within ``get_query()``; a
    :class:`flask.Response` returned by the callback is sent, otherwise the list is shown again.
    It needs the ``change`` permission and runs in one transaction, without a confirmation page.
    """

    def __init__(self, name: str | None = None, description: str | None = None) -> None:
        self.name = name or type(self).__name__.replace("Action", "")
        self.description = description or re.sub(r"[\-_]", " ", self.name).title()

    def callback(self, id_list: list[Any]) -> Any:
        """Do the action on the rows with these primary keys; may return a response."""
        raise NotImplementedError


class _LegacyAction(AdminAction):
    permission = "change"
    confirm = False

    def __init__(self, action: Action) -> None:
        self.action = action
        self.name = action.name
        self.label = action.description

    def run(self, model_admin: ModelAdmin, objects: list[Any]) -> Any:
        return self.action.callback([obj.get_id() for obj in objects])


class DeleteAction(AdminAction):
    """Delete the selected rows (through the delete view, which lists what depends on them)."""

    name = "delete"
    label = lazy_gettext("Delete selected")
    permission = "delete"


class _MethodAction(AdminAction):
    def __init__(self, method: Callable[..., Any]) -> None:
        options = getattr(method, _ACTION_OPTIONS)
        self.method = method
        self.name = options["name"]
        self.label = options["label"]
        self.permission = options["permission"]
        self.confirm = options["confirm"]

    def run(self, model_admin: ModelAdmin, objects: list[Any]) -> str | None:
        return self.method(objects)


def admin_action(
    label: str | None = None, *, name: str | None = None, permission: str = "change", confirm: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a ``ModelAdmin`` method ``method(self, objects) -> message | None`` as a bulk action.

    Usage::

        class EntryAdmin(ModelAdmin):
            actions = ("publish",)

            @admin_action("Publish selected")
            def publish(self, objects):
                for entry in objects:
                    entry.published = True
                    entry.save()
                return f"{len(objects)} published"
    """

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        options = {
            "name": name or method.__name__,
            "label": label or method.__name__.replace("_", " ").capitalize(),
            "permission": permission,
            "confirm": confirm,
        }
        setattr(method, _ACTION_OPTIONS, options)
        return method

    return decorate


def resolve_actions(model_admin: ModelAdmin) -> list[AdminAction]:
    """The delete action followed by the model admin's ``actions`` as :class:`AdminAction` objects."""
    result: list[AdminAction] = [DeleteAction()]
    for item in model_admin.actions or ():
        if isinstance(item, str):
            method = getattr(model_admin, item, None)
            if method is None or not hasattr(method, _ACTION_OPTIONS):
                raise TypeError(f"{type(model_admin).__name__}.actions: {item!r} is not an @admin_action method")
            result.append(_MethodAction(method))
        elif isinstance(item, type) and issubclass(item, AdminAction):
            result.append(item())
        elif isinstance(item, AdminAction):
            result.append(item)
        elif isinstance(item, Action):
            result.append(_LegacyAction(item))
        elif callable(item) and hasattr(item, _ACTION_OPTIONS):
            result.append(_MethodAction(item.__get__(model_admin)))
        else:
            raise TypeError(f"{type(model_admin).__name__}.actions: {item!r} is not an action")
    names = [a.name for a in result]
    if len(names) != len(set(names)):
        raise TypeError(f"{type(model_admin).__name__}.actions: two actions share a name ({names})")
    return result
