"""Vial stock in real Chromium: a box received, a vial opened at the chair for two
patients, the rest recorded as waste, and the units on hand falling step by step.
"""

import re
from datetime import date
from datetime import timedelta
from pathlib import Path

import pikepdf
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner.facemap import FaceMap
from planner.facemap import load_face_map
from tests.e2e.chart_helpers import open_session
from tests.e2e.chart_helpers import read_rows
from tests.e2e.chart_helpers import register
from tests.e2e.chart_helpers import tap_sites
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.live_db import add_login
from tests.e2e.page_checks import check_axe
from tests.e2e.test_patients_e2e import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FACE_MAPS = Path(__file__).resolve().parents[2] / "face_maps"
LOT = "E2E-ST1"
STAFF_EMAIL = "e2e.stores@example.org"
STAFF_PASSWORD = "fridge inventory 2026 box"


@pytest.fixture(scope="module")
def face_map() -> FaceMap:
    return load_face_map(FACE_MAPS)


@pytest.fixture(scope="module")
def staff_login(e2e_server: LiveServer) -> tuple[str, str]:
    """A staff member who takes deliveries, on the live server's database."""
    add_login(
        e2e_server,
        email=STAFF_EMAIL,
        name="Sam Stores",
        role="staff",
        password=STAFF_PASSWORD,
    )
    return STAFF_EMAIL, STAFF_PASSWORD


def on_hand(page: Page, server: LiveServer) -> str:
    """Read the lot's units on hand (Botox U) from the stock page."""
    page.goto(f"{server.url}/stock/")
    lot = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(LOT)))
    cell = lot.locator("td[data-label='On hand']")
    return cell.inner_text().strip()


def chart_two_sites(page: Page, face_map: FaceMap) -> float:
    """Tap frontalis and mentalis on the left; sign; return the units charted."""
    tap_sites(page, face_map, [("frontalis", "left"), ("mentalis", "left")])
    units = sum(units for *_, units in read_rows(page))
    page.get_by_role("button", name="Review and sign").click()
    page.get_by_role("button", name="Sign session").click()
    expect(page.locator("#status-badge")).to_have_text("Signed")
    return units


def test_receive_open_chart_two_patients_and_waste_the_rest(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    staff_login: tuple[str, str],
    face_map: FaceMap,
) -> None:
    page = chromium_page
    expiry = date.today() + timedelta(days=300)

    # Staff receive a box of four 100 U vials.
    page.goto(e2e_server.url)
    page.get_by_label("Email").fill(staff_login[0])
    page.get_by_label("Password").fill(staff_login[1])
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Stock"
    ).click()
    page.get_by_role("link", name="Receive a delivery").click()
    page.get_by_label("Product").select_option(value="botox")
    page.get_by_label("Lot number").fill(LOT.lower())
    page.get_by_label("Expiry date").fill(expiry.isoformat())
    page.get_by_label("Units in each vial").fill("100")
    page.get_by_label("Vials received").fill("4")
    page.get_by_label("Supplier").fill("Alliance Healthcare")
    page.get_by_label("Stored in").fill("Fridge 1, top shelf")
    page.get_by_role("button", name="Receive into stock").click()
    expect(page.locator(".flash-success")).to_contain_text("4 vial(s) received")
    assert on_hand(page, e2e_server) == "400"
    page.screenshot(path=str(ARTIFACTS / "stock-received.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()

    # The injector opens a vial of that lot at the chair and charts two patients.
    log_in(page, e2e_server)
    first = register(page, e2e_server, mrn="E2E-STOCK-1", given_name="Una")
    second = register(page, e2e_server, mrn="E2E-STOCK-2", given_name="Vera")
    page.goto(f"{e2e_server.url}/patients/{first}/sessions/new")
    expect(page.locator("details.stock-lots")).to_contain_text(
        f"Botox lot {LOT}: 100 U vials"
    )
    # Through the form: the stock lot typed in lower case is still that lot.
    open_session(page, e2e_server, first, lot=LOT.lower(), through_form=True)
    used_first = chart_two_sites(page, face_map)
    assert on_hand(page, e2e_server) == f"{400 - used_first:g}"

    # Through the form: the open vial is picked by its label on the form.
    open_session(page, e2e_server, second, lot=LOT, new=False, through_form=True)
    expect(page.locator(".chart-head")).to_contain_text(f"lot {LOT}")
    used_second = chart_two_sites(page, face_map)
    left = 100 - used_first - used_second
    assert on_hand(page, e2e_server) == f"{400 - used_first - used_second:g}"

    # The rest of the vial is recorded as waste: on hand is the unopened three.
    vial = page.locator("#open-vials tr", has_text=f"lot {LOT}")
    expect(vial.locator("td[data-label='Left']")).to_have_text(f"{left:g} U")
    page.screenshot(path=str(ARTIFACTS / "stock-open-vial.png"), full_page=True)
    vial.get_by_role("button", name=re.compile(f"Close: {left:g} U to waste")).click()
    expect(page.locator(".flash-success")).to_contain_text(
        f"{left:g} units left in it recorded as waste"
    )
    expect(page.locator("#open-vials tr", has_text=f"lot {LOT}")).to_have_count(0)
    assert on_hand(page, e2e_server) == "300"
    lot_row = page.locator(
        "tr", has=page.get_by_role("rowheader", name=re.compile(LOT))
    )
    expect(lot_row).to_contain_text("Reconciles: 3 × 100 unopened + 0 in open vials")
    page.screenshot(path=str(ARTIFACTS / "stock-after-waste.png"), full_page=True)

    # The monthly report shows the same figures.
    page.get_by_role("link", name="Monthly report").click()
    month = page.locator("section", has_text="Botox").locator("tbody tr").nth(11)
    expect(month).to_contain_text(f"{used_first + used_second:g}")
    page.screenshot(path=str(ARTIFACTS / "stock-report.png"), full_page=True)

    # A recall names a product: a lot number alone is refused, naming the field.
    page.goto(f"{e2e_server.url}/stock/recall?lot={LOT}")
    expect(page.locator("#product-error")).to_have_text("Error: Product is required")
    check_axe(page, "recall page, no product")

    # A recall of Botox's lot names both patients; the letters print one a page.
    page.get_by_role("link", name="Back to stock").click()
    page.get_by_role("link", name="Recall a lot").click()
    page.get_by_label("Product").select_option(label="Botox (onabotulinumtoxinA)")
    page.get_by_label("Lot number").fill(LOT.lower())
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Botox lot {LOT}: 2 patients, 2 sessions"
    )
    for name in ("Una", "Vera"):
        expect(page.locator(".recall-table")).to_contain_text(name)
    check_axe(page, "recall page with results")
    page.screenshot(path=str(ARTIFACTS / "stock-recall.png"), full_page=True)
    page.get_by_role("link", name="Printable letters").click()
    expect(page.locator("article.letter")).to_have_count(2)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "stock-letters-print.png"), full_page=True)
    printed = ARTIFACTS / "stock-letters.pdf"
    page.pdf(path=str(printed))
    with pikepdf.open(printed) as pdf:
        assert len(pdf.pages) == 2  # one letter a page
    assert page_problems.all() == []
