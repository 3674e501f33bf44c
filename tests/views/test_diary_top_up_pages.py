"""A diary side effect that began after a top-up, recorded from the top-up's page.

The top-up's response page offers "Record as adverse event" for the cycle's
diary side effects that began on or after its day (the full treatment's page no
longer does); the form says which session the event is filed against, and
saving files it there. Posting it to the full treatment is refused by name, not
a 500. Botox and Dysport, with a top-up in each product.
"""

import pytest
from sqlmodel import select

from planner.models import AdverseEvent
from planner.models import Role
from tests.services.test_diary_adverse_event import reported
from tests.services.test_diary_effect_after_top_up import BRANDS
from tests.services.test_diary_effect_after_top_up import EACH_PAIR
from tests.services.test_diary_effect_after_top_up import cycle_maker


@pytest.fixture
def cycle(session, injector, make_patient):
    return cycle_maker(session, injector, make_patient)


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@EACH_PAIR
def test_the_top_up_page_offers_the_effect_and_the_form_files_it_there(
    login_as,
    session,
    injector,
    cycle,
    product,
    top_up_product,
):
    full, [top_up] = cycle(product, top_up_product)  # top-up on 3 March
    entry = reported(session, injector, full.id)  # began 4 March
    browser = login_as(Role.INJECTOR)
    form_path = f"/diary-entries/{entry.id}/adverse-event"
    offered = text(browser.get(f"/sessions/{top_up.id}/response"))
    assert f'href="{form_path}#add-event-title"' in offered
    assert "Began 4 Mar 2026: My eyelid droops" in offered
    assert form_path not in text(browser.get(f"/sessions/{full.id}/response"))

    form = browser.get(form_path)
    assert form.status_code == 200
    html = text(form)
    brand = BRANDS[top_up_product]
    assert (
        f"<strong>Filed against the {brand} top-up of 3 Mar 2026</strong> "
        f"(session {top_up.id})"
    ) in html
    assert f'action="/sessions/{top_up.id}/adverse-events"' in html
    # The form holds no dose: nothing of either product's units to carry over.
    assert " U " not in html.split('id="add-event-title"')[1].split("</form>")[0]

    data = {
        "diary_entry_id": str(entry.id),
        "kind": "eyelid_droop",
        "severity": "mild",
        "onset_date": "2026-03-04",
    }
    wrong = browser.post_form(f"/sessions/{full.id}/adverse-events", data)
    assert wrong.status_code == 400
    assert (
        f"began on 4 Mar 2026, so it is filed against the {brand} top-up of "
        "3 Mar 2026, not this session"
    ) in text(wrong)
    assert session.exec(select(AdverseEvent)).all() == []

    saved = browser.post_form(f"/sessions/{top_up.id}/adverse-events", data)
    assert saved.status_code == 302
    event = session.exec(select(AdverseEvent)).one()
    assert (event.session_id, event.diary_entry_id) == (top_up.id, entry.id)
    after = text(browser.get(f"/sessions/{top_up.id}/response"))
    assert form_path not in after
    assert "Reported by the patient in the diary on 6 Mar 2026" in after


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_other_roles_see_no_offer_on_the_top_up(
    login_as,
    session,
    injector,
    cycle,
    role,
):
    full, [top_up] = cycle("botox", "dysport")
    entry = reported(session, injector, full.id)
    page = text(login_as(role).get(f"/sessions/{top_up.id}/response"))
    assert f"/diary-entries/{entry.id}/adverse-event" not in page


@pytest.mark.parametrize(
    ("product", "top_up_product"), [("botox", "dysport"), ("dysport", "dysport")]
)
def test_a_corrected_day_points_to_and_opens_the_session_that_takes_it(
    login_as, session, injector, cycle, product, top_up_product
):
    # The patient wrote 4 March, after the top-up of 3 March; the clinician
    # finds it began on 2 March and corrects the day on the top-up's form.
    full, [top_up] = cycle(product, top_up_product)
    entry = reported(session, injector, full.id)
    browser = login_as(Role.INJECTOR)
    data = {
        "diary_entry_id": str(entry.id),
        "kind": "eyelid_droop",
        "severity": "mild",
        "onset_date": "2026-03-02",
    }
    refused = browser.post_form(f"/sessions/{top_up.id}/adverse-events", data)
    assert refused.status_code == 400
    html = text(refused)
    form_path = f"/diary-entries/{entry.id}/adverse-event?onset=2026-03-02"
    assert (
        f'<a href="{form_path}">Record it on the {BRANDS[product]} full '
        "treatment of 2 Mar 2026</a>, with the day you entered."
    ) in html

    opened = text(browser.get(form_path))
    assert f'action="/sessions/{full.id}/adverse-events"' in opened
    assert 'name="onset_date" value="2026-03-02"' in opened
    assert (
        browser.post_form(f"/sessions/{full.id}/adverse-events", data).status_code
        == 302
    )
    event = session.exec(select(AdverseEvent)).one()
    assert (event.session_id, event.diary_entry_id) == (full.id, entry.id)


def test_a_day_that_is_no_date_is_refused_by_name(login_as, session, injector, cycle):
    full, _ = cycle("botox", "botox")
    entry = reported(session, injector, full.id)
    browser = login_as(Role.INJECTOR)
    answer = browser.get(f"/diary-entries/{entry.id}/adverse-event?onset=2-3-2026")
    assert answer.status_code == 400
    assert "onset" in text(answer)
