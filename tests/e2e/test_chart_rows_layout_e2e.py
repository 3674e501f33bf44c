"""The site rows stay readable at the chair for every product (review rJ, RJ3).

Dysport's unit name, "U (Speywood)", is much wider than "U", and a row whose
dose is still to enter also shows the dose-entry box. Both once came out of the
muscle's column, so on a landscape tablet a Dysport row printed "Depressor
anguli oris" and its reason one letter per line. Here each row's name column
is measured for Botox and Dysport, rows with and without a dose, at the chair's
landscape tablets, in portrait and on a phone; nothing in a row runs past its
edge and every control in it stays a 44 px target (WCAG 2.2 target size).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.services import chart_prefill
from tests.e2e.chart_helpers import row
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import give_treatment_consent
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_patients_e2e import log_in
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZES = (
    {"width": 1024, "height": 768},
    {"width": 1366, "height": 1024},
    {"width": 768, "height": 1024},
    {"width": 390, "height": 844},
)
# Each product's own doses and vial; units of the two are never compared.
PRODUCTS = {
    "botox": {"other": "dysport", "dose": 4.0, "vial": 100},
    "dysport": {"other": "botox", "dose": 10.0, "vial": 300},
}
# The narrowest name column in which "Depressor anguli oris" breaks only between
# words (about 10 characters of the row's bold text).
NAME_COLUMN_PX = 150
# Per row: the name column's width, the muscle name's and the reason's line
# height and line count, anything running past the row's right edge, and every
# control's box.
MEASURE = """rows => rows.map(r => {
  const box = e => e.getBoundingClientRect();
  const lines = e =>
    Math.round(box(e).height / parseFloat(getComputedStyle(e).lineHeight));
  const edge = box(r).right;
  const shown = [...r.querySelectorAll('*')].filter(e => box(e).width > 0);
  return {
    number: Number(r.dataset.number),
    name: r.querySelector('.site-muscle').textContent,
    what: box(r.querySelector('.site-what')).width,
    muscle_lines: lines(r.querySelector('.site-muscle')),
    draw: r.querySelector('.site-draw').textContent,
    draw_width: box(r.querySelector('.site-draw')).width,
    draw_lines: lines(r.querySelector('.site-draw')),
    past_edge: shown.filter(e => box(e).right > edge + 0.5).map(e => e.className),
    targets: [...r.querySelectorAll('button, input')]
      .filter(e => box(e).width > 0)
      .map(e => [e.getAttribute('aria-label') || e.className,
                 box(e).width, box(e).height]),
  };
})"""

UNIT_LINES = """units => units.map(u => [u.textContent,
  u.getClientRects().length])"""


def seed_chart(server: LiveServer, product: str) -> int:
    """A draft in ``product``: one dose set, one muscle with no default of this
    product (Botox has one for every muscle), and one site copied from a cycle
    charted in the other product, its dose unset."""
    facts = PRODUCTS[product]
    other = facts["other"]
    now = datetime.now(UTC)
    with live_session(server) as session:
        actor = injector(session, server)
        patient = make_patient(
            session, actor, f"E2E-ROWS-{product}", given_name="Rowan"
        )
        assert patient.id is not None
        make_treatment(
            session,
            actor,
            patient.id,
            [("orbicularis_oculi_orbital", "left", PRODUCTS[other]["dose"])],
            when=now - timedelta(days=100),
            sign=True,
            product=other,
            vial_units=PRODUCTS[other]["vial"],
            diluent_ml=2.5,
            lot_number=f"ROWS-{other}",
        )
        draft = make_treatment(
            session,
            actor,
            patient.id,
            [
                ("mentalis", "left", facts["dose"]),
                ("depressor_anguli_oris", "left", None),
            ],
            when=now,
            product=product,
            vial_units=facts["vial"],
            diluent_ml=2.5,
            lot_number=f"ROWS-{product}",
        )
        chart_prefill.copy_last_cycle(
            session,
            actor,
            draft.id,
            {"version": draft.version, "replace": False},
            zone=ZONE,
        )
        patient_id = patient.id
        draft_id = draft.id
    give_treatment_consent(server, patient_id)
    return draft_id


def measure(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#site-list > li.site-row", MEASURE
    )
    return found


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_every_row_keeps_its_muscle_name_readable(
    chromium_page: Page, e2e_server: LiveServer, product: str
) -> None:
    # The suite's tablet, in landscape (1024 x 768) as at the chair.
    page = chromium_page
    session_id = seed_chart(e2e_server, product)
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/sessions/{session_id}")
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(row(page, 3)).to_have_count(1)
    # Rows 2 (Dysport) and 3 (both) wait for a dose: the entry box shows.
    unset = [2, 3] if product == "dysport" else [3]
    for number in unset:
        expect(row(page, number).locator(".dose-entry")).to_be_visible()
    expect(row(page, 1).locator(".dose-entry")).to_be_hidden()
    # Session, right, left and midline totals each name the unit.
    expect(page.locator(".totals dd .unit")).to_have_count(4)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"chart-rows-{product}-page-1024.png"), full_page=True
    )
    problems = []
    for size in SIZES:
        page.set_viewport_size(size)
        page.wait_for_function(f"window.innerWidth === {size['width']}")
        where = f"{product} {size['width']}x{size['height']}"
        page.locator("#site-list").screenshot(
            path=str(ARTIFACTS / f"chart-rows-{product}-{size['width']}.png")
        )
        found = measure(page)
        assert [r["number"] for r in found] == [1, 2, 3], where
        for r in found:
            problems += row_problems(f"{where} row {r['number']} ({r['name']})", r)
        # The totals' unit name on one line, never "(Speywood" and ")".
        problems += [
            f"{where}: totals unit {text!r} on {lines} lines"
            for text, lines in page.eval_on_selector_all(".totals dd .unit", UNIT_LINES)
            if lines != 1
        ]
    assert not problems, "\n".join(problems)


def row_problems(what: str, r: dict[str, Any]) -> list[str]:
    """What makes a row hard to read or to touch, in words."""
    found = []
    if r["what"] < NAME_COLUMN_PX:
        found.append(f"{what}: name column {r['what']:.0f} px")
    # "Depressor anguli oris" on two lines at most; never a letter a line.
    if r["muscle_lines"] > 2:
        found.append(f"{what}: muscle name on {r['muscle_lines']} lines")
    # The volume to draw, or why the dose is still to enter, as wide as the name.
    if r["draw_width"] < NAME_COLUMN_PX or r["draw_lines"] > 3:
        found.append(
            f"{what}: {r['draw']!r} {r['draw_width']:.0f} px wide, "
            f"{r['draw_lines']} lines"
        )
    if r["past_edge"]:
        found.append(f"{what}: past the row's edge: {r['past_edge']}")
    found += [
        f"{what}: {label} is {width:.0f} x {height:.0f} px"
        for label, width, height in r["targets"]
        if min(width, height) < 44
    ]
    return found
