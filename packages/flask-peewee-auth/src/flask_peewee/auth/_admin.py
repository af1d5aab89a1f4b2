"""The user ``ModelAdmin`` that hashes a changed password before anything is written."""

from __future__ import annotations

from typing import Any

__all__ = ["user_model_admin"]


def user_model_admin(model_admin: type) -> type:
    """Subclass ``model_admin`` so a password typed in the form is hashed before ``save_model`` writes.

    The admin fills a blank password input with the stored hash, so an unchanged value
    means "keep the password"; anything else is a new raw password and is replaced by its
    hash on both the form and the instance before the base class saves.
    """

    class UserAdmin(model_admin):
        columns = ["username", "email", "active", "admin"]

        def save_model(self, instance: Any, form: Any, adding: bool = False) -> Any:
            field = getattr(form, "password", None)
            raw = getattr(field, "data", None)
            if field is not None and isinstance(raw, str) and raw and raw != instance.password:
                instance.set_password(raw)
                field.data = instance.password
            return super().save_model(instance, form, adding)

    return UserAdmin
