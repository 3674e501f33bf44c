"""Files holding records or secrets are owner-only whatever the umask (issue 18)."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from planner.cli_backup import _write_backup
from planner.cli_backup import pgpass_line
from planner.config import instance_secret_key
from planner.db import build_engine
from planner.db import get_engine
from planner.private_files import private_dir
from tests.factories import make_app

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 60
WORKERS = 6


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The loosest umask a deployment could run under."""
    before = os.umask(0)
    yield
    os.umask(before)


def test_instance_folder_and_secret_key_are_owner_only(tmp_path, open_umask):
    instance = tmp_path / "instance"
    key = instance_secret_key(instance)
    assert len(key) == 64
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert instance_secret_key(instance) == key
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]


def test_existing_loose_instance_files_are_tightened(tmp_path, open_umask):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "secret_key").write_text("k" * 64)
    (instance / "secret_key").chmod(0o644)
    private_dir(instance)
    assert instance_secret_key(instance) == "k" * 64
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600


def test_an_empty_key_file_is_refused_not_used(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="is empty"):
        instance_secret_key(tmp_path)


def test_workers_starting_together_all_read_the_one_whole_key(tmp_path):
    """Several gunicorn workers at first start: never an empty or a second key."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.services.key_race", str(tmp_path)]
        + [str(ROUNDS), str(WORKERS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rounds = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rounds) == ROUNDS
    for number, keys in enumerate(rounds):
        assert len(keys) == WORKERS
        assert len(set(keys)) == 1, (number, keys)
        assert len(keys[0]) == 64
        assert (tmp_path / f"instance-{number}" / "secret_key").read_text() == keys[0]


@pytest.mark.audit_exempt("a scratch table, not a record")
def test_database_and_its_wal_and_shm_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "data" / "planner.db"
    engine = build_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT x FROM t")).scalar() == 1
            files = {p.name: mode(p) for p in path.parent.iterdir()}
    finally:
        engine.dispose()
    assert files == {
        "planner.db": 0o600,
        "planner.db-wal": 0o600,
        "planner.db-shm": 0o600,
    }
    assert mode(path.parent) == 0o700


def test_a_database_made_by_an_older_version_is_tightened(tmp_path, open_umask):
    path = tmp_path / "planner.db"
    for name in ("planner.db", "planner.db-wal"):
        (tmp_path / name).touch(mode=0o644)
    build_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600
    assert mode(tmp_path / "planner.db-wal") == 0o600


def test_backups_and_demo_credentials_are_owner_only(tmp_path, open_umask):
    app = make_app(
        f"sqlite:///{tmp_path / 'modes.db'}", instance_path=tmp_path / "instance"
    )
    runner = app.test_cli_runner()
    try:
        assert runner.invoke(args=["init-db"]).exit_code == 0
        first = runner.invoke(args=["first-run", "--patients", "0"])
        assert first.exit_code == 0, first.output
        backup = runner.invoke(args=["backup", "--to", str(tmp_path / "copy.db")])
        assert backup.exit_code == 0, backup.output
    finally:
        get_engine(app).dispose()
    assert mode(tmp_path / "instance" / "demo-credentials.txt") == 0o600
    assert mode(tmp_path / "copy.db") == 0o600


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "postgresql+psycopg://clinic:s3cr:et\\x@db.local:5433/planner",
            "db.local:5433:planner:clinic:s3cr\\:et\\\\x\n",
        ),
        ("postgresql+psycopg://clinic:pw@/planner", "*:*:planner:clinic:pw\n"),
    ],
)
def test_pg_dump_gets_its_password_from_a_password_file_line(url, line):
    assert pgpass_line(make_url(url)) == line


def test_pg_dump_never_sees_the_password_on_its_command_line(monkeypatch, tmp_path):
    seen = {}

    def fake_run(args, **options):
        passfile = Path(options["env"]["PGPASSFILE"])
        seen.update(args=args, mode=mode(passfile), line=passfile.read_text())
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr("planner.cli_backup.subprocess.run", fake_run)
    url = make_url("postgresql+psycopg://clinic:Secret-Pw@db.local/planner")
    _write_backup(url, tmp_path / "dump")
    assert not any("Secret-Pw" in arg for arg in seen["args"])
    assert "--dbname=postgresql://clinic@db.local/planner" in seen["args"]
    assert seen["mode"] == 0o600
    assert seen["line"] == "db.local:*:planner:clinic:Secret-Pw\n"
