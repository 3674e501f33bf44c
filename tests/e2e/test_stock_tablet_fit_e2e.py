"""The stock page's open vials fit a 1024×768 tablet.

The close form and the "Record a spill…" waste form sat in a last column, so the
table scrolled sideways in its box and the vial's name was cut off by the time
staff reached the forms. Each vial's actions now have a row of their own under
it. With an open Dysport and an open Botox vial, at 1024×768: the table does not
scroll sideways, the vial names and the opened waste form's fields are inside
the window, every control is a 44 px target, and axe finds nothing; at 512 and
320 CSS px the page still reflows (as tests/e2e/test_every_page_a11y.py checks).
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.page_checks import REFLOW
from tests.e2e.page_checks import REFLOW_SCRIPT
from tests.e2e.page_checks import ZOOMED
from tests.e2e.page_checks import check_axe
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Each product on its own vial, in its own units: nothing is compared across them.
VIALS = {
    "Dysport": {"product": "dysport", "vial_units": 300, "diluent_ml": 1.5},
    "Botox": {"product": "botox", "vial_units": 100, "diluent_ml": 2.5},
}


def open_vials(server: LiveServer) -> None:
    """Open a Dysport and a Botox vial, each on a draft charted at the chair."""
    when = datetime.now(UTC) - timedelta(hours=1)
    with live_session(server) as session:
        actor = injector(session, server)
        for n, (brand, vial) in enumerate(VIALS.items(), start=1):
            patient = make_patient(session, actor, f"E2E-FIT-{n}", given_name=brand)
            make_treatment(
                session,
                actor,
                patient.id,
                [("frontalis", "left", None)],
                when=when,
                lot_number=f"FIT-{brand.upper()}",
                **vial,
            )


def inside_window(locator: Locator, width: int, *, target: bool = True) -> None:
    """Assert the element is visible and inside the window sideways; a control
    (``target``) is also at least 44 px tall."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= width, box
    assert not target or box["height"] >= 44, box


def test_open_vials_fit_a_tablet_with_the_waste_form_open(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    open_vials(e2e_server)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/stock/")
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert page.viewport_size == {"width": 1024, "height": 768}
    table = page.locator("#open-vials table")
    expect(table.get_by_role("rowheader")).to_have_count(2)
    ids = {}
    for brand in VIALS:
        lot = f"lot FIT-{brand.upper()}"
        row = table.locator("tr", has=page.get_by_role("rowheader", name=lot))
        ids[brand] = (row.get_attribute("id") or "").removeprefix("vial-")
        table.locator("summary", has_text=lot).click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#open-vials").screenshot(
        path=str(ARTIFACTS / "stock-open-vials-1024.png")
    )

    # Nothing scrolls sideways: not the table's box, not the page.
    box = page.locator("#open-vials .table-wrap")
    scroll, client = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll <= client, f"the open vials scroll sideways: {scroll} in {client}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width

    # Still a table with its headers; each vial's name and every field and
    # button of its forms inside the window, each a 44 px target.
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers == ["Vial", "Opened", "Discard by", "Used", "Wasted", "Left"]
    for brand, vial_id in ids.items():
        lot = f"FIT-{brand.upper()}"
        name = table.get_by_role("rowheader", name=f"lot {lot}")
        inside_window(name, width, target=False)
        closing = page.locator(f"form[action$='/vials/{vial_id}/close']")
        waste = page.locator(f"form[action$='/vials/{vial_id}/waste']")
        for control in (
            page.locator(f"#close-reason-{vial_id}"),
            closing.get_by_role("button"),
            page.locator(f"#waste-units-{vial_id}"),
            page.locator(f"#waste-reason-{vial_id}"),
            waste.get_by_role("button"),
        ):
            inside_window(control, width)
    check_axe(page, "stock page, open vials, spill forms open")

    # With the forms open, the tablet at 200 % zoom and a 320 px phone reflow too.
    for size in (ZOOMED, REFLOW):
        page.set_viewport_size(size)
        assert page.evaluate(REFLOW_SCRIPT) == [], size
        scroll, client = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert scroll <= client, (size, scroll, client)
        page.locator("#open-vials").screenshot(
            path=str(ARTIFACTS / f"stock-open-vials-{size['width']}.png")
        )
    assert page_problems.all() == []
