"""The "Review and sign" sheet accounts for every safety check on the chart.

The checks needing a reason or an override are shown with their boxes; every
other check (the cautions) is counted, named and listed in full, so that nobody
signs believing nothing was flagged (review rW, W2). A site in a caution zone
is named by the zone, with its site number and the zone's source, not only as
"lies in a caution zone" (the chair warned at the tap). Botox and Dysport, each in
its own units (Dysport has a caution of its own: no dose limit for some muscles,
review X1), for a full treatment and for a top-up, which signs through the same
sheet. A chart with no check at all says that nothing was flagged.
"""

import re
from typing import Any

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import current_edition
from planner.facemap import site_cautions
from tests.e2e.chart_helpers import api_state
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_chart_signed_in_place_e2e import PRODUCTS
from tests.e2e.test_chart_signed_in_place_e2e import add_sites
from tests.e2e.test_chart_signed_in_place_e2e import open_chart
from tests.e2e.test_chart_signed_in_place_e2e import rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Beside the two sites open_chart charts: the frontalis on the affected side (a
# caution zone, brow ptosis) and the zygomaticus major there (a warning: the smile).
MORE_SITES = {
    "botox": [("frontalis", "left", 2), ("zygomaticus_major", "left", 1)],
    "dysport": [("frontalis", "left", 10), ("zygomaticus_major", "left", 5)],
}


def sheet(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Review and sign")


def panel_checks(page: Page) -> list[dict[str, Any]]:
    """The panel's checks: each one's severity, and whether it wants an answer."""
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#warning-list > .warning-item",
        """items => items.map(i => ({
            key: i.dataset.key,
            severity: i.classList.contains('severity-warning') ? 'warning' : 'caution',
            answer: Boolean(i.querySelector('[data-reason-for], [data-override-for]')),
        }))""",
    )
    return found


def check_sheet_accounts_for_every_check(
    page: Page, server: LiveServer, session_id: int, product: str
) -> None:
    """Open the sheet: every check in the panel is counted and shown or named."""
    checks = panel_checks(page)
    needing = [c for c in checks if c["answer"]]
    others = [c for c in checks if not c["answer"]]
    assert others, f"the {product} chart was meant to have cautions: {checks}"
    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review).to_be_visible()
    count = review.locator("#review-checks-count")
    expect(count).to_contain_text(f"{len(checks)} safety checks on this chart")
    if needing:
        expect(count).to_contain_text(f"{len(needing)} need")
    expect(review.locator("#review-warnings > .warning-item")).to_have_count(
        len(needing)
    )
    # The others: counted, named, and listed in full behind one tap.
    cautions = sum(c["severity"] == "caution" for c in others)
    named = review.locator("#review-others-named")
    expect(named).to_be_visible()
    expect(named).to_contain_text(
        re.compile(rf"^{cautions} cautions?( and \d+ warnings?)? to read")
    )
    for warning in api_state(page, server, session_id)["warnings"]:
        if warning["key"] in {c["key"] for c in others}:
            first = re.split(r"(?<=[.;])\s", warning["message"])[0].rstrip(".;")
            expect(named).to_contain_text(first[:60])
    # One list item per check: a message or a zone's source holding "; " (the
    # old separator) still reads as one check.
    expect(named.locator("li")).to_have_count(len(others))
    check_zones_named(page, server, session_id, others)
    listed = review.locator("#review-others-list > .warning-item")
    expect(listed).to_have_count(len(others))
    expect(listed.first).to_be_hidden()
    review.get_by_text("Read them in full").click()
    expect(listed.first).to_be_visible()
    expect(review).not_to_contain_text("Nothing here needs a reason")


