"""Operator errors name the option or the PLANNER_ setting and why, in one line.

A missing output folder ended ``facemap-sheet`` in a traceback after the whole
render; ``--map front-v1.json`` was refused; PLANNER_IDLE_TIMEOUT_MINUTES=0
logged every login out on its next page; a bad log level or time zone stopped
every command with a traceback that did not name its variable (review rB, RB5).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner import create_app
from planner.config import SettingError
from tests.factories import make_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", instance_path=tmp_path / "i")
    return app.test_cli_runner()


def one_line(result):
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.strip().splitlines()
    return line


def test_a_missing_output_folder_is_named_before_rendering(runner, monkeypatch):
    def no_render(*_args, **_kwargs):
        raise AssertionError("rendered before checking the folder")

    monkeypatch.setattr("planner.cli_facemap.render_pdf", no_render)
    line = one_line(runner.invoke(args=["facemap-sheet", "--to", "/nonexist/x.pdf"]))
    assert line == "Error: --to: the folder /nonexist does not exist."


def test_the_map_may_be_given_with_or_without_json(runner, tmp_path):
    for name in ("front-v1", "front-v1.json"):
        target = tmp_path / f"{name}.pdf"
        result = runner.invoke(
            args=["facemap-sheet", "--to", str(target), "--map", name]
        )
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 10_000


def test_an_unknown_map_lists_the_maps_there(runner, tmp_path):
    result = runner.invoke(
        args=["facemap-sheet", "--to", str(tmp_path / "x.pdf"), "--map", "front-v9"]
    )
    line = one_line(result)
    assert line == (
        "Error: --map: there is no face map 'front-v9'; maps here: front-v1, front-v2."
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("IDLE_TIMEOUT_MINUTES", 0, "PLANNER_IDLE_TIMEOUT_MINUTES must be more than 0"),
        ("IDLE_TIMEOUT_MINUTES", -5, "PLANNER_IDLE_TIMEOUT_MINUTES must be more than"),
        ("IDLE_WARNING_SECONDS", -1, "PLANNER_IDLE_WARNING_SECONDS must be at least 0"),
        ("TRUSTED_PROXIES", -1, "PLANNER_TRUSTED_PROXIES must be at least 0"),
        ("LOG_LEVEL", "LOUD", "PLANNER_LOG_LEVEL must be one of DEBUG, INFO"),
        ("CLINIC_TIMEZONE", "Europe/Lndon", "PLANNER_CLINIC_TIMEZONE must be a time"),
        ("PAPER_SIZE", "A5", "PLANNER_PAPER_SIZE must be A4 or Letter"),
    ],
)
def test_an_unworkable_setting_is_refused_at_start_naming_it(key, value, message):
    with pytest.raises(SettingError) as refused:
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", key: value})
    assert str(refused.value.message).startswith(message)


@pytest.mark.parametrize(
    ("key", "value"),
    [("IDLE_TIMEOUT_MINUTES", 1), ("IDLE_WARNING_SECONDS", 0), ("TRUSTED_PROXIES", 0)],
)
def test_the_least_workable_values_are_accepted(key, value):
    create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", key: value})


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PLANNER_IDLE_TIMEOUT_MINUTES", "0"),
        ("PLANNER_LOG_LEVEL", "LOUD"),
        ("PLANNER_CLINIC_TIMEZONE", "Europe/Lndon"),
    ],
)
def test_the_command_line_says_it_in_one_line(tmp_path, variable, value):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PLANNER_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        "PLANNER_SECRET_KEY": "x",
        variable: value,
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "planner", "audit-verify"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {variable} must be")
