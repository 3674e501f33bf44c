"""A chart signed in place, without a reload, in real Chromium on the tablet.

After "Sign session" the chart turns read-only where it is (chart/readonly.js):
each site row keeps its dose and unit exactly as the server draws a signed chart
after a reload. Botox (U) and Dysport (U (Speywood)), each in its own units.
"""

from typing import Any

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import csrf
from tests.e2e.chart_helpers import log_in_and_register
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import rows
from tests.e2e.chart_helpers import sign_with_reasons
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Product label on the new-session form, vial units, unit name, sites (muscle,
# side, units in that product's own units).
PRODUCTS: dict[str, tuple[str, str, str, list[tuple[str, str, float]]]] = {
    "botox": (
        "Botox (onabotulinumtoxinA)",
        "100",
        "U",
        [("mentalis", "left", 2.5), ("depressor_anguli_oris", "right", 3)],
    ),
    "dysport": (
        "Dysport (abobotulinumtoxinA)",
        "500",
        "U (Speywood)",
        [("mentalis", "left", 15), ("depressor_anguli_oris", "right", 10)],
    ),
}


def add_sites(
    page: Page, server: LiveServer, session_id: int, sites: list[tuple[str, str, float]]
) -> None:
    """Chart each (muscle, side, units) through the chart's own API."""
    for muscle, side, units in sites:
        version = api_state(page, server, session_id)["session"]["version"]
        response = page.request.post(
            f"{server.url}/api/v1/sessions/{session_id}/sites",
            data={"version": version, "muscle": muscle, "side": side, "units": units},
            headers={"X-CSRFToken": csrf(page)},
        )
        assert response.status == 201, response.text()


def open_chart(
    page: Page, server: LiveServer, product: str, mrn: str
) -> tuple[int, str, list[tuple[str, str, float]]]:
    """A new chart of ``product`` with its two sites charted, shown afresh."""
    label, vial_units, unit, sites = PRODUCTS[product]
    patient_id = log_in_and_register(page, server, mrn=mrn)
    session_id = open_session(
        page,
        server,
        patient_id,
        lot=f"{product.upper()}-SIGN",
        product=label,
        vial_units=vial_units,
    )
    add_sites(page, server, session_id, sites)
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(rows(page)).to_have_count(len(sites))
    return session_id, unit, sites


def row_doses(page: Page) -> list[dict[str, Any]]:
    """Each row's dose as shown: the text of its dose cell and of its units."""
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#site-list > li.site-row",
        """rows => rows.map(r => ({
            dose: r.querySelector('.site-dose').innerText.trim(),
            units: r.querySelector('.site-units')?.innerText.trim() ?? null,
            visible: Boolean(r.querySelector('.site-units')?.offsetParent),
            buttons: r.querySelectorAll('.site-dose button').length,
        }))""",
    )
    return found


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_row_signed_in_place_keeps_its_dose_and_unit(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    _, unit, sites = open_chart(page, e2e_server, product, f"E2E-SIP-{product}")
    sign_with_reasons(page)
    expect(page.locator("#signed-banner")).to_be_visible()

    wanted = [f"{units:g} {unit}" for _, _, units in sites]
    in_place = row_doses(page)
    assert [r["units"] for r in in_place] == wanted
    assert all(r["visible"] for r in in_place)
    # Only the button wrapper and the steppers went: nothing left to press.
    assert [r["buttons"] for r in in_place] == [0] * len(sites)
    for number, text in enumerate(wanted, start=1):
        shown = page.locator(f"#site-list > li[data-number='{number}']")
        expect(shown).to_contain_text(text)
    page.locator("#site-list").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"signed-in-place-rows-{product}.png"))

    # Exactly as the server draws the signed chart.
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    assert row_doses(page) == in_place
    assert page_problems.all() == []


# The product plays no part in what the page offers (its units are the test
# above's): one product here, the other in the next test.
@pytest.mark.parametrize("product", ["botox"])
def test_a_chart_signed_in_place_offers_no_discard(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    open_chart(page, e2e_server, product, f"E2E-SIP-DISCARD-{product}")
    expect(page.get_by_text("Discard this draft…")).to_be_visible()
    sign_with_reasons(page)
    expect(page.locator("#signed-banner")).to_be_visible()
    # Gone at once, as after a reload: a signed session is never discarded.
    expect(page.locator("#discard-draft")).to_have_count(0)
    expect(page.get_by_text("Discard this draft…")).to_have_count(0)
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.locator("#discard-draft")).to_have_count(0)
    assert page_problems.all() == []


@pytest.mark.parametrize("product", ["dysport"])
def test_delete_then_undo_brings_a_site_back_under_its_number(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    """Review rW, W8: site 2 deleted and undone is site 2 again, not site 4."""
    page = chromium_page
    session_id, unit, sites = open_chart(page, e2e_server, product, f"E2E-W8-{product}")
    add_sites(page, e2e_server, session_id, [("platysma", "left", sites[0][2])])
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    page.get_by_role("button", name="Delete site 2", exact=True).click()
    expect(rows(page)).to_have_count(2)
    page.locator("#undo").click()
    expect(page.locator("#chart-status")).to_contain_text("Undone: site 2 is back:")
    expect(rows(page)).to_have_count(3)
    numbers = [r.get_attribute("data-number") for r in rows(page).all()]
    assert numbers == ["1", "2", "3"]
    back = page.locator("#site-list > li[data-number='2']")
    expect(back).to_have_attribute("data-muscle", sites[1][0])
    expect(back.locator(".site-units")).to_have_text(f"{sites[1][2]:g} {unit}")
    state = api_state(page, e2e_server, session_id)
    assert [(s["number"], s["muscle"]) for s in state["sites"]] == [
        (1, sites[0][0]),
        (2, sites[1][0]),
        (3, "platysma"),
    ]
    # Signed, the record keeps the numbers 1, 2, 3.
    sign_with_reasons(page)
    assert [s["number"] for s in api_state(page, e2e_server, session_id)["sites"]] == [
        1,
        2,
        3,
    ]
    assert page_problems.all() == []