def check_zones_named(
    page: Page, server: LiveServer, session_id: int, others: list[dict[str, Any]]
) -> None:
    """Each caution zone a site among ``others`` lies in is named on the sheet, as
    the face map names it, with the site's number and the zone's source."""
    state = api_state(page, server, session_id)
    sites = {site["number"]: site for site in state["sites"]}
    keys = {c["key"] for c in others}
    in_zones = [
        w for w in state["warnings"] if w["code"] == "site_in_zone" and w["key"] in keys
    ]
    assert in_zones, "the chart was meant to have a site in a caution zone"
    named = sheet(page).locator("#review-others-named")
    face_map = current_edition()
    for warning in in_zones:
        site = sites[warning["site_number"]]
        zones = site_cautions(
            face_map, site["x"], site["y"], muscle=site["muscle"], role=site["role"]
        )
        assert zones, site
        for zone in zones:
            # Within the site's own item, its source whole, "; " and all.
            item = named.locator("li").filter(
                has_text=re.compile(rf"^Site {site['number']}, ")
            )
            expect(item).to_have_count(1)
            expect(item).to_contain_text(
                re.compile(
                    rf"^Site {site['number']}, [^;]*lies in (a|\d+) caution zones?: .*?"
                    rf"\u201c{re.escape(zone.title)}\u201d"
                    rf", source: {re.escape(zone.source)}"
                )
            )


def sign(page: Page) -> None:
    """Give each reason the sheet asks for, then sign from it."""
    for reason in sheet(page).locator("[data-mirror-reason]").all():
        reason.fill("Discussed with the patient; agreed plan.")
    for box in sheet(page).locator("[data-mirror-override]").all():
        box.check()
    sheet(page).get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_sheet_counts_names_and_lists_every_check(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    session_id, _, sites = open_chart(page, e2e_server, product, f"E2E-RVW-{product}")
    add_sites(page, e2e_server, session_id, MORE_SITES[product])
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(rows(page)).to_have_count(len(sites) + len(MORE_SITES[product]))
    codes = {w["code"] for w in api_state(page, e2e_server, session_id)["warnings"]}
    assert {"site_in_zone", "smile_muscle_affected_side"} <= codes
    if product == "dysport":
        assert "muscle_without_limit" in codes
    check_sheet_accounts_for_every_check(page, e2e_server, session_id, product)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-sheet-cautions-{product}.png"))
    # The same sheet on a portrait tablet, scrolled to the checks named.
    page.set_viewport_size({"width": 768, "height": 1024})
    sheet(page).locator("#review-others-named").scroll_into_view_if_needed()
    page.screenshot(
        path=str(ARTIFACTS / f"review-sheet-cautions-portrait-{product}.png")
    )
    page.set_viewport_size({"width": 1024, "height": 768})
    if product == "dysport":
        expect(sheet(page).locator("#review-others-named")).to_contain_text(
            "No dose limit of its own for Dysport in: mentalis"
        )
    sign(page)

    # A top-up signs through the same sheet: its checks are all accounted for.
    patient_id = api_state(page, e2e_server, session_id)["patient"]["id"]
    top_up = open_top_up(page, e2e_server, patient_id, product)
    # The frontalis on the affected side again: a caution zone.
    add_sites(page, e2e_server, top_up, [MORE_SITES[product][0]])
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    check_sheet_accounts_for_every_check(page, e2e_server, top_up, product)
    page.screenshot(path=str(ARTIFACTS / f"review-sheet-top-up-{product}.png"))
    sign(page)
    assert page_problems.all() == []


def open_top_up(page: Page, server: LiveServer, patient_id: int, product: str) -> int:
    """Open a top-up of the patient's cycle from the vial the treatment used."""
    label = PRODUCTS[product][0]
    page.goto(f"{server.url}/patients/{patient_id}/sessions/new")
    page.get_by_role("group", name="Kind of session").get_by_label(
        re.compile("Top-up")
    ).check()
    page.get_by_label("Product").select_option(label=label)
    brand = label.split(" (")[0]
    vials = page.get_by_role("group", name=re.compile("^Vial"))
    vials.get_by_label(re.compile(f"{brand}, lot {product.upper()}-SIGN:")).check()
    page.get_by_label("Consent obtained for today's treatment").check()
    page.get_by_role("button", name="Open the chart").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    expect(page.locator(".chart-sub")).to_contain_text("top-up")
    return int(page.url.rsplit("/", 1)[1])


def test_a_chart_with_no_check_says_nothing_was_flagged(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    session_id, _, _ = open_chart(page, e2e_server, "botox", "E2E-RVW-NONE")
    assert api_state(page, e2e_server, session_id)["warnings"] == []
    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review.locator("#review-checks-count")).to_have_text(
        "Nothing was flagged: there is no safety check on this chart."
    )
    expect(review.locator("#review-others")).to_be_hidden()
    sign(page)
    assert page_problems.all() == []
