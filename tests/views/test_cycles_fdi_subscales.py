"""The FDI's two subscales, each named, on the cycles page and in the print
(review rW2 V2-3; clinical reference §4.5: each subscale 0-100, no total)."""

import re
from datetime import timedelta

import pytest

from planner.models import Role
from planner.services import outcomes
from tests.factories import ZONE
from tests.views.test_cycles_diary_side_effects import TREATED
from tests.views.test_cycles_diary_side_effects import chin_on_day_0
from tests.views.test_cycles_diary_side_effects import flat
from tests.views.test_cycles_diary_side_effects import printed
from tests.views.test_outcomes_pages import text

REVIEW = TREATED + timedelta(days=14)


def fdi(physical_points, calm, negative):
    """Answers: each physical item ``physical_points``; q6 ``calm``, q7-q10
    ``negative`` (frequencies)."""
    items = {f"q{n}": physical_points for n in range(1, 6)}
    items["q6"] = calm
    items.update({f"q{n}": negative for n in range(7, 11)})
    return items


# Physical 50, social 40; physical 75, social 20; physical 100, social 0.
BEFORE = fdi(3, "some", "good_bit")
AT_REVIEW = fdi(4, "little", "most")
PATIENTS_OWN = fdi(5, "none", "all")


def fdi_before_and_at_review(session, injector, patient, product):
    def record(when, items, **options):
        outcomes.record_assessment(
            session,
            injector,
            patient.id,
            "fdi",
            items,
            timepoint=options.pop("timepoint", "review"),
            zone=ZONE,
            now=when,
            **options,
        )

    record(TREATED - timedelta(hours=1), BEFORE, timepoint="pre_treatment")
    chin_on_day_0(session, injector, patient, product)
    record(REVIEW, AT_REVIEW)
    record(REVIEW + timedelta(minutes=20), PATIENTS_OWN, self_entered=True)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_page_names_each_fdi_subscale_and_shows_both(
    login_as, session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    fdi_before_and_at_review(session, injector, patient, product)
    browser = login_as(Role.INJECTOR)
    html = text(browser.get(f"/patients/{patient.id}/cycles"))
    row = re.search(r'<tr data-cycle="1">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    cell = flat(row.group(1))
    assert "FDI physical , higher is better 50 → 75 +25 better" in cell
    assert "FDI social , higher is better 40 → 20 −20 worse" in cell
    assert (
        "All FDI social at review: 20 (clinician-entered) · 0 (patient-entered). "
        "The response uses 20, clinician-entered."
    ) in cell
    assert re.search(r"\bFDI\b(?! (physical|social))", cell) is None
    page = flat(html)
    assert "Facial Disability Index: physical function" in page
    assert "Facial Disability Index: social and well-being function" in page

    muscle = flat(
        text(browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left"))
    )
    assert "FDI physical at review" in muscle
    assert "FDI social at review" in muscle


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_print_names_each_fdi_subscale_and_shows_both(
    app, session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    fdi_before_and_at_review(session, injector, patient, product)
    words = printed(app, session, patient.id)
    ledger = words.split("Cycle by cycle")[1]
    assert "FDI physical (higher is better) 50 → 75 (+25 better )" in ledger
    assert "FDI social (higher is better) 40 → 20 (−20 worse )" in ledger
    assert "Facial Disability Index: social and well-being function" in words


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_cycles_json_carries_both_fdi_subscales_each_named(
    login_as, session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    fdi_before_and_at_review(session, injector, patient, product)
    browser = login_as(Role.STAFF)
    data = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles").json
    lines = {line["instrument"]: line for line in data["scores"]}
    assert set(lines) == {"fdi", "fdi_social"}
    physical, social = lines["fdi"], lines["fdi_social"]
    assert physical["title"] == "Facial Disability Index: physical function"
    assert social["title"] == (
        "Facial Disability Index: social and well-being function"
    )
    for line in (physical, social):
        assert (line["descriptive"], line["higher_is_better"]) == (False, True)
    (first,) = physical["points"]
    assert (first["pre_treatment"], first["review"], first["response"]) == (50, 75, 25)
    (first,) = social["points"]
    # The clinician's review is the response's; the patient's own 0 is not used.
    assert (first["pre_treatment"], first["review"], first["response"]) == (
        40,
        20,
        -20,
    )
    # Units stay the cycle's own product's.
    (cycle,) = data["cycles"]
    assert (cycle["product"], cycle["units"]) == (
        product,
        {"botox": 4, "dysport": 10}[product],
    )
