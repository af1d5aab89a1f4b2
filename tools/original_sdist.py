"""Fetch the published flask-peewee 4.0.1 sdist at run time, for the compatibility gauges.

    python tools/original_sdist.py DEST     download and unpack into DEST, print the unpacked folder

The original's source is never committed here: the gauges in compat/ unpack it into a
scratch folder and take from it only what they test against (its example app, its tests).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "4.0.1"


def fetch(dest: Path) -> Path:
    """Download the flask-peewee sdist into ``dest`` and return the folder it unpacks to."""
    dest.mkdir(parents=True, exist_ok=True)
    unpacked = dest / f"flask_peewee-{VERSION}"
    if (unpacked / "PKG-INFO").exists():
        return unpacked
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(dest),
            f"flask-peewee=={VERSION}",
        ],
        check=True,
    )
    archives = sorted(dest.glob(f"flask[-_]peewee-{VERSION}.tar.gz"))
    if not archives:
        raise RuntimeError(f"pip download left no flask-peewee {VERSION} sdist in {dest}")
    with tarfile.open(archives[0]) as archive:
        archive.extractall(dest, filter="data")
    if not (unpacked / "PKG-INFO").exists():
        raise RuntimeError(f"the sdist did not unpack to {unpacked}")
    return unpacked


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(fetch(Path(sys.argv[1])))
