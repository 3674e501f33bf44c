"""The pure rule for a photography answer recorded only on the photos page."""

from datetime import date

import pytest

from planner.consent import decide_photos_page_answer


@pytest.mark.parametrize(
    ("today", "valid"),
    [
        (date(2026, 3, 30), True),  # the last day of 12 calendar months
        (date(2026, 3, 31), False),  # the first day it no longer counts
    ],
)
def test_it_counts_for_the_re_consent_age_in_calendar_months(today, valid):
    decision = decide_photos_page_answer(
        date(2025, 3, 31), answer="Clinical record only", today=today, valid_months=12
    )
    assert decision.valid is valid
    assert decision.expires_on == date(2026, 3, 31)
    if valid:
        assert "(Clinical record only)" in decision.message
        assert decision.badge == ""
    else:
        assert "more than 12 months ago" in decision.message
        assert (
            decision.badge
            == "Photo consent needed: recorded 31 Mar 2025, over 12 months ago"
        )


def test_a_month_at_the_end_of_february_is_a_calendar_month():
    decision = decide_photos_page_answer(
        date(2026, 1, 31),
        answer="Clinical record only",
        today=date(2026, 2, 28),
        valid_months=1,
    )
    assert not decision.valid
    assert decision.expires_on == date(2026, 2, 28)


def test_the_re_consent_age_is_at_least_a_month():
    with pytest.raises(ValueError, match="at least 1"):
        decide_photos_page_answer(
            date(2026, 1, 1), answer="x", today=date(2026, 1, 2), valid_months=0
        )
