"""``backup`` refuses a database that is not there, and never leaves a false copy.

A cron job whose environment lacks the service's ``PLANNER_DATABASE_URL`` used
to create an empty SQLite file at the default place, "back it up", and leave a
plausible dated file behind a traceback. Restoring it gives an empty clinic.
"""

import sqlite3

import pytest

from planner.db import get_engine
from tests.factories import make_app


def run_backup(app, target):
    try:
        return app.test_cli_runner().invoke(args=["backup", "--to", str(target)])
    finally:
        get_engine(app).dispose()


def one_line_error(result):
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a message, no traceback
    (line,) = result.output.strip().splitlines()
    return line


def test_a_missing_database_is_refused_by_name_and_never_created(tmp_path):
    database = tmp_path / "nodir" / "typo.db"
    target = tmp_path / "b.db"
    app = make_app(f"sqlite:///{database}", instance_path=tmp_path / "instance")
    line = one_line_error(run_backup(app, target))
    assert "PLANNER_DATABASE_URL" in line
    assert str(database) in line
    assert "does not exist" in line
    assert "nothing was backed up" in line
    assert not database.parent.exists()
    assert not target.exists()


@pytest.mark.parametrize("content", [b"", b"not a database at all"])
def test_a_file_without_planner_tables_is_refused(tmp_path, content):
    database = tmp_path / "other.db"
    database.write_bytes(content)
    target = tmp_path / "b.db"
    app = make_app(f"sqlite:///{database}", instance_path=tmp_path / "instance")
    line = one_line_error(run_backup(app, target))
    assert "PLANNER_DATABASE_URL" in line
    assert "holds no planner records" in line
    assert database.read_bytes() == content
    assert not target.exists()


def test_a_failed_audit_event_removes_the_copy(tmp_path, monkeypatch):
    database = tmp_path / "planner.db"
    app = make_app(f"sqlite:///{database}", instance_path=tmp_path / "instance")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("planner.cli_backup.commit_event", locked)
    target = tmp_path / "b.db"
    result = run_backup(app, target)
    assert result.exit_code != 0
    assert not target.exists()


def test_a_good_database_is_still_copied_and_recorded(tmp_path):
    database = tmp_path / "planner.db"
    app = make_app(f"sqlite:///{database}", instance_path=tmp_path / "instance")
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    target = tmp_path / "b.db"
    result = run_backup(app, target)
    assert result.exit_code == 0, result.output
    assert f"Backup written to {target}." in result.output
    with sqlite3.connect(target) as copy:
        (events,) = copy.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'backup'"
        ).fetchone()
    # The copy is taken before its own event is written.
    assert events == 0
    with sqlite3.connect(database) as live:
        (events,) = live.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'backup'"
        ).fetchone()
    assert events == 1
