"""The flask commands, run against a real SQLite file."""

import sqlite3

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.db import get_engine
from planner.migrate import current_revision
from planner.migrate import head_revision
from planner.models import AuditEvent
from planner.models import Product
from planner.models import User
from tests.conftest import PASSWORD
from tests.factories import make_app


@pytest.fixture
def file_app(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'cli.db'}", instance_path=tmp_path / "instance"
    )
    yield app
    get_engine(app).dispose()


@pytest.fixture
def cli(file_app):
    runner = file_app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke


def test_init_db_migrates_and_loads_products_idempotently(file_app, cli):
    assert cli("init-db").exit_code == 0
    second = cli("init-db")
    assert second.exit_code == 0, second.output
    engine = get_engine(file_app)
    assert current_revision(engine) == head_revision(engine)
    with Session(engine) as session:
        assert len(session.exec(select(Product)).all()) == 6


def create_user_cli(cli, email, name, role, password=PASSWORD):
    return cli(
        "create-user",
        "--email",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password",
        password,
    )


def test_create_user_and_its_errors(file_app, cli):
    cli("init-db")
    ok = create_user_cli(cli, "a@example.org", "A", "admin", PASSWORD)
    assert ok.exit_code == 0, ok.output
    duplicate = create_user_cli(cli, "A@example.org", "A", "admin", PASSWORD)
    assert duplicate.exit_code == 1
    assert "email: is taken" in duplicate.output
    weak = create_user_cli(cli, "b@example.org", "B", "staff", "short")
    assert weak.exit_code == 1
    assert "password: must be at least 12 characters" in weak.output
    bad_role = create_user_cli(cli, "c@example.org", "C", "boss", PASSWORD)
    assert bad_role.exit_code == 2
    assert "--role" in bad_role.output
    with Session(get_engine(file_app)) as session:
        assert [u.email for u in session.exec(select(User)).all()] == ["a@example.org"]


def test_backup_is_a_consistent_copy(file_app, cli, tmp_path):
    cli("init-db")
    create_user_cli(cli, "a@example.org", "A", "admin", PASSWORD)
    target = tmp_path / "backup.db"
    result = cli("backup", "--to", str(target))
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT email FROM user").fetchall() == [("a@example.org",)]
    finally:
        copy.close()
    with Session(get_engine(file_app)) as session:
        assert "backup" in session.exec(select(AuditEvent.action)).all()


@pytest.mark.parametrize(
    ("target", "message"),
    [("exists.db", "exists"), ("missing-folder/x.db", "does not exist")],
)
def test_backup_refuses_bad_targets(cli, tmp_path, target, message):
    cli("init-db")
    (tmp_path / "exists.db").write_text("keep me")
    result = cli("backup", "--to", str(tmp_path / target))
    assert result.exit_code == 1
    assert message in result.output
    assert (tmp_path / "exists.db").read_text() == "keep me"


def test_seed_demo_rejects_bad_numbers(cli):
    cli("init-db")
    result = cli("seed-demo", "--patients", "0")
    assert result.exit_code == 2
    assert "--patients" in result.output


def test_first_run_creates_logins_once_and_always_prints_them(file_app, cli, tmp_path):
    cli("init-db")
    first = cli("first-run", "--patients", "3")
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    password = first.output.split("password: ")[1].split()[0]
    again = cli("first-run")
    assert password in again.output
    credentials = tmp_path / "instance" / "demo-credentials.txt"
    assert credentials.stat().st_mode & 0o777 == 0o600
    with Session(get_engine(file_app)) as session:
        assert len(session.exec(select(User)).all()) >= 3
    browser_app = file_app.test_client()
    from tests.conftest import Browser

    browser = Browser(browser_app)
    assert browser.login("admin@example.org", password).status_code == 302


def test_first_run_forgets_credentials_that_no_longer_work(file_app, cli):
    cli("init-db")
    first = cli("first-run", "--patients", "0")
    assert "password: " in first.output
    changed = cli(
        "set-password",
        "--email",
        "admin@example.org",
        "--password",
        "a brand new passphrase",
    )
    assert changed.exit_code == 0, changed.output
    again = cli("first-run")
    assert "password: " not in again.output
    assert "create-user" in again.output


def test_set_password_errors_are_named(cli):
    cli("init-db")
    unknown = cli(
        "set-password", "--email", "ghost@example.org", "--password", PASSWORD
    )
    assert unknown.exit_code == 1
    assert "email: unknown" in unknown.output
