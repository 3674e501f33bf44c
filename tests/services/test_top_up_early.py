"""Review hR finding 1: a top-up before the clinic's review day warns.

The review visit is booked on day 14 ± 3 (clinic settings), but a top-up is given
only after the full 2 weeks [S63]: the booking tolerance must not bring the
earliest top-up forward to day 11. Checked on every path that gives a top-up its
warnings: the chart state the tablet reads (after each tap), the treatment time
entered by hand, signing and amendment; in clinic days, for Botox and Dysport.
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

# A chin site of the product's own usual size: units are never carried across.
CHIN = {"botox": 2, "dysport": 5}


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def given_full(chair, patient, when, product):
    chair.given(patient, when, [("mentalis", "left", CHIN[product])], product=product)


def top_up(chair, patient, when, product):
    """Open a top-up on ``when`` and tap one chin site; return it and its version."""
    record, version = chair.open(
        patient, when, product=product, kind="top_up", lot_number="T1"
    )
    version, site = chair.tap(record, version, "mentalis", "left", CHIN[product], when)
    chair.site = site
    return record, version


def early(warnings):
    return [w for w in warnings if w["code"] == "top_up_early"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
@pytest.mark.parametrize("day", [11, 12, 13])
def test_a_top_up_inside_the_booking_tolerance_but_before_day_14_warns(
    chair, make_patient, product, day
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    when = DAY0 + timedelta(days=day)
    record, version = top_up(chair, patient, when, product)
    (warning,) = early(chair.warnings(record, when))
    assert warning["needs_reason"]
    assert (
        f"Top-up on day {day} of the cycle that began on 2 Mar 2026"
        in (warning["message"])
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
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    when = DAY0 + timedelta(days=day)
    record, version = top_up(chair, patient, when, product)
    assert early(chair.warnings(record, when)) == []
    signed = chair.sign_with_reasons(record, version, when)
    assert early(signed.warnings) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_day_is_the_clinics_in_a_london_summer(chair, make_patient, product):
    full_at = datetime(2026, 6, 1, 10, 0, tzinfo=LONDON)
    # 23:59 on 14 June (BST) is day 13 everywhere: early.
    patient = make_patient(affected_side="left")
    given_full(chair, patient, full_at, product)
    late_day13 = datetime(2026, 6, 14, 23, 59, tzinfo=LONDON)
    record, _ = top_up(chair, patient, late_day13, product)
    (warning,) = early(chair.warnings(record, late_day13))
    assert (
        "Top-up on day 13 of the cycle that began on 1 Jun 2026" in (warning["message"])
    )
    assert "1 day from now" in warning["message"]
    # 00:30 on 15 June in London is 23:30 on 14 June in UTC: day 14 at the clinic.
    other = make_patient(affected_side="left")
    given_full(chair, other, full_at, product)
    just_after = datetime(2026, 6, 15, 0, 30, tzinfo=LONDON)
    record, version = top_up(chair, other, just_after, product)
    assert early(chair.warnings(record, just_after)) == []
    assert early(chair.sign_with_reasons(record, version, just_after).warnings) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_entering_an_earlier_treatment_time_makes_the_top_up_early(
    chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day16 = DAY0 + timedelta(days=16)
    record, version = top_up(chair, patient, day16, product)
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


@pytest.mark.audit_exempt(
    "strips the warning a record signed before the fix lacked",
    tables=["treatment_session"],
)
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_amending_a_day_12_top_up_signed_without_the_warning_asks_for_it(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day12 = DAY0 + timedelta(days=12)
    record, version = top_up(chair, patient, day12, product)
    signed = chair.sign_with_reasons(record, version, day12)
    # As signed before the fix: the record carries no top-up warning.
    signed.warnings = [w for w in signed.warnings if w["code"] != "top_up_early"]
    session.add(signed)
    session.commit()
    correction = {
        "reason": "Dose transcribed wrongly",
        "corrections": [{"site_id": chair.site.id, "units": CHIN[product] - 1}],
    }
    with pytest.raises(InvalidInput) as refused:
        session_service.amend_session(
            session, chair.injector, signed.id, correction, zone=LONDON, now=day12
        )
    (needed,) = [name for name in refused.value.fields if "top_up_early" in name]
    amendment = session_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {**correction, "reasons": {needed.removeprefix("reasons."): "As given"}},
        zone=LONDON,
        now=day12 + timedelta(days=1),
    )
    (kept,) = early(amendment.changes["warnings"])
    assert kept["reason"] == "As given"
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
    patient = make_patient(affected_side="left")
    given_full(chair, patient, DAY0, product)
    day18 = DAY0 + timedelta(days=18)
    record, _ = top_up(chair, patient, day18, product)
    (warning,) = early(chair.warnings(record, day18))
    assert (
        "review on day 21 (the clinic's review day, 3 days from now)"
        in (warning["message"])
    )
    other = make_patient(affected_side="left")
    given_full(chair, other, DAY0, product)
    day21 = DAY0 + timedelta(days=21)
    record, _ = top_up(chair, other, day21, product)
    assert early(chair.warnings(record, day21)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_tablets_chart_json_and_its_signing_name_the_review_day(
    session, injector, login_as, make_patient, product
):
    patient = make_patient(affected_side="left")
    # Given 12 clinic days ago, at noon on the clinic's clock.
    today = clinic_today(LONDON, utc_now())
    given = datetime.combine(today - timedelta(days=12), time(12, 0), tzinfo=LONDON)
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
        {**VIAL_FORM, "kind": "top_up", "product": product, "lot_number": "T7"}
        | ({"vial_units": "300"} if product == "dysport" else {}),
    )
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    tapped = post_tap(
        browser, session_id, "mentalis", "left", version=1, units=CHIN[product]
    )
    assert tapped.status_code == 201
    state = browser.api("GET", f"/api/v1/sessions/{session_id}").json
    (warning,) = early(state["warnings"])
    assert "Top-up on day 12" in warning["message"]
    assert "review on day 14" in warning["message"]
    refused = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sign",
        {"version": 2, "consent_obtained": True},
    )
    assert refused.status_code == 400
    assert f"reasons.{warning['key']}" in refused.json["fields"]
