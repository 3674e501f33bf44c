"""The README's safety-checks table is generated, and matches the checks' code."""

import ast
from pathlib import Path

from planner.dosing.check_list import CHECKS
from planner.dosing.check_list import safety_checks_markdown
from planner.dosing.checks import CONTRAINDICATIONS

ROOT = Path(__file__).resolve().parents[2]
BEGIN = (
    "<!-- BEGIN safety-checks: generated from planner/dosing/check_list.py, "
    "do not edit by hand -->\n"
)
END = "<!-- END safety-checks -->"


def readme_table() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def codes_in_the_checks() -> set[str]:
    """Every warning code the dosing package writes, read from its source."""
    found: set[str] = {code for _flag, code, _message, _source in CONTRAINDICATIONS}
    for path in (ROOT / "planner" / "dosing").glob("*.py"):
        if path.name == "check_list.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(
                        keyword.value, ast.Constant
                    ):
                        found.add(keyword.value.value)
                called = node.func
                if (
                    isinstance(called, ast.Name)
                    and called.id == "_warning"
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.add(node.args[0].value)
            # ``code, severity = "muscle_added", "caution"``
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Tuple)
                and isinstance(node.targets[0].elts[0], ast.Name)
                and node.targets[0].elts[0].id == "code"
                and isinstance(node.value, ast.Tuple)
                and isinstance(node.value.elts[0], ast.Constant)
            ):
                found.add(node.value.elts[0].value)
    return found


def test_the_readme_table_is_the_generated_one():
    assert readme_table() == safety_checks_markdown(), (
        "README.md's safety-checks table is out of date: replace the text between "
        "the safety-checks markers with planner.dosing.check_list."
        "safety_checks_markdown()"
    )


def test_every_check_in_the_code_is_listed_and_nothing_else():
    listed = [check.code for check in CHECKS]
    assert len(listed) == len(set(listed))
    assert set(listed) == codes_in_the_checks()


def test_every_check_says_whom_it_covers_and_where_it_comes_from():
    for check in CHECKS:
        assert check.products
        assert check.source
        assert check.severity.split(":")[0].split(",")[0] in {"warning", "caution"}
