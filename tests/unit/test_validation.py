"""Reading numbers typed into forms and query strings."""

import pytest

from planner.validation import ascii_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7", 7),
        ("007", 7),
        ("123456789", 123456789),
        ("1234567890", None),
        ("", None),
        ("²", None),
        ("٣", None),
        ("１", None),
        ("-1", None),
        (" 1", None),
    ],
)
def test_ascii_number_reads_only_ascii_digits(text, number):
    assert ascii_number(text) == number
