"""The configuration keys flask-peewee-auth reads, with their defaults (see docs/configuration.rst)."""

from __future__ import annotations

from flask_peewee.db.settings import Setting

__all__ = [
    "ACCOUNT_EXTERNAL_URL",
    "CHANGE_EMAIL",
    "CHANGE_PASSWORD",
    "CONFIRM_TOKEN_AGE",
    "FRESH_LOGIN_AGE",
    "MAIL_SENDER",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "PASSWORD_POLICY",
    "PASSWORD_PWNED_CHECK",
    "PASSWORD_PWNED_FALLBACK",
    "PASSWORD_PWNED_TIMEOUT",
    "PASSWORD_PWNED_URL",
    "PASSWORD_REJECT_COMMON",
    "PASSWORD_RESET",
    "REMEMBER_ME",
    "REMEMBER_ME_COOKIE_NAME",
    "REMEMBER_ME_DURATION",
    "RESET_TOKEN_AGE",
    "SESSIONS_PAGE",
    "SETTINGS",
    "SIGNUP",
    "SIGNUP_CONFIRM",
    "THROTTLE_ACCOUNT_LIMIT",
    "THROTTLE_ADDRESS_LIMIT",
    "THROTTLE_BACKEND",
    "THROTTLE_ENABLED",
    "THROTTLE_REDIS_URL",
    "THROTTLE_USERNAME_LIMIT",
    "THROTTLE_WINDOW",
    "TRUSTED_ORIGINS",
    "TWO_FACTOR",
    "TWO_FACTOR_ALLOW_BASIC",
    "TWO_FACTOR_ISSUER",
    "TWO_FACTOR_PENDING_AGE",
    "TWO_FACTOR_REQUIRED_FOR_ADMIN",
]

THROTTLE_ENABLED = Setting("FLASK_PEEWEE_LOGIN_THROTTLE_ENABLED", True, "False turns login throttling off.")
THROTTLE_USERNAME_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_USERNAME_LIMIT", 10, "Failed attempts per username from one address per window."
)
THROTTLE_ADDRESS_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_ADDRESS_LIMIT", 20, "Failed attempts per client address per window."
)
THROTTLE_ACCOUNT_LIMIT = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_ACCOUNT_LIMIT", 100, "Failed attempts per username from all addresses per window."
)
THROTTLE_WINDOW = Setting("FLASK_PEEWEE_LOGIN_THROTTLE_WINDOW", 900, "Throttle window length in seconds.")
THROTTLE_BACKEND = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_BACKEND", "database", 'Where the counters live: "database" or "redis".'
)
THROTTLE_REDIS_URL = Setting(
    "FLASK_PEEWEE_LOGIN_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis server of the redis backend."
)
TRUSTED_ORIGINS = Setting(
    "FLASK_PEEWEE_TRUSTED_ORIGINS", (), "Other origins (https://host) allowed to POST to the auth views."
)
FRESH_LOGIN_AGE = Setting(
    "FLASK_PEEWEE_FRESH_LOGIN_AGE", 900, "Seconds a login counts as fresh for fresh_login_required."
)
REMEMBER_ME = Setting("FLASK_PEEWEE_REMEMBER_ME", False, "True adds a Remember me box to the login form.")
REMEMBER_ME_DURATION = Setting(
    "FLASK_PEEWEE_REMEMBER_ME_DURATION", 30 * 24 * 3600, "Lifetime of a remember-me cookie, in seconds."
)
REMEMBER_ME_COOKIE_NAME = Setting(
    "FLASK_PEEWEE_REMEMBER_ME_COOKIE_NAME", "fp_remember", "Name of the remember-me cookie."
)
TWO_FACTOR = Setting(
    "FLASK_PEEWEE_AUTH_2FA", False, "True lets users add a second factor (TOTP codes); needs flask-peewee-auth[2fa]."
)
TWO_FACTOR_REQUIRED_FOR_ADMIN = Setting(
    "FLASK_PEEWEE_AUTH_REQUIRE_2FA_FOR_ADMIN",
    False,
    "True: the admin site and admin-level REST authentication need a session that passed a second factor.",
)
TWO_FACTOR_ALLOW_BASIC = Setting(
    "FLASK_PEEWEE_AUTH_2FA_ALLOW_BASIC", False, "True lets users with a second factor use HTTP Basic on the API."
)
TWO_FACTOR_ISSUER = Setting(
    "FLASK_PEEWEE_AUTH_2FA_ISSUER", None, "The name authenticator apps show for the account (default: the app's name)."
)
TWO_FACTOR_PENDING_AGE = Setting(
    "FLASK_PEEWEE_AUTH_2FA_PENDING_AGE", 300, "Seconds a user has to enter the code after the password."
)

