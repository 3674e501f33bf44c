"""Commands given a file that is not a database, a locked one or a bad path say so.

Each ended in a traceback: a database file that is someone's notes
(``file is not a database``), a database another process holds locked,
``backup --to`` under a file, ``first-run`` whose instance folder is a file,
and a face map that is not UTF-8. Each is now one line naming the setting,
option or path and the reason, exit status 1, and nothing is changed.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from planner.db import get_engine
from tests.conftest import PASSWORD
from tests.factories import make_app

ROOT = Path(__file__).resolve().parents[2]
NOTES = "these are someone's notes, not a database\n" * 50
CREATE_ADMIN = [
    "create-user",
    "--email",
    "a@example.org",
    "--name",
    "A",
    "--role",
    "admin",
    "--password",
    PASSWORD,
]


@pytest.fixture
def file_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", instance_path=tmp_path / "i")
    yield app
    get_engine(app).dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def one_line(result):
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    (line,) = result.output.strip().splitlines()
    return line


@pytest.mark.parametrize(
    "command",
    [["init-db"], ["audit-verify"], ["send-reminders"], CREATE_ADMIN],
    ids=["init-db", "audit-verify", "send-reminders", "create-user"],
)
def test_a_file_that_is_not_a_database_is_named_and_left_alone(
    file_app, tmp_path, command
):
    database = tmp_path / "p.db"
    database.write_text(NOTES)
    line = one_line(run(file_app, *command))
    assert line == (
        f"Error: PLANNER_DATABASE_URL: {database} is not a database (is it the "
        "clinic's database file?); nothing was done."
    )
    assert database.read_text() == NOTES


def test_a_locked_database_is_busy_and_nothing_is_saved(
    file_app, tmp_path, monkeypatch
):
    assert run(file_app, "init-db").exit_code == 0
    # The busy timeout is 10 s in service: a tenth of a second here.
    monkeypatch.setattr("planner.db.SQLITE_BUSY_TIMEOUT_MS", 100)
    get_engine(file_app).dispose()
    holder = sqlite3.connect(tmp_path / "p.db")
    try:
        holder.execute("BEGIN EXCLUSIVE")
        line = one_line(run(file_app, *CREATE_ADMIN))
    finally:
        holder.rollback()
        holder.close()
    assert line == (
        "Error: The database is busy, locked by another process; nothing was "
        "saved; try again."
    )
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT count(*) FROM user").fetchone() == (0,)
    assert run(file_app, *CREATE_ADMIN).exit_code == 0


def test_a_command_that_saved_before_the_lock_says_so(file_app, monkeypatch):
    """first-run saves each demo login as it goes: the message must not deny it."""
    assert run(file_app, "init-db").exit_code == 0
    from sqlalchemy.exc import OperationalError

    from planner import cli

    made = []
    create_user = cli.create_user

    def locked_after_one(*args, **kwargs):
        if made:
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorname = "SQLITE_BUSY"
            raise OperationalError("INSERT", {}, error)
        made.append(create_user(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(cli, "create_user", locked_after_one)
    line = one_line(run(file_app, "first-run", "--patients", "0"))
    assert line == (
        "Error: The database is busy, locked by another process; what the command "
        "saved before it stopped is kept; try again."
    )


def test_backup_under_a_file_names_to_and_the_reason(file_app, tmp_path):
    assert run(file_app, "init-db").exit_code == 0
    (tmp_path / "afile").write_text("x")
    target = tmp_path / "afile" / "copy.db"
    line = one_line(run(file_app, "backup", "--to", str(target)))
    assert line == (
        f"Error: --to: cannot create {target}: Not a directory; nothing was backed up."
    )


def test_first_run_whose_instance_folder_is_a_file_names_it(file_app, tmp_path):
    assert run(file_app, "init-db").exit_code == 0
    instance = Path(file_app.instance_path)
    if instance.is_dir():
        instance.rmdir()
    instance.write_text("x")
    line = one_line(run(file_app, "first-run", "--patients", "0"))
    assert line == (
        f"Error: The instance folder {instance} cannot be made (it is a file); "
        "nothing was done."
    )
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT count(*) FROM user").fetchone() == (0,)


def test_a_face_map_that_is_not_utf8_is_named(file_app, tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    broken = maps / "broken.json"
    broken.write_bytes(b'{"name": "\xff\xfe not utf-8 \x80"}')
    file_app.config["FACE_MAPS_DIR"] = str(maps)
    target = tmp_path / "x.pdf"
    line = one_line(
        run(file_app, "facemap-sheet", "--to", str(target), "--map", "broken")
    )
    assert line == f"Error: {broken}: not UTF-8 text (byte 10 cannot be read)"
    assert not target.exists()


def _limit_file_size(limit: int) -> None:
    import resource

    # A full disk, as a write sees it: EFBIG past ``limit`` bytes, no signal.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.slow
def test_a_sheet_that_cannot_be_written_whole_leaves_the_old_one(tmp_path):
    target = tmp_path / "sheet.pdf"
    target.write_bytes(b"%PDF- the sheet signed off last year")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "PLANNER_SECRET_KEY": "x",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "planner", "facemap-sheet"]
        + ["--to", str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: _limit_file_size(8_000),  # noqa: PLW1509
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line == f"Error: --to: cannot write {target}: File too large."
    assert target.read_bytes() == b"%PDF- the sheet signed off last year"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sheet.pdf"]
