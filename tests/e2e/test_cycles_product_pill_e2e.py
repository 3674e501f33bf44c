"""The "New product" pills on the cycles page beside the pills around them.

Carl went Botox -> Dysport -> Botox (tests/e2e/test_cycles_tablet_e2e.py): the
ledger row and the card of each cycle after a change carry a "New product" pill.
Every pill on the page has one padding, the app's badges' (.6rem a side) with
a little height, so a pill that wraps keeps its text off its edge; the short tag
stays on one line and the ledger still fits the tablet; each keeps AA contrast.
Screenshots of both at 1024 x 768 go to test-artifacts/.
"""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.test_cycles_tablet_e2e import histories

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["histories"]

STYLE = """el => {
  const s = getComputedStyle(el);
  return [s.paddingTop, s.paddingRight, s.paddingBottom, s.paddingLeft,
          s.borderTopWidth, s.fontSize, s.color, s.backgroundColor];
}"""


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in re.findall(r"\d+", rgb)[:3]]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(ink: str, paper: str) -> float:
    """WCAG's contrast ratio of two computed colours ("rgb(r, g, b)")."""
    light, dark = sorted((_luminance(ink), _luminance(paper)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_new_product_pills_match_the_pills_beside_them(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    histories: tuple[int, int],
) -> None:
    page = chromium_page
    _, carl = histories
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{carl}/cycles")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    card = page.locator(".cycle-card").nth(1)
    changes = card.locator(".cycle-changes")
    expect(changes.locator(".count-product")).to_contain_text("New product")
    changes.scroll_into_view_if_needed()
    card.screenshot(path=str(ARTIFACTS / "cycles-new-product-card.png"))
    ledger = page.locator('table.ledger tr[data-cycle="2"]')
    expect(ledger.locator(".tag-product")).to_have_text("New product")
    ledger.scroll_into_view_if_needed()
    ledger.locator("th").screenshot(
        path=str(ARTIFACTS / "cycles-new-product-ledger.png")
    )
    styles = [pill.evaluate(STYLE) for pill in page.locator(".tag, .count").all()]
    assert len(styles) == 6  # in the ledger, and on the cards: tag and sentence
    # One padding for every pill, with a little height: none wraps into its edge.
    assert {tuple(style[:4]) for style in styles} == {
        ("1.7px", "10.2px", "1.7px", "10.2px")
    }
    for style in styles:
        assert contrast(style[6], style[7]) >= 4.5, style
    # Kept on one line, the ledger's "New product" still fits the tablet.
    region = page.get_by_role("region", name="Ledger: one row per cycle")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page_problems.all() == []
