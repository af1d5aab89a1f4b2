"""The WSGI entry point for a production server, e.g. gunicorn with several workers.

    cd examples/twitter
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tweepee SECRET_KEY=... \\
        gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app
"""

from flask_peewee.db import create_tables_when_reachable
from main import app, db

# CREATE TABLE IF NOT EXISTS for every model; with the database down, on the first request once it is back
create_tables_when_reachable(app, db, db.get_models())

__all__ = ["app"]
