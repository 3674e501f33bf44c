"""A side effect the patient reported in the diary shows in the cycles ledger
(review rW2 V2-1): marked as the patient's report, and never beside "none
recorded", on the page and in the printed comparison."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services import diary_entries as entries
from planner.services.diary_clinic import handle_entry
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import sign_chin
from tests.services.test_comparison_report import document_for
from tests.services.test_cycle_response import saq
from tests.services.test_diary import opened
from tests.views.test_outcomes_pages import text

TREATED = datetime(2026, 3, 2, 10, tzinfo=UTC)
DOSES = {"botox": 4, "dysport": 10}


def chin_on_day_0(session, injector, patient, product, when=TREATED):
    """Sign one chin site in ``product`` (its usual dose) at ``when``."""
    return sign_chin(
        session,
        injector,
        patient.id,
        when=when,
        product=product,
        units=DOSES[product],
        lot_number=f"L{product[:2]}",
    )


def diary_saq(session, injector, treatment_id, when, total_of_nine):
    """Send an SAQ at the two-week review through the cycle's diary at ``when``."""
    _, diary = opened(session, injector, treatment_id, at=when, now=when)
    entries.record_saq(
        session,
        diary,
        {**{k: str(v) for k, v in saq(total_of_nine).items()}, "when": "two_weeks"},
        client="203.0.113.7",
        now=when,
    )
    return diary


def treated_with_diary_droop(session, injector, patient, product):
    """Sign a chin treatment; the patient reports a droop in its diary on day 4."""
    treatment = chin_on_day_0(session, injector, patient, product)
    now = TREATED + timedelta(days=4)
    _, diary = opened(session, injector, treatment.id, now=now)
    return entries.record_side_effect(
        session,
        diary,
        {"effects": ["eyelid_droop"], "day": "2026-03-05"},
        client="203.0.113.7",
        now=now,
    )


def flat(html):
    """The words of some HTML, tags and runs of spaces each one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def printed(app, session, patient_id):
    """The words of the printed comparison of the patient's cycles."""
    report = comparison_report(session, patient_id, face_map=FACE_MAP, zone=ZONE)
    html, _ = document_for(app, report)
    return flat(html)


def side_effects_cell(html, cycle):
    row = re.search(rf'<tr data-cycle="{cycle}">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    cell = re.search(r'<td class="side-effects">(.*?)</td>', row.group(1), re.DOTALL)
    assert cell is not None
    return flat(cell.group(1)).strip()


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_ledger_shows_the_diary_side_effect_as_the_patients_report(
    login_as, session, injector, make_patient, product
):
    patient = make_patient()
    entry = treated_with_diary_droop(session, injector, patient, product)
    browser = login_as(Role.INJECTOR)
    html = text(browser.get(f"/patients/{patient.id}/cycles"))
    cell = side_effects_cell(html, 1)
    assert "My eyelid droops, since 5 Mar 2026" in cell
    assert "patient-reported (diary), not yet reviewed by the clinic" in cell
    assert "None" not in cell
    events = html.split('id="events-title"')[1]
    assert "No adverse events recorded in these cycles." not in events
    assert "Cycle 1: My eyelid droops, since 5 Mar 2026" in re.sub(
        r"<[^>]+>", "", events
    )

    handle_entry(session, injector, entry.id, now=TREATED + timedelta(days=5))
    cell = side_effects_cell(text(browser.get(f"/patients/{patient.id}/cycles")), 1)
    assert "patient-reported (diary), dealt with by the clinic 7 Mar 2026" in cell


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_printed_comparison_carries_the_diary_side_effect(
    app, session, injector, make_patient, product
):
    patient = make_patient()
    treated_with_diary_droop(session, injector, patient, product)
    words = printed(app, session, patient.id)
    ledger = words.split("Cycle by cycle")[1].split("Adverse events")[0]
    assert "My eyelid droops, since 5 Mar 2026 (patient-reported (diary)" in ledger
    events = words.split("Adverse events")[-1]
    assert "None recorded in these cycles." not in events
    assert "Reported by the patient in the diary" in events
