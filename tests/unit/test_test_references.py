"""A comment in the code that names a test names one that exists.

``planner/reports/maps.py`` sent its reader to a test file that had never been
committed; the tests that do measure the printed numbers were elsewhere.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_PATH = re.compile(r"\btests/[\w/]+\.py\b")


def named_tests() -> list[tuple[str, str]]:
    """Return (source file, named test path) for every test the code names."""
    found = []
    for folder in ("planner", "templates", "static"):
        for source in sorted((ROOT / folder).rglob("*")):
            if source.suffix not in {".py", ".html", ".js", ".css"}:
                continue
            text = source.read_text(encoding="utf-8")
            for name in TEST_PATH.findall(text):
                found.append((str(source.relative_to(ROOT)), name))
    return found


def test_the_code_names_some_tests():
    assert any(source == "planner/reports/maps.py" for source, _ in named_tests())


def test_every_test_the_code_names_exists():
    missing = [
        f"{source} names {name}"
        for source, name in named_tests()
        if not (ROOT / name).is_file()
    ]
    assert missing == []
