"""Run the example app on SQLite with demo data at http://127.0.0.1:5000/ (used by `python3 dev.py demo`)."""

import os
import sys

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "twitter")


def main() -> None:
    os.chdir(HERE)
    sys.path.insert(0, HERE)
    import demo_data
    from main import app

    password = demo_data.load()
    print("\n  Tweepee, the flask-peewee example, is running at http://127.0.0.1:5000/")
    print(f"  Log in at http://127.0.0.1:5000/accounts/login/ as  admin / {password}")
    print("  (the admin password is new at every start; Ctrl+C stops the server)\n", flush=True)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), debug=False)


if __name__ == "__main__":
    main()
