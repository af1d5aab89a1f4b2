"""Authentication for flask-peewee: users, login and logout, CSRF, throttling, permissions and the audit log."""

from __future__ import annotations

import os

from flask_peewee.auth.__about__ import __version__
from flask_peewee.auth._audit import AuditLog
from flask_peewee.auth._auth import Auth, get_auth
from flask_peewee.auth._csrf import CSRF_FIELD_NAME, csrf_token, is_cross_site_request, validate_csrf_token
from flask_peewee.auth._forms import LoginForm, RememberLoginForm
from flask_peewee.auth._groups import GroupError
from flask_peewee.auth._headers import add_security_headers
from flask_peewee.auth._links import set_links
from flask_peewee.auth._models import BaseUser, utcnow
from flask_peewee.auth._permissions import ACTIONS, PermissionPolicy
from flask_peewee.auth._policy import PasswordPolicy, PasswordPolicyError, password_problems
from flask_peewee.auth._signals import (
    object_changed,
    object_created,
    object_deleted,
    password_changed,
    user_created,
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from flask_peewee.auth._throttle import AuthUnavailable, LoginOutcome, LoginThrottle, LoginThrottled, ThrottleSettings

__all__ = [
    "ACTIONS",
    "CSRF_FIELD_NAME",
    "AuditLog",
    "Auth",
    "AuthUnavailable",
    "BaseUser",
    "GroupError",
    "LoginForm",
    "LoginOutcome",
    "LoginThrottle",
    "LoginThrottled",
    "PasswordPolicy",
    "PasswordPolicyError",
    "PermissionPolicy",
    "RememberLoginForm",
    "ThrottleSettings",
    "__version__",
    "add_security_headers",
    "csrf_token",
    "get_auth",
    "is_cross_site_request",
    "object_changed",
    "object_created",
    "object_deleted",
    "password_changed",
    "password_problems",
    "set_links",
    "user_created",
    "user_logged_in",
    "user_logged_out",
    "user_login_failed",
    "utcnow",
    "validate_csrf_token",
]

# The original's module constant (its package folder, where its templates live), kept for apps that read it.
current_dir = os.path.dirname(__file__)
