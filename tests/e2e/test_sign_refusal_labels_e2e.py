"""Task hQ: a refused reason the chart shows no box for reads in the server's words.

A warning raised since the page last drew the chart (a site charted from
another device) has no reason box on the page; the sign refusal names it in
``labels`` ("Reason for site 3, Zygomaticus major (left)"), and the chart's
refusal message uses those words, never the warning's key: the page keeps no
copy of the wording. Botox and Dysport, each in its own units.
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


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_refused_reason_with_no_box_is_named_in_the_servers_words(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    session_id, _, _ = open_chart(page, e2e_server, product, f"E2E-RFL-{product}")
    shown = {w["key"] for w in api_state(page, e2e_server, session_id)["warnings"]}
    # Another device charts the smile muscle on the palsied side; this page
    # is not redrawn, so it has no box for the warning that raises.
    add_sites(page, e2e_server, session_id, MORE_SITES[product])
    state = api_state(page, e2e_server, session_id)
    names = {m["code"]: m["name"] for m in state["muscles"]}
    smile = next(
        w
        for w in state["warnings"]
        if w["code"] == "smile_muscle_affected_side" and w["key"] not in shown
    )
    words = (
        f"Reason for site {smile['site_number']}, "
        f"{names[smile['muscle']]} ({smile['side']}): needs a reason: "
    )
    expect(page.locator(f'[data-reason-for="{smile["key"]}"]')).to_have_count(0)

    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review).to_be_visible()
    review.locator("#sign-consent").check()
    review.get_by_role("button", name="Sign session").click()

    refusal = review.locator("#sign-error")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(words)
    text = refusal.inner_text()
    assert smile["key"] not in text, text
    assert "reasons." not in text, text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sign-refusal-labels-{product}.png"))
    # The refusal itself (a 400 for the sign request, and the console's note of
    # it) is the one expected problem.
    assert [p for p in page_problems.all() if "400" not in p] == []
