"""Review hR finding 1: a top-up before the clinic's review day warns.

The review visit is booked on day 14 ± 3 (clinic settings), but a top-up is given
only after the full 2 weeks [S63]: the booking tolerance must not bring the
earliest top-up forward to day 11. Checked on every path that gives a top-up its
warnings: the chart state the tablet reads (after each tap), the treatment time
entered by hand, signing and amendment; in clinic days, for Botox and Dysport.
"""

from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.treatment_time import set_treatment_time
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import AS_SIGNED_BEFORE
from tests.services.top_up_steps import amend_signed_before
from tests.services.top_up_steps import codes_of
from tests.services.top_up_steps import cycle_and_top_up
from tests.services.top_up_steps import sign_by_tablet
from tests.services.top_up_steps import tablet_top_up


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def early(warnings):
    return codes_of("top_up_early", warnings)


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [11, 12, 13])
def test_a_top_up_inside_the_booking_tolerance_but_before_day_14_warns(
    chair, make_patient, product, day
):
    when = DAY0 + timedelta(days=day)
    record, version = cycle_and_top_up(chair, make_patient, product, when)
    (warning,) = early(chair.warnings(record, when))
    assert warning["needs_reason"]
    assert (
        f"Top-up on day {day} of the cycle that began on 2 Mar 2026"
        in warning["message"]
    )
    assert "review on day 14 (the clinic's review day" in warning["message"]
    assert "review on day 11" not in warning["message"]
    assert "[S63]" in warning["source"]
    assert "full 2 weeks" in warning["source"]
    # Signing asks for its reason, and the record keeps it.
    with pytest.raises(InvalidInput) as refused:
        chair.sign(record, version, when)
    assert f"reasons.{warning['key']}" in refused.value.fields
    signed = chair.sign_with_reasons(record, version, when)
    (kept,) = early(signed.warnings)
    assert kept["reason"] == "Discussed with the patient"


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [14, 17])
def test_a_top_up_at_the_review_is_not_early(chair, make_patient, product, day):
    when = DAY0 + timedelta(days=day)
    record, version = cycle_and_top_up(chair, make_patient, product, when)
    assert early(chair.warnings(record, when)) == []
    signed = chair.sign_with_reasons(record, version, when)
    assert early(signed.warnings) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_day_is_the_clinics_in_a_london_summer(chair, make_patient, product):
    full_at = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
    # 23:59 on 14 June (BST) is day 13 everywhere: early.
    late_day13 = datetime(2026, 6, 14, 23, 59, tzinfo=LONDON)
    record, _ = cycle_and_top_up(
        chair, make_patient, product, late_day13, full_at=full_at
    )
    (warning,) = early(chair.warnings(record, late_day13))
    assert (
        "Top-up on day 13 of the cycle that began on 1 Jun 2026" in warning["message"]
    )
    assert "1 day from now" in warning["message"]
    # 00:30 on 15 June in London is 23:30 on 14 June in UTC: day 14 at the clinic.
    just_after = datetime(2026, 6, 15, 0, 30, tzinfo=LONDON)
    record, version = cycle_and_top_up(
        chair, make_patient, product, just_after, full_at=full_at
    )
    assert early(chair.warnings(record, just_after)) == []
    assert early(chair.sign_with_reasons(record, version, just_after).warnings) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_entering_an_earlier_treatment_time_makes_the_top_up_early(
    chair, make_patient, product
):
    day16 = DAY0 + timedelta(days=16)
    record, version = cycle_and_top_up(chair, make_patient, product, day16)
    assert early(chair.warnings(record, day16)) == []
    # Charted from a note: it was given on day 12.
    version = set_treatment_time(
        chair.session,
        chair.injector,
        record.id,
        {"version": version, "performed_at": "2026-03-14T10:00"},
        zone=LONDON,
        now=day16,
    )
    (warning,) = early(chair.warnings(record, day16))
    assert "Top-up on day 12" in warning["message"]
    with pytest.raises(InvalidInput):
        chair.sign(record, version, day16)


@AS_SIGNED_BEFORE
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_amending_a_day_12_top_up_signed_without_the_warning_asks_for_it(
    session, chair, make_patient, product
):
    day12 = DAY0 + timedelta(days=12)
    record, version = cycle_and_top_up(chair, make_patient, product, day12)
    signed = chair.sign_with_reasons(record, version, day12)
    later = day12 + timedelta(days=1)
    kept = amend_signed_before(session, chair, signed, "top_up_early", later)
    assert "Top-up on day 12" in kept["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_earliest_day_follows_the_clinics_review_day_not_its_tolerance(
    session, chair, make_patient, product
):
    for key, value in (("review_day", 21), ("review_tolerance_days", 7)):
        update_setting(
            session,
            chair.injector,
            key,
            value,
            version=get_setting(session, key).version,
            now=DAY0,
        )
    day18 = DAY0 + timedelta(days=18)
    record, _ = cycle_and_top_up(chair, make_patient, product, day18)
    (warning,) = early(chair.warnings(record, day18))
    assert (
        "review on day 21 (the clinic's review day, 3 days from now)"
        in warning["message"]
    )
    day21 = DAY0 + timedelta(days=21)
    record, _ = cycle_and_top_up(chair, make_patient, product, day21)
    assert early(chair.warnings(record, day21)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_tablets_chart_json_and_its_signing_name_the_review_day(
    session, injector, login_as, make_patient, product
):
    patient = make_patient(affected_side="left")
    browser, session_id, state = tablet_top_up(
        session, injector, login_as, patient, product, days=12
    )
    (warning,) = early(state["warnings"])
    assert "Top-up on day 12" in warning["message"]
    assert "review on day 14" in warning["message"]
    refused = sign_by_tablet(browser, session_id)
    assert refused.status_code == 400
    assert f"reasons.{warning['key']}" in refused.json["fields"]
