"""A stale page that signs is shown the chart's latest version first.

Another device charts a second site on the smile muscle of the palsied side
after this page drew the chart, raising a warning the page has no box for.
"Sign session" is then answered with the 409 every other chart write gives,
with the latest chart: the review sheet lists the new site and its reason box,
says the chart changed and that nothing was signed, and keeps what was typed in
a reason box that still applies. Signing again with the new reason signs. The
server no longer runs the checks on a stale chart, so no refusal names a
warning the injector has not seen. Botox and Dysport, each in its own units.
"""

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.test_chart_review_sheet_checks_e2e import MORE_SITES
from tests.e2e.test_chart_review_sheet_checks_e2e import sheet
from tests.e2e.test_chart_signed_in_place_e2e import add_sites
from tests.e2e.test_chart_signed_in_place_e2e import open_chart

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEPT = "Discussed with the patient at the chair"
NEW = "Smile checked with the patient"


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_stale_sign_shows_the_latest_chart_and_keeps_typed_reasons(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    session_id, _, _ = open_chart(page, e2e_server, product, f"E2E-RFL-{product}")
    # The page's chart has a warning asking for a reason: the smile muscle on
    # the palsied side.
    _, smile_site = MORE_SITES[product]
    add_sites(page, e2e_server, session_id, [smile_site])
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    loaded = api_state(page, e2e_server, session_id)
    asked = [w["key"] for w in loaded["warnings"] if w["needs_reason"]]
    assert asked, loaded["warnings"]

    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review).to_be_visible()
    review.locator("#sign-consent").check()
    for key in asked:
        review.locator(f'[data-mirror-reason="{key}"]').fill(KEPT)

    # Another device charts the smile muscle on the palsied side again, a site
    # of its own; this page is not redrawn, so it has no box for its warning.
    add_sites(page, e2e_server, session_id, [smile_site])
    state = api_state(page, e2e_server, session_id)
    smile = next(
        w
        for w in state["warnings"]
        if w["code"] == "smile_muscle_affected_side" and w["key"] not in asked
    )
    expect(page.locator(f'[data-reason-for="{smile["key"]}"]')).to_have_count(0)

    review.get_by_role("button", name="Sign session").click()

    note = review.locator("#sign-error")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Another device changed this chart")
    expect(note).to_contain_text("The session was not signed")
    # The sheet shows the chart's latest sites, the new one listed ...
    listed = review.locator("#review-sites > li")
    expect(listed).to_have_count(len(state["sites"]))
    expect(review.locator("#review-count")).to_have_text(str(len(state["sites"])))
    expect(listed.last).to_contain_text(f"Site {smile['site_number']}: ")
    expect(listed.last).to_contain_text("Zygomaticus major")
    # ... with its reason box, empty and focused, named in words ...
    new_box = review.locator(f'[data-mirror-reason="{smile["key"]}"]')
    expect(new_box).to_have_count(1)
    expect(new_box).to_have_value("")
    expect(new_box).to_be_focused()
    box_id = new_box.get_attribute("id")
    label = review.locator(f'label[for="{box_id}"]')
    expect(label).to_contain_text(f"Reason for site {smile['site_number']}, ")
    assert smile["key"] not in label.inner_text()
    # ... and what was typed in the boxes that still apply is still there.
    for key in asked:
        expect(review.locator(f'[data-mirror-reason="{key}"]')).to_have_value(KEPT)
    assert "reasons." not in note.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sign-stale-latest-chart-{product}.png"))
    # The sheet's top too: the sites, the new one listed.
    review.evaluate("sheet => sheet.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"sign-stale-latest-sites-{product}.png"))
    record = api_state(page, e2e_server, session_id)["session"]
    assert (record["status"], record["version"]) == (
        "draft",
        state["session"]["version"],
    )

    new_box.fill(NEW)
    review.get_by_role("button", name="Sign session").click()

    expect(page.locator("#signed-banner")).to_be_visible()
    signed = api_state(page, e2e_server, session_id)
    assert signed["session"]["status"] == "signed"
    reasons = {w["key"]: w["reason"] for w in signed["warnings"]}
    assert reasons[smile["key"]] == NEW
    assert all(reasons[key] == KEPT for key in asked)
    # The stale signature's 409 (and the console's note of it) is the one
    # expected problem.
    assert [p for p in page_problems.all() if "409" not in p] == []
