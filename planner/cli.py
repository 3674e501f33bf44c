"""Command-line tasks: ``flask --app planner <command>``."""

import secrets
import sqlite3
import subprocess
from datetime import UTC
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url
from sqlmodel import func
from sqlmodel import select

from planner.db import get_engine
from planner.db import session_scope
from planner.errors import PlannerError
from planner.migrate import upgrade_database
from planner.models import AuditAction
from planner.models import Role
from planner.models import User
from planner.services.audit import SYSTEM
from planner.services.audit import record_event
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user

CREDENTIALS_FILE = "demo-credentials.txt"


def _fail(exc: PlannerError) -> click.ClickException:
    details = "; ".join(f"{field}: {reason}" for field, reason in exc.fields.items())
    return click.ClickException(f"{exc.message} {details}".strip())


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the schema and load the product catalogue."""
    engine = get_engine()
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
def create_user_command(email: str, name: str, role: str, password: str) -> None:
    """Create a login."""
    with session_scope(get_engine()) as session:
        try:
            user = create_user(
                session, SYSTEM, email=email, name=name, role=role, password=password
            )
        except PlannerError as exc:
            raise _fail(exc) from None
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
def seed_demo_command(patients: int, cycles: int, seed: int) -> None:
    """Add deterministic synthetic patients with treatment cycles and follow-up."""
    from planner.demo import seed_demo

    engine = get_engine()
    started = datetime.now(UTC)
    counts = seed_demo(engine, patients=patients, cycles=cycles, seed=seed, now=started)
    seconds = (datetime.now(UTC) - started).total_seconds()
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Seeded {summary} in {seconds:.1f} s.")


@click.command("first-run")
@with_appcontext
@click.option(
    "--patients", default=60, show_default=True, type=click.IntRange(0, 10_000)
)
def first_run(patients: int) -> None:
    """On an empty database, add demo data and logins; always say how to log in."""
    instance = Path(current_app.instance_path)
    credentials = instance / CREDENTIALS_FILE
    engine = get_engine()
    with session_scope(engine) as session:
        has_users = session.exec(select(func.count()).select_from(User)).one() > 0
        if not has_users:
            password = secrets.token_urlsafe(12)
            for email, name, role in (
                ("admin@example.org", "Clinic Admin", Role.ADMIN),
                ("injector@example.org", "Dr Demo Injector", Role.INJECTOR),
                ("staff@example.org", "Demo Scheduler", Role.STAFF),
            ):
                create_user(
                    session,
                    SYSTEM,
                    email=email,
                    name=name,
                    role=role,
                    password=password,
                )
            if patients:
                from planner.demo import seed_demo

                seed_demo(
                    engine,
                    patients=patients,
                    cycles=5,
                    seed=2026,
                    now=datetime.now(UTC),
                )
            text = (
                "Demo logins (all share one password):\n"
                "  admin@example.org     (admin)\n"
                "  injector@example.org  (injector)\n"
                "  staff@example.org     (staff)\n"
                f"  password: {password}\n"
            )
            # Owner-only: this is a live credential until the password is changed.
            credentials.write_text(text)
            credentials.chmod(0o600)
    if credentials.exists():
        click.echo(
            credentials.read_text()
            + f"(kept in {credentials}; delete it once you have changed the password)"
        )
    else:
        click.echo("Log in with an account made by `flask --app planner create-user`.")


@click.command("backup")
@with_appcontext
@click.option(
    "--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
def backup_command(target: Path) -> None:
    """Write a consistent copy of the database while the app keeps running."""
    url = make_url(current_app.config["DATABASE_URL"])
    if target.exists():
        raise click.ClickException(f"--to: {target} exists; choose a new file name.")
    if not target.parent.exists():
        raise click.ClickException(f"--to: the folder {target.parent} does not exist.")
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise click.ClickException("An in-memory database cannot be backed up.")
        # SQLite's online backup copies a consistent snapshot while writers go on.
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(
            ["pg_dump", "--format=custom", f"--file={target}", f"--dbname={plain}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise click.ClickException(
            f"Backups of {url.get_backend_name()} are not supported."
        )
    with session_scope(get_engine()) as session:
        record_event(
            session,
            SYSTEM,
            AuditAction.BACKUP,
            "database",
            None,
            after={"file": target.name},
        )
        session.commit()
    click.echo(f"Backup written to {target}.")


def register_commands(app: Flask) -> None:
    for command in (
        init_db,
        create_user_command,
        seed_demo_command,
        first_run,
        backup_command,
    ):
        app.cli.add_command(command)
