"""Command-line tasks: ``flask --app planner <command>``."""

import functools
import os
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import ParamSpec
from typing import TypeVar

import click
from flask import Flask
from flask import current_app
from flask.cli import ScriptInfo
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from planner.cli_backup import backup_command
from planner.cli_facemap import facemap_sheet_command
from planner.db import get_engine
from planner.db import is_busy
from planner.db import is_not_a_database
from planner.db import session_scope
from planner.errors import PlannerError
from planner.migrate import schema_mismatch
from planner.migrate import upgrade_database
from planner.models import Role
from planner.models import User
from planner.passwords import verify_password
from planner.private_files import create_private
from planner.services.audit import SYSTEM
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
    try:
        credentials.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Flask's instance folder, where the demo password is kept.
        folder = credentials.parent
        why = "it is a file" if folder.is_file() else exc.strerror
        raise click.ClickException(
            f"The instance folder {folder} cannot be made ({why}); nothing was done."
        ) from None
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


def _database_fault(exc: DBAPIError, app: Flask, saved: bool) -> str | None:
    """Say, in one line, what is wrong with the database (None: a fault in planner)."""
    url = make_url(app.config["DATABASE_URL"])
    where = url.database if url.get_backend_name() == "sqlite" else None
    where = where or url.render_as_string(hide_password=True)
    kept = (
        "what the command saved before it stopped is kept"
        if saved
        else "nothing was saved"
    )
    if is_not_a_database(exc):
        return (
            f"PLANNER_DATABASE_URL: {where} is not a database (is it the clinic's "
            "database file?); nothing was done."
        )
    if is_busy(exc):
        return f"The database is busy, locked by another process; {kept}; try again."
    if isinstance(exc, OperationalError):
        return f"PLANNER_DATABASE_URL: cannot use {where} ({exc.orig}); {kept}."
    return None


def _readable_database_faults(command: click.Command) -> click.Command:
    """End ``command`` in one line, not a traceback, when its database fails it."""
    callback = command.callback
    assert callback is not None

    @functools.wraps(callback)
    def guarded(*args: object, **kwargs: object) -> object:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        commits: list[object] = []

        def count(connection: object) -> None:
            commits.append(connection)

        engine = get_engine(app)
        event.listen(engine, "commit", count)
        try:
            return callback(*args, **kwargs)
        except DBAPIError as exc:
            message = _database_fault(exc, app, saved=bool(commits))
            if message is None:
                raise
            raise click.ClickException(message) from None
        finally:
            event.remove(engine, "commit", count)

    command.callback = guarded
    return command


# Wrapped once, here: register_commands runs for every app the process makes.
COMMANDS = tuple(
    map(
        _readable_database_faults,
        (
            init_db,
            create_user_command,
            set_password_command,
            seed_demo_command,
            first_run,
            backup_command,
            audit_verify_command,
            send_reminders_command,
            facemap_sheet_command,
        ),
    )
)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
