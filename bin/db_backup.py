"""Back up and restore the tracker's PostgreSQL database with pg_dump / pg_restore.

    python bin/db_backup.py backup  FILE     # custom-format dump of DATABASE_URL's database
    python bin/db_backup.py restore FILE     # into DATABASE_URL's database, which must be empty
    python bin/db_backup.py restore FILE --clean   # drop the objects in the dump first

The dump is taken in one snapshot (pg_dump's own transaction), so a backup during announcement day
is consistent: either a publication and its decisions are in it, or neither. A restore runs in
one transaction and stops at the first error, so it never leaves a half-restored database. After a
restore, run `python manage.py migrate` (a no-op when the code matches) and
`python manage.py recompute_standings --all` (snapshots are data too, but this checks them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from urllib.parse import unquote, urlsplit


def connection_env(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_* connection arguments and environment for a postgres:// URL (password via env)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(
            "DATABASE_URL must be a postgres:// URL; the embedded SQLite file is copied as is."
        )
    args = ["--host", parts.hostname or "127.0.0.1", "--port", str(parts.port or 5432)]
    if parts.username:
        args += ["--username", unquote(parts.username)]
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    database = parts.path.lstrip("/")
    if not database:
        sys.exit("DATABASE_URL names no database.")
    return [*args, "--dbname", database], env


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def backup(url: str, target: str) -> None:
    args, env = connection_env(url)
    subprocess.run(
        [tool("pg_dump"), "--format=custom", "--no-owner", "--file", target, *args],
        env=env,
        check=True,
    )


def restore(url: str, source: str, *, clean: bool) -> None:
    args, env = connection_env(url)
    command = [tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction"]
    if clean:
        command += ["--clean", "--if-exists"]
    subprocess.run([*command, *args, source], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("file")
    parser.add_argument("--clean", action="store_true", help="restore over existing objects")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    options = parser.parse_args(argv)
    if not options.database_url:
        sys.exit("Set DATABASE_URL (or pass --database-url).")
    try:
        if options.action == "backup":
            backup(options.database_url, options.file)
        else:
            restore(options.database_url, options.file, clean=options.clean)
    except subprocess.CalledProcessError as exc:
        print(
            f"{options.action} failed (exit {exc.returncode}); nothing was changed by a restore.",
            file=sys.stderr,
        )
        return 1
    print(f"{options.action}: done ({options.file}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
