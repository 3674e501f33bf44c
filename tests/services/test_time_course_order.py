"""Onset, peak and wear-off stay in order, whoever records them: one rule.

The toxin acts in 2-3 days and peaks at 1-2 weeks (clinical reference §3
[S20] [S36] [S37]). The clinic's response form and the patient's diary both
refuse a value that puts the peak before the onset, or the wear-off before
the effect began, its onset or its peak (``comparison.time_course_problem``).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner import comparison
from planner.errors import InvalidInput
from planner.models import CycleResponse
from planner.models import DiaryEntry
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from tests.factories import DIARY_KEY
from tests.factories import ZONE
from tests.factories import sign_chin

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
PRODUCTS = ["botox", "dysport"]
CLIENT = "203.0.113.7"


@pytest.mark.parametrize(
    ("onset", "peak", "weeks", "problem"),
    [
        (3, 14, 12, None),
        (None, None, 0, None),  # 0 weeks: no effect at all
        (None, None, 0.4, "wear_off_too_early"),  # 2.8 days
        (None, None, 0.5, None),
        (10, 7, None, "peak_before_onset"),
        (10, None, 1, "wear_off_before_onset"),
        (3, 14, 1.9, "wear_off_before_peak"),
        (3, 14, 2, None),
    ],
)
def test_the_rule(onset, peak, weeks, problem):
    assert comparison.time_course_problem(onset, peak, weeks) == problem


def test_every_problem_has_the_clinicians_words():
    assert set(outcomes.TIME_COURSE_WORDS) == set(comparison.PROBLEM_FIELDS)


def _treated(session, injector, make_patient, product, response=None, when=NOW):
    record = sign_chin(
        session,
        injector,
        make_patient().id,
        when=when,
        lot_number="L1",
        product=product,
    )
    if response:
        outcomes.record_response(
            session, injector, record.id, response, now=when, zone=ZONE
        )
    return record


def _diary(session, record, at, printed_at=NOW):
    printed = printable_link(
        session, record.id, key=DIARY_KEY, now=printed_at, zone=ZONE
    )
    return open_diary(session, printed.printed.token, client=CLIENT, now=at, zone=ZONE)


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_clinic_form_refuses_a_wear_off_out_of_order(
    session, injector, make_patient, product
):
    record = _treated(session, injector, make_patient, product)
    for data, field, words in (
        ({"wear_off_weeks": "0.4"}, "wear_off_weeks", "must be later than day 3"),
        ({"onset_days": "10", "wear_off_weeks": "1"}, "wear_off_weeks", "onset"),
        ({"peak_days": "14", "wear_off_weeks": "1.5"}, "wear_off_weeks", "peak"),
        ({"onset_days": "10", "peak_days": "7"}, "peak_days", "onset"),
    ):
        with pytest.raises(InvalidInput) as info:
            outcomes.record_response(session, injector, record.id, data, zone=ZONE)
        assert list(info.value.fields) == [field]
        assert words in info.value.fields[field]
    assert session.exec(select(CycleResponse)).all() == []


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_patients_onset_after_the_clinics_peak_is_refused(
    session, injector, make_patient, product
):
    record = _treated(
        session, injector, make_patient, product, response={"peak_days": "7"}
    )
    at = NOW + timedelta(days=12)
    diary = _diary(session, record, at)
    with pytest.raises(InvalidInput) as info:
        entries.record_onset(
            session, diary, {"day": "2026-03-12"}, client=CLIENT, now=at
        )
    assert info.value.fields == {
        "day": "The clinic noted your injections working at their best by "
        "9 Mar 2026, so they started before then. Please check the date."
    }
    assert session.exec(select(DiaryEntry)).all() == []
    entries.record_onset(session, diary, {"day": "2026-03-05"}, client=CLIENT, now=at)
    response = session.exec(select(CycleResponse)).one()
    assert (response.onset_days, response.peak_days) == (3.0, 7.0)


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_patients_wear_off_out_of_order_is_refused(
    session, injector, make_patient, product
):
    record = _treated(session, injector, make_patient, product)
    at = NOW + timedelta(days=20)
    diary = _diary(session, record, at)
    with pytest.raises(InvalidInput) as info:
        entries.record_wear_off(
            session, diary, {"day": "2026-03-05"}, client=CLIENT, now=at, zone=ZONE
        )
    assert info.value.fields["day"].startswith(
        "The injections take 2 to 3 days to start working"
    )
    entries.record_onset(session, diary, {"day": "2026-03-12"}, client=CLIENT, now=at)
    with pytest.raises(InvalidInput) as info:
        entries.record_wear_off(
            session, diary, {"day": "2026-03-09"}, client=CLIENT, now=at, zone=ZONE
        )
    assert info.value.fields == {
        "day": "This is before the day your injections started working "
        "(12 Mar 2026). Please check the date."
    }
    entries.record_wear_off(
        session, diary, {"day": "2026-03-20"}, client=CLIENT, now=at, zone=ZONE
    )
    response = session.exec(select(CycleResponse)).one()
    assert (response.onset_days, response.wear_off_weeks) == (10.0, 2.6)


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_wear_off_on_day_3_is_too_early_by_the_clinic_day(
    session, injector, make_patient, product
):
    # Treated at 23:30 UTC on 1 Jun: 2 Jun in London. 5 Jun is day 3, 6 Jun day 4.
    treated = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    record = _treated(session, injector, make_patient, product, when=treated)
    at = treated + timedelta(days=10)
    diary = _diary(session, record, at, printed_at=treated)
    with pytest.raises(InvalidInput):
        entries.record_wear_off(
            session, diary, {"day": "2026-06-05"}, client=CLIENT, now=at, zone=ZONE
        )
    entries.record_wear_off(
        session, diary, {"day": "2026-06-06"}, client=CLIENT, now=at, zone=ZONE
    )
    assert session.exec(select(CycleResponse)).one().wear_off_weeks == 0.6
