"""Configuration of the example app (override with environment variables, see app.py)."""

import os
import secrets

HERE = os.path.dirname(os.path.abspath(__file__))


class Configuration:
    DATABASE = {
        "name": os.path.join(HERE, "example.db"),
        "engine": "peewee.SqliteDatabase",
        "pragmas": {"foreign_keys": 1, "journal_mode": "wal"},
    }
    DEBUG = False
    # A fresh key per process unless SECRET_KEY is set: sessions then end at restart.
    SECRET_KEY = secrets.token_hex(32)
