"""One rule for a score's time point on every path: form, tablet, API, diary.

The rule is the diary's (``comparison.fitting_timepoints``, which
``self_report_timepoints`` narrows for the patient): no score of the cycle
before the toxin acts (day 3, clinical reference §3), a review only in the
clinic's review window, a score before treatment only before the first
treatment, on a treatment day or once the next cycle is due. Botox and Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner import comparison
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import Assessment
from planner.models import Role
from planner.services import outcomes
from planner.services.schedule_settings import follow_up_days
from tests.factories import ZONE
from tests.services.test_other_product_top_up import treat

D0 = datetime(2026, 1, 5, 10, tzinfo=UTC)
PRODUCTS = pytest.mark.parametrize(
    ("product", "dose"), [("botox", 4), ("dysport", 15)], ids=["botox", "dysport"]
)
SAQ = {f"q{n}": 3 for n in range(1, 10)}


def record(session, actor, patient, timepoint, when, **options):
    return outcomes.record_assessment(
        session,
        actor,
        patient.id,
        "saq",
        SAQ,
        timepoint=timepoint,
        zone=ZONE,
        now=when,
        **options,
    )


@PRODUCTS
@pytest.mark.parametrize(
    ("days", "timepoint", "fits"),
    [
        (1, "review", False),  # before the toxin acts
        (1, "other", False),
        (14, "review", True),
        (14, "other", True),
        (14, "pre_treatment", False),  # the toxin is at its peak
        (40, "review", False),  # outside the review window
        (40, "wear_off", True),
        (40, "pre_treatment", False),  # the next cycle is not due yet
        (90, "pre_treatment", True),  # it is due (day 84 on)
        (90, "wear_off", True),
    ],
)
def test_the_clinic_form_refuses_a_time_point_the_day_does_not_fit(
    session, injector, make_patient, product, dose, days, timepoint, fits
):
    patient = make_patient()
    treat(
        session, injector, patient, [("mentalis", "left", dose)], D0, product, sign=True
    )
    when = D0 + timedelta(days=days)
    if fits:
        assert (
            record(session, injector, patient, timepoint, when).timepoint == timepoint
        )
        return
    with pytest.raises(InvalidInput) as refused:
        record(session, injector, patient, timepoint, when)
    assert f"day {days} after the treatment" in refused.value.fields["timepoint"]
    assert (
        len(
            session.exec(
                select(Assessment).where(Assessment.patient_id == patient.id)
            ).all()
        )
        == 0
    )


@PRODUCTS
def test_the_same_rule_as_the_diary(session, injector, make_patient, product, dose):
    follow_up = follow_up_days(session, None)
    patient = make_patient()
    treat(
        session, injector, patient, [("mentalis", "left", dose)], D0, product, sign=True
    )
    for days in (1, 2, 3, 10, 11, 14, 17, 18, 40, 83):
        allowed = comparison.self_report_timepoints(days, follow_up)
        for timepoint in allowed:
            # Whatever the diary takes, the clinic takes too.
            when = D0 + timedelta(days=days, hours=1)
            assert record(
                session, injector, patient, timepoint, when, self_entered=True
            )
        if not allowed:
            with pytest.raises(InvalidInput):
                record(session, injector, patient, "review", D0 + timedelta(days=days))


@PRODUCTS
def test_on_a_treatment_day_before_the_injections_a_wear_off_or_a_pre_treatment_fits(
    session, injector, make_patient, product, dose
):
    patient = make_patient()
    treat(
        session, injector, patient, [("mentalis", "left", dose)], D0, product, sign=True
    )
    later = D0 + timedelta(weeks=10)  # day 70: an early re-treatment
    treat(session, injector, patient, [("mentalis", "left", dose)], later, product)
    morning = later - timedelta(hours=1)
    assert (
        record(session, injector, patient, "wear_off", morning).timepoint == "wear_off"
    )
    assert (
        record(session, injector, patient, "pre_treatment", morning).timepoint
        == "pre_treatment"
    )
    # Before any treatment, only the score before treatment fits.
    other = make_patient()
    with pytest.raises(InvalidInput, match="does not fit"):
        record(session, injector, other, "review", D0)


@PRODUCTS
def test_the_api_and_the_tablet_follow_the_rule(
    session, injector, make_patient, login_as, product, dose
):
    patient = make_patient()
    # Treated a day ago by the real clock: nothing of the cycle fits yet.
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", dose)],
        utc_now() - timedelta(days=1),
        product,
        sign=True,
    )
    browser = login_as(Role.INJECTOR)
    api = browser.api(
        "POST",
        f"/api/v1/patients/{patient.id}/assessments",
        {"instrument": "saq", "timepoint": "review", "items": SAQ},
    )
    assert api.status_code == 400
    assert "the toxin takes 2-3 days to act" in api.json["fields"]["timepoint"]
    form = browser.post_form(
        f"/patients/{patient.id}/assessments",
        {"instrument": "saq", "timepoint": "review", **SAQ},
    )
    assert form.status_code == 400
    assert "the toxin takes 2-3 days to act" in form.get_data(as_text=True)
    tablet = browser.post_form(
        f"/patients/{patient.id}/self-entry",
        {"instrument": "saq", "timepoint": "review"},
    )
    # Refused before the tablet is handed over, with the reason.
    assert tablet.headers["Location"].endswith(f"/patients/{patient.id}/self-entry/new")
    page = browser.get(tablet.headers["Location"]).get_data(as_text=True)
    assert "Choose another time point" in page
    assert (
        len(
            session.exec(
                select(Assessment).where(Assessment.patient_id == patient.id)
            ).all()
        )
        == 0
    )
