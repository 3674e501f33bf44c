"""The pure packages import no web framework, database layer or other planner code."""

import ast
from pathlib import Path

import pytest

import planner

PLANNER = Path(planner.__file__).parent
WEB_AND_DB = ("flask", "sqlmodel", "sqlalchemy", "werkzeug")


def imported_names(path: Path) -> list[str]:
    """Return every module name a file imports, ``from`` imports by their module."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
    return names


@pytest.mark.parametrize(
    ("files", "allowed", "forbidden"),
    [
        pytest.param(
            "dosing/*.py",
            (
                "planner.dosing",
                "planner.reference",
                "planner.clinic_time",
                "planner.vocabulary",
            ),
            (*WEB_AND_DB, "planner"),
            id="dosing",
        ),
        pytest.param(
            "scheduling/*.py",
            ("planner.scheduling", "planner.clinic_time"),
            (*WEB_AND_DB, "planner"),
            id="scheduling",
        ),
        pytest.param(
            "scoring/*.py",
            ("planner.scoring",),
            (*WEB_AND_DB, "numpy", "planner"),
            id="scoring",
        ),
        pytest.param(
            "interop/icalendar_export.py",
            ("planner.clinic_time",),
            (*WEB_AND_DB, "planner"),
            id="icalendar_export",
        ),
    ],
)
def test_package_is_pure(
    files: str, allowed: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    paths = sorted(PLANNER.glob(files))
    assert paths
    for path in paths:
        for name in imported_names(path):
            if any(name == ok or name.startswith(f"{ok}.") for ok in allowed):
                continue
            assert not name.startswith(forbidden), f"{path.name} imports {name}"
