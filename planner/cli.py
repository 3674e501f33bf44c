"""Command-line tasks: ``flask --app planner <command>``."""

import functools
import os
import secrets
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import closing
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import ParamSpec
from typing import TypeVar

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from planner.cli_facemap import facemap_sheet_command
from planner.db import get_engine
from planner.db import session_scope
from planner.errors import PlannerError
from planner.migrate import schema_mismatch
from planner.migrate import upgrade_database
from planner.models import AuditAction
from planner.models import Role
from planner.models import User
from planner.passwords import verify_password
from planner.private_files import create_private
from planner.services.audit import SYSTEM
from planner.services.audit import commit_event
from planner.services.audit import verify_trail
from planner.services.calendar_setup import default_hours
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from planner.services.users import set_password

CREDENTIALS_FILE = "demo-credentials.txt"
P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def _service_session() -> Iterator[Session]:
    """Yield a session whose service errors end the command with their message."""
    with session_scope(get_engine()) as session:
        try:
            yield session
        except PlannerError as exc:
            details = "; ".join(f"{field}: {why}" for field, why in exc.fields.items())
            raise click.ClickException(f"{exc.message} {details}".strip()) from None


def needs_schema(command: Callable[P, R]) -> Callable[P, R]:
    """Stop the command, in one line, unless the database's migration is the code's."""

    @functools.wraps(command)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_app.config["CHECK_SCHEMA"]:
            mismatch = schema_mismatch(get_engine())
            if mismatch is not None:
                raise click.ClickException(f"Nothing was done: {mismatch}.")
        return command(*args, **kwargs)

    return checked


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the schema and load the product catalogue."""
    engine = get_engine()
    mismatch = schema_mismatch(engine)
    if mismatch is not None and mismatch.newer:
        raise click.ClickException(f"Nothing was done: {mismatch}.")
    upgrade_database(engine)
    with session_scope(engine) as session:
        load_catalogue(session)
    url = make_url(current_app.config["DATABASE_URL"])
    click.echo(f"Database ready: {url.render_as_string(hide_password=True)}")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--password", required=True, help="At least 12 characters.")
@needs_schema
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a login."""
    with _service_session() as session:
        user = create_user(
            session, SYSTEM, email=email, name=name, role=role, password=password
        )
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("seed-demo")
@with_appcontext
@click.option(
    "--patients", default=60, show_default=True, type=click.IntRange(1, 1_000_000)
)
@click.option("--cycles", default=5, show_default=True, type=click.IntRange(0, 40))
@click.option(
    "--seed", default=2026, show_default=True, type=click.IntRange(0, 2**32 - 1)
)
@needs_schema
def seed_demo_command(patients: int, cycles: int, seed: int) -> None:
    """Add deterministic synthetic patients with treatment cycles and follow-up."""
    from planner.demo import seed_demo

    engine = get_engine()
    started = datetime.now(UTC)
    counts = seed_demo(engine, patients=patients, cycles=cycles, seed=seed, now=started)
    seconds = (datetime.now(UTC) - started).total_seconds()
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Seeded {summary} in {seconds:.1f} s.")


DEMO_LOGINS = (
    ("admin@example.org", "Clinic Admin", Role.ADMIN),
    ("injector@example.org", "Dr Demo Injector", Role.INJECTOR),
    ("staff@example.org", "Demo Scheduler", Role.STAFF),
)


