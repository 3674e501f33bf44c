"""The cycles page's ledger, muscle picker and cards, and time points on the forms."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.db_types import utc_now
from planner.models import Assessment
from planner.models import Role
from tests.factories import make_treatment
from tests.services.test_cycle_cards import switching
from tests.services.test_cycle_response import CYCLE_1
from tests.services.test_cycle_response import SITES
from tests.services.test_cycle_response import score
from tests.views.test_outcomes_pages import assert_csp_clean
from tests.views.test_outcomes_pages import text


def test_the_ledger_and_a_chosen_muscle_show_on_the_page(
    login_as, session, injector, make_patient
):
    patient = make_patient()
    score(session, injector, patient.id, CYCLE_1.replace(hour=9), 32)
    make_treatment(session, injector, patient.id, SITES, when=CYCLE_1, sign=True)
    score(session, injector, patient.id, CYCLE_1.replace(day=19), 20)
    browser = login_as(Role.STAFF)
    html = text(browser.get(f"/patients/{patient.id}/cycles"))
    assert re.search(
        r'<tr data-cycle="1">.*?SAQ</span><span class="score-direction">, lower is '
        r'better</span></span>\s*71\.1 → 44\.4 <span class="change better">'
        r"−26\.7 <span",
        html,
        re.DOTALL,
    )
    assert '<option value="mentalis:left">Mentalis, left</option>' in html
    assert "Choose a muscle to see its dose" in html
    # The face is in the page once; each card uses it.
    assert html.count("<symbol") == 1
    assert html.count('<use href="#cycle-face"') == 1
    assert_csp_clean(html)

    chosen = text(browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left"))
    assert '<div class="muscle-view" data-muscle="mentalis" data-side="left">' in chosen
    assert '<option value="mentalis:left" selected>' in chosen
    assert '<td class="num dose">2.5 U</td>' in chosen
    assert "Only 1 cycle to compare" in chosen

    # A muscle of the face map not treated is shown as such; anything else is
    # refused naming muscle (tests/views/test_query_choices.py).
    for junk in ("mentalis:up", "nothing", "'><script>"):
        page = browser.get(
            f"/patients/{patient.id}/cycles", query_string={"muscle": junk}
        )
        assert page.status_code == 400
        assert "<strong>muscle</strong>" in text(page)
        assert "<script>" not in text(page)
    page = browser.get(f"/patients/{patient.id}/cycles?muscle=platysma:left")
    assert page.status_code == 200
    assert 'class="muscle-view"' not in text(page)
    assert "That muscle was not treated in the cycles shown." in text(
        browser.get(f"/patients/{patient.id}/cycles?muscle=platysma:left")
    )


def test_the_forms_suggest_the_time_point_from_the_dates(
    login_as, session, injector, make_patient
):
    patient = make_patient()
    browser = login_as(Role.INJECTOR)
    # No treatment yet: before treatment (the baseline).
    form = text(browser.get(f"/patients/{patient.id}/assessments/new"))
    assert '<option value="pre_treatment" selected>' in form
    assert '<option value="wear_off">' in form
    start = text(browser.get(f"/patients/{patient.id}/self-entry/new?instrument=fdi"))
    assert '<option value="pre_treatment" selected>' in start
    assert re.search(r'value="fdi" checked', start)
    assert_csp_clean(start)


def test_self_entry_records_the_time_point_chosen(
    login_as, session, injector, make_patient
):
    patient = make_patient()
    # Treated 40 days ago: a wear-off score fits today (comparison.fitting_timepoints).
    make_treatment(
        session, injector, patient.id, SITES, when=utc_now() - timedelta(days=40)
    )
    browser = login_as(Role.INJECTOR)
    refused = browser.post_form(
        f"/patients/{patient.id}/self-entry", {"instrument": "saq", "timepoint": "soon"}
    )
    assert refused.headers["Location"].endswith(
        f"/patients/{patient.id}/self-entry/new"
    )
    assert "Choose when in the cycle" in text(browser.get(refused.headers["Location"]))
    browser.post_form(
        f"/patients/{patient.id}/self-entry",
        {"instrument": "saq", "timepoint": "wear_off"},
    )
    for value in ["3"] * 9:
        browser.post_form("/self-entry", {"answer": value})
    saved = session.exec(
        select(Assessment).where(Assessment.patient_id == patient.id)
    ).one()
    assert saved.timepoint == "wear_off"
    assert saved.self_entered


@pytest.mark.parametrize("first", ["botox", "dysport"])
def test_a_card_after_a_product_change_says_so_and_counts_no_dose_change(
    login_as, session, injector, make_patient, first
):
    patient = make_patient()
    switching(session, injector, patient, first)
    browser = login_as(Role.STAFF)
    html = text(browser.get(f"/patients/{patient.id}/cycles"))
    changes = re.findall(r'<p class="cycle-changes">(.*?)</p>', html, re.DOTALL)
    assert len(changes) == 3
    for previous, line in ((1, changes[1]), (2, changes[2])):
        assert (
            '<span class="count count-product">New product: doses not compared '
            f"with cycle {previous}</span>"
        ) in line
        assert "dose changed" not in line
        assert "Same sites" not in line
    cards = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles").json["cycles"]
    assert [card["changes"]["changed"] for card in cards] == [0, 0, 0]
