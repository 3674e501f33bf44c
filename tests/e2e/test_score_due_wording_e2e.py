"""A pre-treatment score refused on day 80 says whose figure the due day is.

For Botox the 84 days are its label's minimum interval [S20], not a clinic
setting; for Dysport they are the clinic's setting (no source gives Dysport an
interval). Real Chromium, the clinician's scoring form.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.e2e.test_outcomes_e2e import choose
from tests.factories import make_patient
from tests.factories import make_treatment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOSES = {"botox": 4.0, "dysport": 15.0}
WHOSE = {
    "botox": "from day 84 (12 weeks), Botox's minimum interval, not a clinic "
    "setting ([S20] Botox label",
    "dysport": "from day 84 (12 weeks), a clinic setting: Dysport's minimum "
    "interval (no source gives Dysport an interval)",
}


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_refused_pre_treatment_score_says_whose_day_it_is(
    chromium_page: Page,
    e2e_server: LiveServer,
    page_problems: PageProblems,
    product: str,
) -> None:
    treated = datetime.now(UTC) - timedelta(days=80)
    with live_session(e2e_server, expire_on_commit=False) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(session, actor, f"E2E-DUE-{product}")
        make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", DOSES[product])],
            when=treated,
            sign=True,
            product=product,
            vial_units=100 if product == "botox" else 300,
            lot_number=f"DUE-{product.upper()}",
        )
    page = chromium_page
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{patient.id}")
    page.get_by_role("link", name="Record scores").click()
    page.get_by_role("navigation", name="Instruments").get_by_role(
        "link", name="Synkinesis Assessment Questionnaire"
    ).click()
    page.get_by_label(re.compile("^Time point")).select_option("pre_treatment")
    for number in range(1, 10):
        choose(page, f"q{number}", 3)
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator("main")).to_contain_text(WHOSE[product])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"score-due-refused-{product}.png"))
    assert page_problems.all() == []
