"""The WSGI entry point for a production server, e.g. gunicorn with several workers.

    cd examples/twitter
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tweepee SECRET_KEY=... \\
        gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app
"""

from main import app, db

db.create_tables()  # CREATE TABLE IF NOT EXISTS for every model, the library's tables included
db.database.close()

__all__ = ["app"]
