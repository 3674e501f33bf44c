"""The ledger lists every score at a time point with who entered it (review rW2
V2-2, clinical reference §4.5): the patient's own SAQ beside the clinician-entered
one, and says which one the response uses (the clinician-entered, unchanged)."""

import re
from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import outcomes
from tests.factories import ZONE
from tests.services.test_cycle_response import saq
from tests.views.test_cycles_diary_side_effects import TREATED
from tests.views.test_cycles_diary_side_effects import chin_on_day_0
from tests.views.test_cycles_diary_side_effects import diary_saq
from tests.views.test_cycles_diary_side_effects import flat
from tests.views.test_cycles_diary_side_effects import printed
from tests.views.test_outcomes_pages import text

REVIEW = TREATED + timedelta(days=14)


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
    treatment = chin_on_day_0(session, injector, patient, product)
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
    diary_saq(session, injector, treatment.id, REVIEW + timedelta(hours=8), 27)


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
    ledger = printed(app, session, patient.id).split("Cycle by cycle")[1]
    assert (
        "All SAQ at review: 40 (clinician-entered) · 100 (patient-entered) · "
        "60 (patient-entered, diary). The response uses 40, clinician-entered."
    ) in ledger
