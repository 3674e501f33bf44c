"""Review hR finding 3: a top-up weeks after the review is held to the interval.

A top-up belongs at the review (day 14 ± 3, clinic settings). Charted after the
review window closed and under 12 weeks since the last full treatment, it is in
effect a booster injection within 12 weeks (clinical reference §2.4, §7): it warns
as ``interval_short`` warns a full treatment, and signing asks for its reason as
it does for that one. Checked on every path that gives a top-up its warnings, in
clinic days, for Botox and Dysport.
"""

from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.services import amendments as amendment_service
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.treatment_time import set_treatment_time
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import AS_SIGNED_BEFORE
from tests.services.top_up_steps import CHIN
from tests.services.top_up_steps import amend_signed_before
from tests.services.top_up_steps import codes_of
from tests.services.top_up_steps import cycle_and_top_up
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import sign_by_tablet
from tests.services.top_up_steps import tablet_top_up


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def booster(warnings):
    return codes_of("top_up_booster", warnings)


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [18, 42, 70, 83])
def test_a_top_up_after_the_review_window_warns_and_signing_asks_why(
    chair, make_patient, product, day
):
    when = DAY0 + timedelta(days=day)
    record, version = cycle_and_top_up(chair, make_patient, product, when)
    (warning,) = booster(chair.warnings(record, when))
    assert warning["severity"] == "warning"
    assert warning["needs_reason"]
    assert warning["message"].startswith(
        f"Top-up on day {day} of the cycle that began on 2 Mar 2026, after its "
        "review window closed on day 17: it is in effect a booster injection "
        f"{day} days after the last full treatment"
    )
    assert "at least 84 days (12 weeks)" in warning["message"]
    # A top-up is never also called a full treatment under the interval.
    assert "interval_short" not in [w["code"] for w in chair.warnings(record, when)]
    with pytest.raises(InvalidInput) as refused:
        chair.sign(record, version, when)
    assert f"reasons.{warning['key']}" in refused.value.fields
    signed = chair.sign_with_reasons(record, version, when)
    (kept,) = booster(signed.warnings)
    assert kept["reason"] == "Discussed with the patient"


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [11, 14, 17])
def test_a_top_up_at_the_review_is_no_booster_warning(
    chair, make_patient, product, day
):
    when = DAY0 + timedelta(days=day)
    record, version = cycle_and_top_up(chair, make_patient, product, when)
    assert booster(chair.warnings(record, when)) == []
    assert booster(chair.sign_with_reasons(record, version, when).warnings) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_same_injections_as_a_full_treatment_and_as_a_top_up(
    chair, make_patient, product
):
    """Both are a warning needing a reason, naming the same interval."""
    day42 = DAY0 + timedelta(days=42)
    as_full = make_patient(affected_side="left")
    given_full(chair, as_full, DAY0, product)
    record, version = chair.open(as_full, day42, product=product, lot_number="F2")
    version, _ = chair.tap(record, version, "mentalis", "left", CHIN[product], day42)
    (short,) = [
        w for w in chair.warnings(record, day42) if w["code"] == "interval_short"
    ]
    record, _ = cycle_and_top_up(chair, make_patient, product, day42)
    (boost,) = booster(chair.warnings(record, day42))
    assert (short["severity"], short["needs_reason"]) == (
        boost["severity"],
        boost["needs_reason"],
    )
    # The same interval, in the same words (Dysport's is the clinic's setting).
    rule = short["message"].split("; ", 1)[1]
    assert "at least 84 days (12 weeks)" in rule
    assert boost["message"].endswith(f", and {rule}")


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_day_is_the_clinics_in_a_london_summer(chair, make_patient, product):
    full_at = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
    # 23:59 on 18 June (BST) is day 17 everywhere: still the review window.
    late_day17 = datetime(2026, 6, 18, 23, 59, tzinfo=LONDON)
    record, _ = cycle_and_top_up(
        chair, make_patient, product, late_day17, full_at=full_at
    )
    assert booster(chair.warnings(record, late_day17)) == []
    # 00:30 on 19 June in London is 23:30 on 18 June in UTC: day 18 at the clinic.
    just_after = datetime(2026, 6, 19, 0, 30, tzinfo=LONDON)
    record, version = cycle_and_top_up(
        chair, make_patient, product, just_after, full_at=full_at
    )
    (warning,) = booster(chair.warnings(record, just_after))
    assert (
        "Top-up on day 18 of the cycle that began on 1 Jun 2026" in warning["message"]
    )
    signed = chair.sign_with_reasons(record, version, just_after)
    assert [w["code"] for w in booster(signed.warnings)] == ["top_up_booster"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_entering_the_treatment_time_moves_the_top_up_into_the_review(
    chair, make_patient, product
):
    day20 = DAY0 + timedelta(days=20)
    record, version = cycle_and_top_up(chair, make_patient, product, day20)
    assert "Top-up on day 20" in booster(chair.warnings(record, day20))[0]["message"]
    # Charted from a note: it was given at the review, on day 16.
    set_treatment_time(
        chair.session,
        chair.injector,
        record.id,
        {"version": version, "performed_at": "2026-03-18T10:00"},
        zone=LONDON,
        now=day20,
    )
    assert booster(chair.warnings(record, day20)) == []


@AS_SIGNED_BEFORE
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_amending_a_day_42_top_up_signed_without_the_warning_asks_for_it(
    session, chair, make_patient, product
):
    day42 = DAY0 + timedelta(days=42)
    record, version = cycle_and_top_up(chair, make_patient, product, day42)
    signed = chair.sign_with_reasons(record, version, day42)
    later = day42 + timedelta(days=1)
    kept = amend_signed_before(session, chair, signed, "top_up_booster", later)
    assert "Top-up on day 42" in kept["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_keeps_a_booster_warning_already_given_its_reason(
    session, chair, make_patient, product
):
    day42 = DAY0 + timedelta(days=42)
    record, version = cycle_and_top_up(chair, make_patient, product, day42)
    signed = chair.sign_with_reasons(record, version, day42)
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Dose transcribed wrongly",
            "corrections": [{"site_id": chair.site.id, "units": CHIN[product] - 1}],
        },
        zone=LONDON,
        now=day42 + timedelta(days=1),
    )
    assert [w["code"] for w in booster(amendment.changes["warnings"])] == [
        "top_up_booster"
    ]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_review_window_is_the_clinics_setting(
    session, chair, make_patient, product
):
    update_setting(
        session,
        chair.injector,
        "review_tolerance_days",
        7,
        version=get_setting(session, "review_tolerance_days").version,
        now=DAY0,
    )
    for day, expected in ((21, []), (22, ["top_up_booster"])):
        when = DAY0 + timedelta(days=day)
        record, _ = cycle_and_top_up(chair, make_patient, product, when)
        found = booster(chair.warnings(record, when))
        assert [w["code"] for w in found] == expected
    assert "review window closed on day 21" in found[0]["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_tablets_chart_json_and_its_signing_carry_the_booster(
    session, injector, login_as, make_patient, product
):
    patient = make_patient(affected_side="left")
    browser, session_id, state = tablet_top_up(
        session, injector, login_as, patient, product, days=42
    )
    (warning,) = booster(state["warnings"])
    assert "Top-up on day 42" in warning["message"]
    refused = sign_by_tablet(browser, session_id)
    assert refused.status_code == 400
    assert f"reasons.{warning['key']}" in refused.json["fields"]
    reasons = {
        w["key"]: "Booster agreed" for w in state["warnings"] if w["needs_reason"]
    }
    signed = sign_by_tablet(browser, session_id, reasons)
    assert signed.status_code == 200, signed.json
    (kept,) = booster(signed.json["warnings"])
    assert kept["reason"] == "Booster agreed"
