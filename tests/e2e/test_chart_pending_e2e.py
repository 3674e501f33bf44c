"""A site still being saved, and a site put back by undo, in Chromium (review rJ).

RJ1: on a slow connection a second tap on a site whose save has not answered yet
selects that site once saved; it never charts the same site twice (which would
double the muscle's dose). RJ2: undoing a delete, or a copy that replaced
today's sites, puts back a site that had no dose with none and with its reason,
never the product's tap default. Botox and Dysport.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import FACE_MAP
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e]

VIALS = {
    "botox": {"vial_units": 100, "diluent_ml": 2.5},
    "dysport": {"vial_units": 300, "diluent_ml": 2.5},
}
# Slow clinic Wi-Fi: every chart write answers 800 ms late.
SLOW_WRITES = """() => {
  const fetch = window.fetch;
  window.fetch = (url, init) => new Promise((resolve) =>
    setTimeout(resolve, init && init.method && init.method !== "GET" ? 800 : 0),
  ).then(() => fetch(url, init));
}"""


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


# One product: the pending state is a mechanic (each product's tap default in
# tests/services/test_chart_unset_restore.py); the undo test below runs both.
@pytest.mark.parametrize(("product", "muscle", "units"), [("botox", "mentalis", 2.0)])
def test_a_second_tap_on_a_site_being_saved_selects_it(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
    muscle: str,
    units: float,
) -> None:
    page = chromium_page
    session_id = chart_of(e2e_server, f"E2E-DT-{product}", product)
    open_chart(page, e2e_server, session_id)
    page.evaluate(SLOW_WRITES)

    x, y = reference(FACE_MAP, muscle, "left")
    touch(page, x, y)
    page.wait_for_timeout(250)
    touch(page, x + 1, y)  # "did it register?": the same spot, a finger's width off
    said = page.locator("#tap-hint").inner_text()
    expect(status(page)).to_contain_text("Site 1 saved: ")
    page.wait_for_timeout(1500)  # any second save would have answered by now
    state = api_state(page, e2e_server, session_id)
    assert [(s["muscle"], s["units"]) for s in state["sites"]] == [(muscle, units)]
    assert state["totals"]["units"] == units
    expect(rows(page)).to_have_count(1)
    assert said == (
        "This site is still being saved: nothing added. It is selected once saved."
    )
    expect(row(page, 1)).to_have_class(re.compile(r"\bis-selected\b"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chart-second-tap-{product}.png"))
    assert page_problems.all() == []


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
