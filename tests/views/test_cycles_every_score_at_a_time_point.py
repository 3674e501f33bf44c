"""The ledger lists every score at a time point with who entered it (review rW2
V2-2, clinical reference §4.5): the patient's own SAQ beside the clinician-entered
one, and says which one the response uses (the clinician-entered, unchanged)."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services import diary_entries as entries
from planner.services import outcomes
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import sign_chin
from tests.services.test_comparison_report import document_for
from tests.services.test_cycle_response import saq
from tests.services.test_diary import opened
from tests.views.test_outcomes_pages import text

TREATED = datetime(2026, 3, 2, 10, tzinfo=UTC)
REVIEW = TREATED + timedelta(days=14)
DOSES = {"botox": 4, "dysport": 10}


def saq_at(session, actor, patient_id, when, total_of_nine, timepoint, **options):
    return outcomes.record_assessment(
        session,
        actor,
        patient_id,
        "saq",
        saq(total_of_nine),
        timepoint=timepoint,
        zone=ZONE,
        now=when,
        **options,
    )


def three_saq_scores_at_review(session, injector, patient, product):
    """SAQ 80 before; at review 40 by the clinician, 100 on the clinic's tablet
    and 60 through the diary."""
    saq_at(session, injector, patient.id, TREATED - timedelta(hours=1), 36, None)
    treatment = sign_chin(
        session,
        injector,
        patient.id,
        when=TREATED,
        product=product,
        units=DOSES[product],
        lot_number=f"L{product[:2]}",
    )
    saq_at(session, injector, patient.id, REVIEW, 18, "review")
    saq_at(
        session,
        injector,
        patient.id,
        REVIEW + timedelta(minutes=20),
        45,
        "review",
        self_entered=True,
    )
    later = REVIEW + timedelta(hours=8)
    _, diary = opened(session, injector, treatment.id, at=later, now=later)
    entries.record_saq(
        session,
        diary,
        {**{k: str(v) for k, v in saq(27).items()}, "when": "two_weeks"},
        client="203.0.113.7",
        now=later,
    )


def flat(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_ledger_lists_each_saq_at_review_and_names_the_one_used(
    login_as, session, injector, make_patient, product
):
    patient = make_patient()
    three_saq_scores_at_review(session, injector, patient, product)
    html = text(login_as(Role.INJECTOR).get(f"/patients/{patient.id}/cycles"))
    row = re.search(r'<tr data-cycle="1">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    cell = flat(row.group(1))
    # The response is unchanged: the clinician-entered review against before.
    assert "80 → 40 −40 better" in cell
    assert (
        "All SAQ at review: 40 (clinician-entered) · 100 (patient-entered) · "
        "60 (patient-entered, diary). The response uses 40, clinician-entered."
    ) in cell
    # One score before: nothing more to list there.
    assert "All SAQ before" not in cell


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_printed_ledger_lists_each_saq_at_review(
    app, session, injector, make_patient, product
):
    patient = make_patient()
    three_saq_scores_at_review(session, injector, patient, product)
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    html, _ = document_for(app, report)
    ledger = flat(html).split("Cycle by cycle")[1]
    assert (
        "All SAQ at review: 40 (clinician-entered) · 100 (patient-entered) · "
        "60 (patient-entered, diary). The response uses 40, clinician-entered."
    ) in ledger
