"""Review hR finding 3: a top-up weeks after the review is held to the interval.

A top-up belongs at the review (day 14 ± 3, clinic settings). Charted after the
review window closed and under 12 weeks since the last full treatment, it is in
effect a booster injection within 12 weeks (clinical reference §2.4, §7): it warns
as ``interval_short`` warns a full treatment, and signing asks for its reason as
it does for that one. Checked on every path that gives a top-up its warnings, in
clinic days, for Botox and Dysport.
"""

from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import sessions as session_service
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.treatment_time import set_treatment_time
from tests.factories import VIAL_FORM
from tests.factories import consent_by_browser
from tests.factories import make_treatment
from tests.factories import post_tap
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.test_top_up_early import CHIN
from tests.services.test_top_up_early import given_full
from tests.services.test_top_up_early import top_up


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def booster(warnings):
    return [w for w in warnings if w["code"] == "top_up_booster"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [18, 42, 70, 83])
def test_a_top_up_after_the_review_window_warns_and_signing_asks_why(
    chair, make_patient, product, day
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    when = DAY0 + timedelta(days=day)
    record, version = top_up(chair, patient, when, product)
    (warning,) = booster(chair.warnings(record, when))
    assert warning["severity"] == "warning"
    assert warning["needs_reason"]
    assert warning["message"].startswith(
        f"Top-up on day {day} of the cycle that began on 2 Mar 2026, after its "
        "review window closed on day 17: it is in effect a booster injection "
        f"{day} days after the last full treatment"
    )
    assert "at least 84 days (12 weeks) apart" in warning["message"]
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
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    when = DAY0 + timedelta(days=day)
    record, version = top_up(chair, patient, when, product)
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
    as_top_up = make_patient(affected_side="left")
    given_full(chair, as_top_up, DAY0, product)
    record, _ = top_up(chair, as_top_up, day42, product)
    (boost,) = booster(chair.warnings(record, day42))
    assert (short["severity"], short["needs_reason"]) == (
        boost["severity"],
        boost["needs_reason"],
    )
    assert short["message"].endswith("at least 84 days (12 weeks) apart.")
    assert boost["message"].endswith("at least 84 days (12 weeks) apart.")


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_day_is_the_clinics_in_a_london_summer(chair, make_patient, product):
    full_at = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
    # 23:59 on 18 June (BST) is day 17 everywhere: still the review window.
    patient = make_patient(affected_side="left")
    given_full(chair, patient, full_at, product)
    late_day17 = datetime(2026, 6, 18, 23, 59, tzinfo=LONDON)
    record, _ = top_up(chair, patient, late_day17, product)
    assert booster(chair.warnings(record, late_day17)) == []
    # 00:30 on 19 June in London is 23:30 on 18 June in UTC: day 18 at the clinic.
    other = make_patient(affected_side="left")
    given_full(chair, other, full_at, product)
    just_after = datetime(2026, 6, 19, 0, 30, tzinfo=LONDON)
    record, version = top_up(chair, other, just_after, product)
    (warning,) = booster(chair.warnings(record, just_after))
    assert (
        "Top-up on day 18 of the cycle that began on 1 Jun 2026" in (warning["message"])
    )
    signed = chair.sign_with_reasons(record, version, just_after)
    assert [w["code"] for w in booster(signed.warnings)] == ["top_up_booster"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_entering_the_treatment_time_moves_the_top_up_into_the_review(
    chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day20 = DAY0 + timedelta(days=20)
    record, version = top_up(chair, patient, day20, product)
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


@pytest.mark.audit_exempt(
    "strips the warning a record signed before the fix lacked",
    tables=["treatment_session"],
)
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_amending_a_day_42_top_up_signed_without_the_warning_asks_for_it(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day42 = DAY0 + timedelta(days=42)
    record, version = top_up(chair, patient, day42, product)
    signed = chair.sign_with_reasons(record, version, day42)
    # As signed before the fix: the record carries no booster warning.
    signed.warnings = [w for w in signed.warnings if w["code"] != "top_up_booster"]
    session.add(signed)
    session.commit()
    correction = {
        "reason": "Dose transcribed wrongly",
        "corrections": [{"site_id": chair.site.id, "units": CHIN[product] - 1}],
    }
    later = day42 + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        session_service.amend_session(
            session, chair.injector, signed.id, correction, zone=LONDON, now=later
        )
    (needed,) = [name for name in refused.value.fields if "top_up_booster" in name]
    amendment = session_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {**correction, "reasons": {needed.removeprefix("reasons."): "As given"}},
        zone=LONDON,
        now=later,
    )
    (kept,) = booster(amendment.changes["warnings"])
    assert kept["reason"] == "As given"
    assert "Top-up on day 42" in kept["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_keeps_a_booster_warning_already_given_its_reason(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day42 = DAY0 + timedelta(days=42)
    record, version = top_up(chair, patient, day42, product)
    signed = chair.sign_with_reasons(record, version, day42)
    amendment = session_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
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
        patient = make_patient(affected_side="left")
        given_full(chair, patient, DAY0, product)
        when = DAY0 + timedelta(days=day)
        record, _ = top_up(chair, patient, when, product)
        found = booster(chair.warnings(record, when))
        assert [w["code"] for w in found] == expected
    assert "review window closed on day 21" in found[0]["message"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_tablets_chart_json_and_its_signing_carry_the_booster(
    session, injector, login_as, make_patient, product
):
    patient = make_patient(affected_side="left")
    # Given 6 weeks ago, at noon on the clinic's clock.
    today = clinic_today(LONDON, utc_now())
    given = datetime.combine(today - timedelta(days=42), time(12, 0), tzinfo=LONDON)
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", CHIN[product])],
        when=given,
        sign=True,
        product=product,
        vial_units=100 if product == "botox" else 300,
    )
    browser = login_as(Role.INJECTOR)
    consent_by_browser(browser, patient.id)
    opened = browser.post_form(
        f"/patients/{patient.id}/sessions",
        {**VIAL_FORM, "kind": "top_up", "product": product, "lot_number": "T8"}
        | ({"vial_units": "300"} if product == "dysport" else {}),
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(
        browser, session_id, "mentalis", "left", version=1, units=CHIN[product]
    )
    assert tapped.status_code == 201
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    (warning,) = booster(state["warnings"])
    assert "Top-up on day 42" in warning["message"]
    refused = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sign",
        {"version": 2, "consent_obtained": True},
    )
    assert refused.status_code == 400
    assert f"reasons.{warning['key']}" in refused.json["fields"]
    reasons = {
        w["key"]: "Booster agreed" for w in state["warnings"] if w["needs_reason"]
    }
    signed = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sign",
        {"version": 2, "consent_obtained": True, "reasons": reasons},
    )
    assert signed.status_code == 200, signed.json
    (kept,) = booster(signed.json["warnings"])
    assert kept["reason"] == "Booster agreed"
