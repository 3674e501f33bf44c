"""A site put back by undo, in Chromium (review rJ).

RJ2: undoing a delete, or a copy that replaced today's sites, puts back a site
that had no dose with none and with its reason, never the product's tap default.
Botox and Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e]

VIALS = {
    "botox": {"vial_units": 100, "diluent_ml": 2.5},
    "dysport": {"vial_units": 300, "diluent_ml": 2.5},
}


def chart_of(
    server: LiveServer, mrn: str, product: str, last: str | None = None
) -> int:
    """A draft chart in ``product`` for a new patient; with ``last``, their last
    cycle was a signed one in that product (corrugator and mentalis, left)."""
    now = datetime.now(UTC)
    with live_session(server) as session:
        actor = injector(session, server)
        patient = make_patient(session, actor, mrn, affected_side="left")
        assert patient.id is not None
        if last is not None:
            make_treatment(
                session,
                actor,
                patient.id,
                [("corrugator", "left", 4), ("mentalis", "left", 2)],
                when=now - timedelta(days=100),
                product=last,
                lot_number=f"{mrn}-L",
                sign=True,
                **VIALS[last],
            )
        treatment = make_treatment(
            session,
            actor,
            patient.id,
            when=now,
            product=product,
            lot_number=f"{mrn}-T",
            **VIALS[product],
        )
        assert treatment.record.id is not None
        return treatment.record.id


def open_chart(page: Page, server: LiveServer, session_id: int) -> None:
    page.goto(server.url)
    log_in(page, server)
    page.goto(f"{server.url}/sessions/{session_id}")
    expect(page.locator("#chart.is-ready")).to_have_count(1)


def reasons(page: Page, server: LiveServer, session_id: int) -> list[object]:
    state = api_state(page, server, session_id)
    return [(s["muscle"], s["units"], s["unset_reason"]) for s in state["sites"]]


@pytest.mark.parametrize(
    ("product", "last", "muscle"),
    [("dysport", "botox", "corrugator"), ("botox", "dysport", "mentalis")],
)
def test_undo_puts_back_a_site_with_no_dose_as_it_was(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
    last: str,
    muscle: str,
) -> None:
    """Dysport's shipped default for corrugator is 10 U (Speywood), Botox's clinic
    default for mentalis 2 U: neither may stand in for a dose nobody entered."""
    page = chromium_page
    session_id = chart_of(e2e_server, f"E2E-UU-{product}", product, last=last)
    open_chart(page, e2e_server, session_id)
    brand = product.capitalize()
    reason = f"Dose not carried over: last cycle was {last.capitalize()}, units differ"
    unset_note = page.locator("#unset-note")

    def copy_replacing() -> None:
        page.get_by_role("button", name="Copy last cycle").click()
        page.locator("#prefill-replace").click()
        expect(status(page)).to_contain_text("Copied 2 sites from the last cycle.")

    copy_replacing()
    unset = [(m, None, reason) for m in ("corrugator", "mentalis")]
    assert sorted(reasons(page, e2e_server, session_id)) == unset
    expect(unset_note).to_have_text(f"2 doses to enter in {brand} units before signing")

    # Delete the site, then undo: back with no dose and its reason.
    number = next(
        s["number"]
        for s in api_state(page, e2e_server, session_id)["sites"]
        if s["muscle"] == muscle
    )
    row(page, number).get_by_role("button", name=f"Delete site {number}").click()
    expect(unset_note).to_have_text(f"1 dose to enter in {brand} units before signing")
    page.locator("#undo").click()
    expect(status(page)).to_contain_text("dose not entered")
    expect(unset_note).to_have_text(f"2 doses to enter in {brand} units before signing")
    assert sorted(reasons(page, e2e_server, session_id)) == unset
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chart-undo-unset-{product}.png"))

    # Copy again, replacing today's sites, then undo: the removed sites come back.
    copy_replacing()
    page.locator("#undo").click()
    expect(status(page)).to_contain_text("Undone: site")
    page.wait_for_timeout(1000)
    expect(rows(page)).to_have_count(2)
    assert sorted(reasons(page, e2e_server, session_id)) == unset
    expect(unset_note).to_have_text(f"2 doses to enter in {brand} units before signing")
    assert page_problems.all() == []
