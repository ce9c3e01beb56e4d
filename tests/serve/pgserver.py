"""A throwaway Postgres for tests and benchmarks: Debian's server in a temp dir, loopback only.

`RULEKIT_TEST_PG_URL` (a database the tests may fill and empty) is used instead when set.
Run as root, the server runs as the `postgres` user (Postgres refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "RULEKIT_TEST_PG_URL"


def binaries() -> str | None:
    """The folder of Debian's Postgres binaries (newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def why_not() -> str | None:
    """Why no throwaway Postgres can run here (None: it can)."""
    if os.environ.get(ENV):
        return None
    if binaries() is None:
        return "no Postgres: install Debian's `postgresql` package or set RULEKIT_TEST_PG_URL"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def throwaway() -> Iterator[str]:
    """A running Postgres's URL, stopped and removed afterwards."""
    given = os.environ.get(ENV)
    if given:
        yield given
        return
    bin_dir = binaries()
    assert bin_dir is not None, why_not()
    folder = tempfile.mkdtemp(prefix="rulekit-pg-")
    data = os.path.join(folder, "data")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    subprocess.run(
        _as_owner([f"{bin_dir}/initdb", "-D", data, "-U", "rulekit", "--auth=trust", "-E", "UTF8"]),
        **run,  # type: ignore[call-overload]
    )
    options = f"-k {folder} -h 127.0.0.1 -p {port} -c fsync=on -c max_connections=200"
    subprocess.run(
        _as_owner(
            [f"{bin_dir}/pg_ctl", "-D", data, "-o", options, "-l", f"{folder}/log", "-w", "start"]
        ),
        **run,  # type: ignore[call-overload]
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"postgresql://rulekit@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def reset(url: str) -> None:
    """Empty the database at `url` (drop the ledger's tables)."""
    import sqlalchemy as sa

    from rulekit.serve.database import driver_url

    engine = sa.create_engine(driver_url(url))
    with engine.begin() as conn:
        for name in ("log", "policy_versions", "customers", "reps", "meta", "alembic_version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name} CASCADE"))
    engine.dispose()


def main(argv: list[str]) -> int:
    """`python tests/serve/pgserver.py COMMAND...`: run COMMAND with RULEKIT_TEST_PG_URL set to
    a throwaway Postgres, stopped and removed afterwards (what .ci/run does around the tests)."""
    reason = why_not()
    if reason is not None:
        print(f"pgserver: {reason}; running without Postgres", file=sys.stderr)
        return subprocess.call(argv)
    with throwaway() as url:
        print(f"pgserver: a throwaway Postgres at {url}", file=sys.stderr)
        return subprocess.call(argv, env={**os.environ, ENV: url})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
