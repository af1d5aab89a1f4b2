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
    port = int(os.environ.get("PORT", "5000"))
    print(banner(password, port), flush=True)
    app.run(host="127.0.0.1", port=port, debug=False)


def banner(password: str, port: int = 5000) -> str:
    """What the demo prints when it starts: where it runs and the admin's login."""
    base = f"http://127.0.0.1:{port}"
    return (
        f"\n  Tweepee, the flask-peewee example, is running at {base}/\n"
        f"  Log in at {base}/accounts/login/ as admin / {password}\n"
        "  (the admin password is new at every start; Ctrl+C stops the server)\n"
    )


if __name__ == "__main__":
    main()
