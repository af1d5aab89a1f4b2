"""The example's REST API, as the docs' REST chapter builds it."""

from flask import g

from app import app
from auth import auth
from flask_peewee.rest import (
    AdminAuthentication,
    ApiError,
    RestAPI,
    RestResource,
    RestrictOwnerResource,
    UserAuthentication,
)
from models import MAX_MESSAGE_LENGTH, Message, Relationship, User

# instantiate our user-based auth and admin-only auth
user_auth = UserAuthentication(auth)
admin_auth = AdminAuthentication(auth)

# instantiate our api wrapper, specifying user_auth as the default
api = RestAPI(app, default_auth=user_auth)


# a special resource for users that excludes email and password
class UserResource(RestResource):
    exclude = ("password", "email")

    def save_object(self, instance, raw_data):
        """The library never writes a sensitive field from a body: an admin sends ``password`` in clear, we hash it."""
        password = raw_data.get("password")
        if password is not None or instance.password is None:
            if not isinstance(password, str) or not password:
                raise ApiError(422, "Invalid data", errors={"password": "A new user needs a non-empty password."})
            instance.set_password(password)
        return super().save_object(instance, raw_data)


class MessageResource(RestrictOwnerResource):
    owner_field = "user"
    include_resources = {"user": UserResource}
    # each user writes at most 30 times a minute (then 429 with Retry-After); reading is not limited
    rate_limits = {"POST": "30/minute", "PUT": "30/minute", "DELETE": "30/minute"}

    def is_rate_limit_exempt(self):
        """Administrators are not counted."""
        return bool(getattr(g.user, "admin", False))

    def save_object(self, instance, raw_data):
        """The API takes no longer message than the site's form does."""
        if isinstance(instance.content, str) and len(instance.content) > MAX_MESSAGE_LENGTH:
            message = f"At most {MAX_MESSAGE_LENGTH} characters."
            raise ApiError(422, "Invalid data", errors={"content": message})
        return super().save_object(instance, raw_data)


class RelationshipResource(RestrictOwnerResource):
    owner_field = "from_user"
    include_resources = {"from_user": UserResource, "to_user": UserResource}


# register our models so they are exposed via /api/<model>/
api.register(User, UserResource, auth=admin_auth)
api.register(Relationship, RelationshipResource)
api.register(Message, MessageResource)

# configure the urls
api.setup()