SIGNUP = Setting("FLASK_PEEWEE_SIGNUP", False, "True adds the sign-up view (/accounts/signup/).")
SIGNUP_CONFIRM = Setting(
    "FLASK_PEEWEE_SIGNUP_CONFIRM", False, "True keeps a new account inactive until its email address is confirmed."
)
PASSWORD_RESET = Setting("FLASK_PEEWEE_PASSWORD_RESET", False, "True adds the password reset by email views.")
CHANGE_PASSWORD = Setting("FLASK_PEEWEE_CHANGE_PASSWORD", False, "True adds the change password view.")
CHANGE_EMAIL = Setting("FLASK_PEEWEE_CHANGE_EMAIL", False, "True adds the change email view (confirmed by mail).")
RESET_TOKEN_AGE = Setting("FLASK_PEEWEE_RESET_TOKEN_AGE", 3600, "Seconds a password reset link stays valid.")
CONFIRM_TOKEN_AGE = Setting(
    "FLASK_PEEWEE_CONFIRM_TOKEN_AGE", 86400, "Seconds a sign-up or email change confirmation link stays valid."
)
MAIL_SENDER = Setting("FLASK_PEEWEE_MAIL_SENDER", None, "From address of auth's mail (else MAIL_DEFAULT_SENDER).")
ACCOUNT_EXTERNAL_URL = Setting(
    "FLASK_PEEWEE_ACCOUNT_EXTERNAL_URL", None, "Scheme and host of the links in auth's mail (else the request's)."
)
PASSWORD_POLICY = Setting(
    "FLASK_PEEWEE_PASSWORD_POLICY", True, "False turns the password policy off (any new password is accepted)."
)
PASSWORD_MIN_LENGTH = Setting("FLASK_PEEWEE_PASSWORD_MIN_LENGTH", 8, "Fewest characters of a new password.")
PASSWORD_MAX_LENGTH = Setting(
    "FLASK_PEEWEE_PASSWORD_MAX_LENGTH", 128, "Most characters of a new password (None: no bound)."
)
PASSWORD_REJECT_COMMON = Setting(
    "FLASK_PEEWEE_PASSWORD_REJECT_COMMON", True, "Refuse the 10,000 most common passwords (shipped list)."
)
PASSWORD_PWNED_CHECK = Setting(
    "FLASK_PEEWEE_PASSWORD_PWNED_CHECK", False, "True asks Have I Been Pwned's range API about new passwords."
)
PASSWORD_PWNED_URL = Setting(
    "FLASK_PEEWEE_PASSWORD_PWNED_URL",
    "https://api.pwnedpasswords.com/range/",
    "Base URL of the range API (the 5-hex-digit prefix is appended).",
)
PASSWORD_PWNED_TIMEOUT = Setting(
    "FLASK_PEEWEE_PASSWORD_PWNED_TIMEOUT", 2.0, "Seconds to wait for the range API (connect, and each read)."
)
PASSWORD_PWNED_FALLBACK = Setting(
    "FLASK_PEEWEE_PASSWORD_PWNED_FALLBACK", "accept", 'When the range API fails: "accept" (logged) or "refuse".'
)
SESSIONS_PAGE = Setting(
    "FLASK_PEEWEE_AUTH_SESSIONS_PAGE", False, "True adds the Your sessions page (/accounts/sessions/)."
)

#: Every key of this package, in the order of the documentation's table.
SETTINGS = (
    THROTTLE_ENABLED,
    THROTTLE_USERNAME_LIMIT,
    THROTTLE_ADDRESS_LIMIT,
    THROTTLE_ACCOUNT_LIMIT,
    THROTTLE_WINDOW,
    THROTTLE_BACKEND,
    THROTTLE_REDIS_URL,
    TRUSTED_ORIGINS,
    FRESH_LOGIN_AGE,
    REMEMBER_ME,
    REMEMBER_ME_DURATION,
    REMEMBER_ME_COOKIE_NAME,
    SIGNUP,
    SIGNUP_CONFIRM,
    PASSWORD_RESET,
    CHANGE_PASSWORD,
    CHANGE_EMAIL,
    RESET_TOKEN_AGE,
    CONFIRM_TOKEN_AGE,
    MAIL_SENDER,
    ACCOUNT_EXTERNAL_URL,
    PASSWORD_POLICY,
    PASSWORD_MIN_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_REJECT_COMMON,
    PASSWORD_PWNED_CHECK,
    PASSWORD_PWNED_URL,
    PASSWORD_PWNED_TIMEOUT,
    PASSWORD_PWNED_FALLBACK,
    TWO_FACTOR,
    TWO_FACTOR_REQUIRED_FOR_ADMIN,
    TWO_FACTOR_ALLOW_BASIC,
    TWO_FACTOR_ISSUER,
    TWO_FACTOR_PENDING_AGE,
    SESSIONS_PAGE,
)
