from datetime import date

import pytest

from planner.services.patients import parse_birth_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1961-03-14", date(1961, 3, 14)),
        (" 14/03/1961 ", date(1961, 3, 14)),
        ("14.3.1961", date(1961, 3, 14)),
        ("31/02/1961", None),
        ("Smith", None),
        ("MRN1961", None),
    ],
)
def test_parse_birth_date(text, expected):
    assert parse_birth_date(text) == expected
