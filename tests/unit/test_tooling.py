"""The project's own tooling agrees with itself."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pre_commit_ruff_pin_matches_the_dev_group():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    ruff_pins = [pin for pin in dev["dev"] if pin.startswith("ruff")]
    assert len(ruff_pins) == 1
    assert ruff_pins[0].startswith("ruff==")
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    pins = set(re.findall(r"ruff==[0-9.]+", hooks))
    assert pins == {ruff_pins[0]}


def test_ci_lints_before_testing():
    """ruff runs before the suite; mypy, `make lint`'s slow step, beside it, and
    its verdict fails CI (shown once with a deliberate type error, session 32)."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line.startswith("make ")]
    assert commands == ["make dev-venv", "make test || status=$?"]
    test = lines.index("make test || status=$?")
    ruff = [lines.index(f".venv/bin/{command} .") for command in LINT[:2]]
    mypy = lines.index('.venv/bin/mypy >"$mypy_log" 2>&1 &')
    verdict = lines.index('wait "$mypy_run" || mypy_status=$?')
    assert max(ruff) < mypy < test < verdict
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for command in LINT:
        assert command in lint


LINT = ("ruff check", "ruff format --check", "mypy")