def _write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, from its first byte."""
    path.unlink(missing_ok=True)
    with os.fdopen(create_private(path), "w") as handle:
        handle.write(text)


def _credentials_still_valid(session: Session, text: str) -> bool:
    """Tell whether the saved demo password still opens the demo admin login."""
    password = text.rsplit("password: ", 1)[-1].strip()
    admin = session.exec(select(User).where(User.email == DEMO_LOGINS[0][0])).first()
    return admin is not None and verify_password(admin.password_hash, password)


@click.command("first-run")
@with_appcontext
@click.option(
    "--patients", default=60, show_default=True, type=click.IntRange(0, 10_000)
)
@needs_schema
def first_run(patients: int) -> None:
    """On an empty database, add demo data and logins; always say how to log in."""
    credentials = Path(current_app.instance_path) / CREDENTIALS_FILE
    credentials.parent.mkdir(parents=True, exist_ok=True)
    engine = get_engine()
    with session_scope(engine) as session:
        if session.exec(select(func.count()).select_from(User)).one() == 0:
            password = secrets.token_urlsafe(12)
            lines = [f"  {email:<22}({role.value})" for email, _, role in DEMO_LOGINS]
            # Saved before anything else can fail, so the password is never lost.
            _write_private(
                credentials,
                "Demo logins (all share one password):\n"
                + "\n".join(lines)
                + f"\n  password: {password}\n",
            )
            for email, name, role in DEMO_LOGINS:
                user = create_user(
                    session,
                    SYSTEM,
                    email=email,
                    name=name,
                    role=role,
                    password=password,
                )
                if role == Role.INJECTOR and user.id is not None:
                    default_hours(session, SYSTEM, user.id)
            if patients:
                from planner.demo import seed_demo

                seed_demo(
                    engine,
                    patients=patients,
                    cycles=5,
                    seed=2026,
                    now=datetime.now(UTC),
                )
        if credentials.exists():
            text = credentials.read_text()
            if _credentials_still_valid(session, text):
                click.echo(
                    text + f"(kept in {credentials}; delete it once you have changed "
                    "the password with `flask --app planner set-password`)"
                )
                return
            credentials.unlink()
    click.echo(
        "Log in with your account. To make one: flask --app planner create-user "
        "--email ... --name ... --role admin --password ..."
    )


@click.command("set-password")
@with_appcontext
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@needs_schema
def set_password_command(email: str, password: str) -> None:
    """Change a login's password (and unlock it)."""
    with _service_session() as session:
        set_password(session, SYSTEM, email=email, password=password)
    click.echo(f"Password changed for {email.strip().lower()}.")


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


@click.command("audit-verify")
@with_appcontext
@needs_schema
def audit_verify_command() -> None:
    """Walk the audit trail's hash chain; name the first broken link, if any."""
    with session_scope(get_engine()) as session:
        report = verify_trail(session)
    if report.broken is not None:
        after = "the start" if report.head_id is None else f"event {report.head_id}"
        raise click.ClickException(
            f"Audit trail broken at event {report.broken.event_id} "
            f"({report.events} events verified up to {after}): "
            f"{report.broken.reason}."
        )
    click.echo(
        f"Audit trail intact: {report.events} events; head event "
        f"{report.head_id if report.head_id is not None else '-'} "
        f"hash {report.head_hash}. Keep this line elsewhere to pin the trail."
    )


@click.command("send-reminders")
@with_appcontext
@needs_schema
def send_reminders_command() -> None:
    """Queue reminders for upcoming bookings and send those a sender can send."""
    from zoneinfo import ZoneInfo

    from planner.services import reminders
    from planner.services.mail_server import configured_mailer

    config = current_app.config
    now = datetime.now(UTC)
    mailer = configured_mailer(config, timeout=reminders.SEND_TIMEOUT_SECONDS)
    sender = None if mailer is None else reminders.SmtpSender(mailer)
    with session_scope(get_engine()) as session:
        added = reminders.queue_reminders(
            session,
            now=now,
            zone=ZoneInfo(config["CLINIC_TIMEZONE"]),
            clinic_name=config["CLINIC_NAME"],
            phone=config["CLINIC_PHONE"],
        )
        counts = reminders.send_due(session, sender, now=now)
        invited = _invite_weekly_checks(session, now)
    click.echo(
        f"{added} reminders queued; {counts['sent']} sent, {counts['failed']} failed, "
        f"{counts['waiting']} waiting in the outbox for staff."
    )
    if invited is not None:
        click.echo(f"{invited} patients invited to their diary's weekly check.")


def _invite_weekly_checks(session: Session, now: datetime) -> int | None:
    """Email the weekly diary invitations, if the clinic sends email (None: not)."""
    from planner.services.diary_mail import invite_weekly_checks
    from planner.views.context import clinic_words
    from planner.views.context import diary_key
    from planner.views.context import mailer

    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    smtp = mailer()
    if smtp is None or not base:
        return None
    return invite_weekly_checks(
        session,
        smtp,
        key=diary_key(),
        address_of=lambda token: f"{base}/diary/{token}",
        clinic=clinic_words(),
        now=now,
    )


def register_commands(app: Flask) -> None:
    for command in (
        init_db,
        create_user_command,
        set_password_command,
        seed_demo_command,
        first_run,
        backup_command,
        audit_verify_command,
        send_reminders_command,
        facemap_sheet_command,
    ):
        app.cli.add_command(command)
