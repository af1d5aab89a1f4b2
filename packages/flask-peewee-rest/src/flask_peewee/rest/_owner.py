"""``RestrictOwnerResource``: only the owner of an object may change it; new objects belong to their creator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import peewee

from flask_peewee.rest._resource import RestResource

__all__ = ["RestrictOwnerResource"]


class RestrictOwnerResource(RestResource):
    """A resource whose PUT, PATCH and DELETE are refused (403) unless the request's user owns the object.

    Usage::

        class MessageResource(RestrictOwnerResource):
            owner_field = "user"

        api.register(Message, MessageResource)

    The owner field is read-only for request bodies: creating an object assigns the
    authenticated user as its owner whatever the body says.
    """

    #: the foreign key to the user model that names the owner
    owner_field: str = "user"

    def get_user(self) -> Any:
        """The user of the current request (set by the resource's authentication)."""
        return self.authentication.get_user()

    def get_read_only_fields(self) -> set[str]:
        """The configured read-only fields plus the owner field (and its ``user_id`` name)."""
        names = super().get_read_only_fields() | {self.owner_field}
        field = self.model._meta.fields.get(self.owner_field)
        if isinstance(field, peewee.ForeignKeyField) and field.object_id_name:
            names.add(field.object_id_name)
        return names

    def validate_owner(self, user: Any, obj: peewee.Model) -> bool:
        """Whether ``user`` owns ``obj`` (compared by primary key, without loading the owner)."""
        if user is None:
            return False
        return obj.__data__.get(self.owner_field) == user.get_id()

    def set_owner(self, obj: peewee.Model, user: Any) -> None:
        """Make ``user`` the owner of ``obj``."""
        setattr(obj, self.owner_field, user)

    def check_post(self, obj: peewee.Model | None = None) -> bool:
        """Creating needs an authenticated user to own the new object."""
        return self.get_user() is not None

    def check_put(self, obj: peewee.Model) -> bool:
        """Only the owner may update ``obj``."""
        return self.validate_owner(self.get_user(), obj)

    def check_delete(self, obj: peewee.Model) -> bool:
        """Only the owner may delete ``obj``."""
        return self.validate_owner(self.get_user(), obj)

    def save_object(self, instance: peewee.Model, raw_data: Mapping[str, Any]) -> peewee.Model:
        """Assign the request's user as the owner, then save."""
        self.set_owner(instance, self.get_user())
        return super().save_object(instance, raw_data)
