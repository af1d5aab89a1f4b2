"""Fixtures come from the package's own pytest plugin (flask_peewee.db.testing)."""
