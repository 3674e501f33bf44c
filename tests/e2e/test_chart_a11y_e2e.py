"""The chart page's accessibility findings of issue 15 item 10, in real Chromium:
muscle outlines and marker colours have 3:1 contrast against the map (WCAG 1.4.11,
computed from the page's own computed colours and the products' colours), and
axe-core finds no violation on the chart at 1024x768 and 1440x900.
"""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from planner.reference import PRODUCTS
from tests.e2e.chart_helpers import open_new_chart
from tests.e2e.chart_helpers import reference
from tests.e2e.chart_helpers import status
from tests.e2e.chart_helpers import touch
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = [{"width": 1024, "height": 768}, {"width": 1440, "height": 900}]
# The colours as the browser paints them: "rgb(r, g, b)" or "rgba(...)", and opacity.
PAINTED = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  const region = style('#chart-map path.region:not(.highlight)');
  const ring = style('#chart-map g.site > circle:not(.hit)');
  return {
    background: style('#chart-map').backgroundColor,
    outline: region.stroke,
    outlineOpacity: region.strokeOpacity,
    regionFill: region.fill,
    regionFillOpacity: region.fillOpacity,
    ring: ring.stroke,
    ringOpacity: ring.strokeOpacity,
  };
}"""

Rgb = tuple[float, float, float]


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


def rgb(text: str) -> Rgb:
    """ "rgb(1, 2, 3)" or "#010203" as three 0-255 channels."""
    if text.startswith("#"):
        digits = text[1:]
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    found = re.findall(r"[\d.]+", text)
    return (float(found[0]), float(found[1]), float(found[2]))


def over(colour: Rgb, opacity: float, under: Rgb) -> Rgb:
    """A colour painted at ``opacity`` over another."""
    r, g, b = (
        opacity * c + (1 - opacity) * u for c, u in zip(colour, under, strict=True)
    )
    return (r, g, b)


def luminance(colour: Rgb) -> float:
    """WCAG 2 relative luminance."""
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in (channel / 255 for channel in colour)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: Rgb, two: Rgb) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formulas_agree_with_wcag() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast(rgb("#767676"), rgb("#ffffff")) == pytest.approx(4.54, abs=0.01)
    # The finding itself: outlines at half opacity were about 2.3:1.
    faded = over(rgb("#a8384a"), 0.5, (255, 255, 255))
    assert contrast(faded, (255, 255, 255)) < 3


def chart_with_a_site(
    page: Page, server: LiveServer, face_map: FaceMap, mrn: str
) -> int:
    session_id = open_new_chart(page, server, lot=mrn[-5:], mrn=mrn)
    touch(page, *reference(face_map, "mentalis", "left"))
    expect(status(page)).to_contain_text("Site 1 saved")
    expect(page.locator("#chart-map g.site[data-number='1']")).to_have_count(1)
    return session_id


def test_outlines_and_markers_have_3_to_1_against_the_map(
    chromium_page: Page, e2e_server: LiveServer, face_map: FaceMap
) -> None:
    page = chromium_page
    chart_with_a_site(page, e2e_server, face_map, "E2E-A11Y-1")
    painted = page.evaluate(PAINTED)
    background = rgb(painted["background"])
    # Inside a region the map is tinted by its fill; the outline must stand out
    # from both sides of it.
    inside = over(
        rgb(painted["regionFill"]), float(painted["regionFillOpacity"]), background
    )
    outline = over(
        rgb(painted["outline"]), float(painted["outlineOpacity"]), background
    )
    assert contrast(outline, background) >= 3, painted
    assert contrast(outline, inside) >= 3, painted
    # Every product's marker has a ring that stands out from the map and from its
    # fill: Daxxify's orange and Letybo's sky blue among them.
    ring = over(rgb(painted["ring"]), float(painted["ringOpacity"]), background)
    assert contrast(ring, background) >= 3
    assert contrast(ring, inside) >= 3
    colours = {product.brand: product.colour for product in PRODUCTS}
    assert {"Daxxify", "Letybo"} <= set(colours)
    for brand, colour in colours.items():
        assert contrast(ring, rgb(colour)) >= 3, (brand, colour)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1024x768", "1440x900"])
def test_axe_finds_nothing_on_the_chart(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    face_map: FaceMap,
    viewport: dict[str, int],
) -> None:
    page = chromium_page
    page.set_viewport_size(viewport)
    mrn = f"E2E-AXE-{viewport['width']}"
    chart_with_a_site(page, e2e_server, face_map, mrn)
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
    name = f"{viewport['width']}x{viewport['height']}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chart-axe-{name}.png"))
    results = axe.run(page, options=options)
    assert results.violations_count == 0, results.generate_report()

    # The keyboard's crosshair, the keypad and the review sheet open.
    page.locator("#chart-map").focus()
    expect(page.locator("#chart-map .crosshair")).to_have_count(1)
    results = axe.run(page, options=options)
    assert results.violations_count == 0, ("crosshair", results.generate_report())
    page.get_by_role("button", name=re.compile("^Dose of site 1")).click()
    results = axe.run(page, options=options)
    assert results.violations_count == 0, ("keypad", results.generate_report())
    page.get_by_role("dialog", name=re.compile("^Dose of site 1")).get_by_role(
        "button", name="Cancel"
    ).click()
    page.get_by_role("button", name="Review and sign").click()
    results = axe.run(page, options=options)
    assert results.violations_count == 0, ("review", results.generate_report())
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    results = axe.run(page, options=options)
    assert results.violations_count == 0, ("signed", results.generate_report())
    assert page_problems.all() == []
