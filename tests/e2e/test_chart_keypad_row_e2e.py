"""The dose keypad leaves the row it edits in sight, on a tablet, with touch.

In portrait (768x1024) the keypad, centred, covered a site low in the list, so the
injector could not see which row they were changing. The row being edited now
stays whole on the screen and clear of the keypad; in landscape (1024x768) the
keypad is placed as before, centred. Botox and Dysport, each in its own units.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import FloatRect
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.chart_helpers import api_state
from tests.e2e.chart_helpers import row
from tests.e2e.chart_helpers import status
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.test_chart_pending_e2e import open_chart
from tests.e2e.test_chart_portrait_chair_e2e import box_of
from tests.e2e.test_chart_portrait_chair_e2e import chart_with_sites

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
MUSCLES = ["frontalis", "corrugator", "procerus", "nasalis", "mentalis", "platysma"]
# Each product's dose for every site and the one typed, in its own units.
DOSES = {"botox": (2.0, "3"), "dysport": (10.0, "15")}


@pytest.fixture
def tablet(request: pytest.FixtureRequest, e2e_chromium: Browser) -> Iterator[Page]:
    size = PORTRAIT if request.param == "portrait" else LANDSCAPE
    context = e2e_chromium.new_context(viewport=size, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def apart(one: FloatRect, other: FloatRect) -> bool:
    """Whether two boxes do not overlap at all, one above the other."""
    return (
        one["y"] + one["height"] <= other["y"]
        or other["y"] + other["height"] <= one["y"]
    )


# Pairwise, not every pair: each orientation once and each product once. The
# keypad's placement does not depend on the product; its chips and units do.
@pytest.mark.parametrize(
    ("tablet", "product"),
    [("landscape", "botox"), ("portrait", "dysport")],
    indirect=["tablet"],
)
def test_the_keypad_leaves_the_row_it_edits_in_sight(
    tablet: Page, e2e_server: LiveServer, product: str
) -> None:
    page = tablet
    size = page.viewport_size
    assert size is not None
    portrait = size["height"] > size["width"]
    dose, typed = DOSES[product]
    sites = [(muscle, "left", dose) for muscle in MUSCLES]
    mrn = f"E2E-KR-{product}-{'P' if portrait else 'L'}"
    session_id = chart_with_sites(e2e_server, mrn, product, sites)
    open_chart(page, e2e_server, session_id)
    last = len(MUSCLES)
    site = row(page, last)
    dose_button = site.get_by_role("button", name=re.compile(f"^Dose of site {last}"))
    pad = page.get_by_role("dialog", name=re.compile(f"^Dose of site {last}"))
    # The last row wherever a finger may find it: mid-screen (where a centred
    # keypad covered it), at the foot, at the top.
    for block in ("center", "end", "start"):
        site.evaluate("(r, block) => r.scrollIntoView({ block })", block)
        dose_button.tap()
        expect(pad).to_be_visible()
        page.wait_for_timeout(300)  # any scroll or placement has settled
        keypad = box_of(pad)
        edited = box_of(site)
        if portrait:
            # The whole row on the screen (to the pixel), and clear of the keypad.
            assert edited["y"] >= -0.5, (block, edited)
            assert edited["y"] + edited["height"] <= size["height"] + 0.5, (
                block,
                edited,
            )
            assert apart(edited, keypad), (block, edited, keypad)
        else:
            # Landscape as it was: the keypad centred on the screen.
            middle = keypad["y"] + keypad["height"] / 2
            assert abs(middle - size["height"] / 2) <= 2, (block, keypad)
            assert abs(keypad["x"] + keypad["width"] / 2 - size["width"] / 2) <= 2
        if block == "center":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            where = "portrait" if portrait else "landscape"
            page.screenshot(
                path=str(ARTIFACTS / f"chart-keypad-row-{where}-{product}.png")
            )
        if block != "start":
            pad.get_by_role("button", name="Cancel").tap()
            expect(pad).to_be_hidden()

    # Typed and saved to that row, in the product's own units.
    for key in typed:
        pad.get_by_role("button", name=key, exact=True).tap()
    pad.get_by_role("button", name="OK").tap()
    expect(pad).to_be_hidden()
    expect(status(page)).to_contain_text(f"Site {last} saved")
    saved = api_state(page, e2e_server, session_id)["sites"]
    assert [s["units"] for s in saved] == [dose] * (last - 1) + [float(typed)]
