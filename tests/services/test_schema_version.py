"""Commands and /healthz stop when the database's migration is not the code's.

After an update without ``init-db``, or a restore of an older backup, every
login was a 500 while /healthz said ok; on a database a newer planner had
migrated, ``create-user`` wrote on without a word (review rB, RB3).
"""

import pytest
from alembic import command
from sqlalchemy import text

from planner import migrate
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import alembic_config
from planner.migrate import head_revision
from tests.factories import make_app

HEAD = head_revision(build_engine("sqlite://"))
NEEDS_SCHEMA = [
    [
        "create-user",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "admin",
        "--password",
        "a long password here",
    ],
    ["set-password", "--email", "a@example.org", "--password", "another long one"],
    ["seed-demo", "--patients", "1", "--cycles", "0"],
    ["first-run", "--patients", "0"],
    ["audit-verify"],
    ["send-reminders"],
]


@pytest.fixture
def clinic(tmp_path):
    """An app on its own SQLite file, its schema as each test leaves it."""
    app = make_app(
        f"sqlite:///{tmp_path / 'planner.db'}", instance_path=tmp_path / "instance"
    )
    yield app
    get_engine(app).dispose()


def migrate_to(app, revision):
    command.upgrade(alembic_config(get_engine(app)), revision)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def one_line(result):
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.strip().splitlines()
    return line


def users(app):
    with get_engine(app).connect() as connection:
        return connection.execute(text('SELECT count(*) FROM "user"')).scalar_one()


@pytest.mark.parametrize("args", NEEDS_SCHEMA, ids=lambda a: a[0])
def test_a_database_never_initialised_says_to_run_init_db(clinic, args):
    line = one_line(run(clinic, *args))
    assert line == (
        "Error: Nothing was done: the database has no planner schema: "
        "run `flask --app planner init-db` first."
    )


@pytest.mark.parametrize("args", NEEDS_SCHEMA, ids=lambda a: a[0])
def test_an_older_database_names_both_migrations_and_the_command(clinic, args):
    migrate_to(clinic, "0011")
    line = one_line(run(clinic, *args))
    assert line == (
        f"Error: Nothing was done: the database is at migration 0011, this "
        f"planner needs {HEAD}: run `flask --app planner init-db`."
    )


def test_a_newer_database_is_refused_and_init_db_says_so_in_one_line(clinic):
    migrate_to(clinic, "head")
    with get_engine(clinic).begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = 'zzzz_future'")
        )
    newer = (
        f"Error: Nothing was done: the database is at migration zzzz_future, "
        f"newer than this planner (which knows up to {HEAD}): update planner."
    )
    assert one_line(run(clinic, "init-db")) == newer
    assert one_line(run(clinic, *NEEDS_SCHEMA[0])) == newer
    assert users(clinic) == 0


def test_healthz_answers_503_with_the_reason_until_init_db(clinic):
    client = clinic.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "schema": "the database has no planner schema: run "
        "`flask --app planner init-db` first",
    }
    migrate_to(clinic, "0011")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"] == (
        f"the database is at migration 0011, this planner needs {HEAD}: "
        "run `flask --app planner init-db`"
    )
    result = run(clinic, "init-db")
    assert result.exit_code == 0, result.output
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    result = run(clinic, *NEEDS_SCHEMA[0])
    assert result.exit_code == 0, result.output
    assert users(clinic) == 1


def test_healthz_on_a_newer_database_says_update_planner(clinic):
    migrate_to(clinic, "head")
    with get_engine(clinic).begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = 'zzzz_future'")
        )
    response = clinic.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["schema"].endswith("update planner")


def test_healthz_reads_the_migration_files_once_a_process(clinic, monkeypatch):
    migrate_to(clinic, "head")
    client = clinic.test_client()
    assert client.get("/healthz").status_code == 200

    def no_scan(*_args, **_kwargs):
        raise AssertionError("the migration files were read again")

    monkeypatch.setattr(migrate.ScriptDirectory, "from_config", no_scan)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
