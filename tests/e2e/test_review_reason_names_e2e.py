"""The review sheet names each reason box by its warning, in words.

Away from its warning's message a box reading only "Reason for going ahead" does
not say what it answers for; the sheet's copy is named as the amendment form
names its boxes (``warning_reasons.reason_label``): "Reason for site 3,
Zygomaticus major (left)", from the warning's site, muscle and side. A refusal
for an empty box reads in words too, never the warning's key. Botox and Dysport.
"""

import re

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

# Whether the element's middle is the element itself, not something drawn over it.
UNCOVERED = """node => {
    const r = node.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return top === node || node.contains(top);
}"""


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_sheets_reason_boxes_are_named_by_their_warning(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    page = chromium_page
    session_id, _, _ = open_chart(page, e2e_server, product, f"E2E-RSN-{product}")
    add_sites(page, e2e_server, session_id, MORE_SITES[product])
    page.reload()
    expect(page.locator("#chart.is-ready")).to_have_count(1)
    state = api_state(page, e2e_server, session_id)
    names = {m["code"]: m["name"] for m in state["muscles"]}
    needing = [w for w in state["warnings"] if w["needs_reason"]]
    smile = next(w for w in needing if w["code"] == "smile_muscle_affected_side")
    words = (
        f"Reason for site {smile['site_number']}, "
        f"{names[smile['muscle']]} ({smile['side']})"
    )

    page.get_by_role("button", name="Review and sign").click()
    review = sheet(page)
    expect(review).to_be_visible()
    box = review.get_by_role("textbox", name=f"{words} (needed to sign)", exact=True)
    expect(box).to_have_count(1)
    # Every box on the sheet is named by its own warning, none by a code.
    boxes = review.locator("[data-mirror-reason]")
    expect(boxes).to_have_count(len(needing))
    for each in boxes.all():
        label = each.evaluate("input => input.labels[0].textContent")
        assert label.startswith("Reason for "), label
        assert "going ahead" not in label, label
        assert "_" not in label, label

    # Signing with the box empty is refused: the error reads in words.
    review.locator("#sign-consent").check()
    review.get_by_role("button", name="Sign session").click()
    error = box.locator("xpath=..").locator(".error")
    expect(error).to_contain_text(re.compile(r"^Reason needs a reason: "))
    expect(review.locator("#sign-error")).to_be_visible()
    # Focused, and not hidden under the sheet's sticky refusal and buttons.
    expect(box).to_be_focused()
    assert box.evaluate(UNCOVERED), "the refused box lies under the sheet's footer"
    assert error.evaluate(UNCOVERED), "its error lies under the sheet's footer"
    for text in (error.inner_text(), review.locator("#sign-error").inner_text()):
        assert smile["key"] not in text, text
        assert "reasons." not in text, text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-reason-names-{product}.png"))
    # The refusal itself (a 400 for the sign request, and the console's note of
    # it) is the one expected problem.
    problems = [p for p in page_problems.all() if "400" not in p]
    assert problems == []
