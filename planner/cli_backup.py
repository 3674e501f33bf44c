"""Database backups: ``flask --app planner backup --to <file>``."""

import os
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url

from planner.db import get_engine
from planner.db import session_scope
from planner.models import AuditAction
from planner.private_files import create_private
from planner.services.audit import SYSTEM
from planner.services.audit import commit_event


@click.command("backup")
@with_appcontext
@click.option(
    "--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database while the app keeps running."""
    url = make_url(current_app.config["DATABASE_URL"])
    if not target.parent.exists():
        raise click.ClickException(f"--to: the folder {target.parent} does not exist.")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise click.ClickException(
            f"Backups of {url.get_backend_name()} are not supported."
        )
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise click.ClickException("An in-memory database cannot be backed up.")
        _refuse_missing_sqlite(Path(url.database))
    # The copy holds every record: owner-only from its first byte.
    try:
        os.close(create_private(target))
    except FileExistsError:
        raise click.ClickException(
            f"--to: {target} exists; choose a new file name."
        ) from None
    except OSError as exc:
        # A folder that is a file, one not writable, a full disk: never a traceback.
        raise click.ClickException(
            f"--to: cannot create {target}: {exc.strerror}; nothing was backed up."
        ) from None
    # A copy not recorded in the audit trail is not a backup: any failure up
    # to the audit event removes it, so no plausible-looking file is left.
    try:
        _write_backup(url, target)
        with session_scope(get_engine()) as session:
            commit_event(
                session,
                SYSTEM,
                AuditAction.BACKUP,
                "database",
                None,
                after={"file": target.name},
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    click.echo(f"Backup written to {target}.")


def _refuse_missing_sqlite(path: Path) -> None:
    """Stop unless ``path`` is a SQLite file holding planner's tables."""
    if not path.is_file():
        raise click.ClickException(
            f"PLANNER_DATABASE_URL: {path} does not exist; nothing was backed up."
        )
    # Read-only: opening it must never create or change it.
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                ("audit_event",),
            ).fetchone()
    except sqlite3.DatabaseError:
        found = None
    if found is None:
        raise click.ClickException(
            f"PLANNER_DATABASE_URL: {path} holds no planner records (is it the "
            "clinic's database?); nothing was backed up."
        )


def _write_backup(url: URL, target: Path) -> None:
    """Copy the database into ``target``, an empty owner-only file."""
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        # SQLite's online backup copies a consistent snapshot while writers go on.
        # mode=rw: never create the database it copies.
        source = sqlite3.connect(
            f"{Path(url.database).resolve().as_uri()}?mode=rw", uri=True
        )
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    # The password goes to pg_dump in a private password file, never on its
    # command line, where any user of the machine could read it (ps, /proc).
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    with tempfile.TemporaryDirectory(prefix="planner-pgpass-") as folder:
        env = dict(os.environ)
        if url.password:
            passfile = Path(folder) / "pgpass"
            with os.fdopen(create_private(passfile), "w") as handle:
                handle.write(pgpass_line(url))
            env["PGPASSFILE"] = str(passfile)
        result = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                f"--file={target}",
                f"--dbname={plain.render_as_string(hide_password=False)}",
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    if result.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")


def pgpass_line(url: URL) -> str:
    """Return the libpq password-file line for ``url`` (``*`` where it names none).

    libpq's format: host:port:database:user:password, with ``:`` and ``\\``
    escaped by a backslash.
    """

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace(":", "\\:")

    def field(value: object) -> str:
        return "*" if value in (None, "") else escaped(str(value))

    fields = [url.host, url.port, url.database, url.username]
    return ":".join([*map(field, fields), escaped(url.password or "")]) + "\n"
