"""The cycles page's "Scores by time point" tables on the tablet and at the desk.

Each table sat in a 366-446 px column beside its chart while it needed about
542 px, so its "Before vs baseline" column was off-screen at 1024 x 768 and at
1440 x 900 with no cue that it scrolled (after review rW; the ledger was made to
fit in 8c2e75a). Every column of every table is now inside the table's visible
box at both widths, and where a narrower screen does hide columns the edge
shows a shadow, as the ledger's does. Botox, a Botox top-up scored after it,
then Dysport: scores before, at review and after the top-up.
Screenshots at 1024 x 768 and 1440 x 900 go to test-artifacts/.
"""

from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import TABLET
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.factories import make_assessment
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.views.test_review_beside_dose import saq

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DAY0 = datetime(2025, 9, 1, 10, 0, tzinfo=UTC)
SCREENS = {
    "1024": TABLET,
    "1440": {"viewport": {"width": 1440, "height": 900}},
}
# (product, units at the mentalis, SAQ before, at review, after a top-up or None)
CYCLES = [
    ("botox", 4, 38, 30, None),
    ("botox", 4, 37, 34, 27),
    ("dysport", 15, 36, 29, None),
]
VIALS = {"botox": 100, "dysport": 300}

# Each table's visible box, and each of its header cells' edges, in CSS px.
MEASURE = """regions => regions.map(region => {
    const box = region.getBoundingClientRect();
    const cells = [...region.querySelectorAll('thead th')].map(th => {
        const r = th.getBoundingClientRect();
        return {text: th.innerText.trim(), left: r.left, right: r.right};
    });
    return {
        label: region.getAttribute('aria-label'), left: box.left, right: box.right,
        scroll: region.scrollWidth, client: region.clientWidth,
        shadow: getComputedStyle(region).backgroundImage.includes('gradient'),
        cells,
    };
})"""


@pytest.fixture(scope="module")
def patient_id(e2e_server: LiveServer) -> int:
    """Botox, Botox with a top-up scored after it, then Dysport, scored throughout."""
    with live_session(e2e_server) as session:
        actor = injector(session, e2e_server)
        patient = make_patient(
            session, actor, "E2E-TREND-FIT", given_name="Tess", family_name="Trend"
        )
        assert patient.id is not None
        for number, (product, units, before, review, after) in enumerate(CYCLES):
            when = DAY0 + timedelta(weeks=13 * number)
            make_assessment(
                session,
                actor,
                patient.id,
                "saq",
                saq(before),
                when=when - timedelta(hours=1),
                timepoint="pre_treatment",
            )
            make_treatment(
                session,
                actor,
                patient.id,
                [("mentalis", "left", units)],
                when=when,
                sign=True,
                product=product,
                vial_units=VIALS[product],
                lot_number=f"TF{number}",
            )
            make_assessment(
                session,
                actor,
                patient.id,
                "saq",
                saq(review),
                when=when + timedelta(days=12),
            )
            if after is not None:
                make_treatment(
                    session,
                    actor,
                    patient.id,
                    [("mentalis", "left", 1)],
                    when=when + timedelta(days=13),
                    sign=True,
                    product=product,
                    kind="top_up",
                    vial_units=VIALS[product],
                    lot_number=f"TF{number}T",
                )
                make_assessment(
                    session,
                    actor,
                    patient.id,
                    "saq",
                    saq(after),
                    when=when + timedelta(days=16),
                    timepoint="review",
                )
        return patient.id


@pytest.fixture(params=sorted(SCREENS))
def screen(
    request: pytest.FixtureRequest, e2e_chromium: Browser
) -> Iterator[tuple[str, Page]]:
    context = e2e_chromium.new_context(**SCREENS[request.param])
    context.set_default_timeout(15_000)
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def test_every_score_column_is_in_view(
    screen: tuple[str, Page],
    e2e_server: LiveServer,
    page_problems: PageProblems,
    patient_id: int,
) -> None:
    width, page = screen
    page.goto(e2e_server.url)
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/{patient_id}/cycles")
    section = page.locator('section[aria-labelledby="scores-title"]')
    table = section.get_by_role(
        "table", name="Synkinesis Assessment Questionnaire by cycle and time point"
    )
    expect(table.get_by_role("columnheader")).to_have_text(
        [
            "Cycle",
            "Before",
            "Review",
            "Response",
            "After a top-up",
            "Before vs baseline",
        ]
    )
    expect(table.locator("tbody tr")).to_have_count(len(CYCLES))
    regions = section.locator(".trend .table-wrap").evaluate_all(MEASURE)
    assert regions
    for region in regions:
        # Nothing to scroll to: the whole table is in its box ...
        assert region["scroll"] <= region["client"], region
        # ... and so is every column, "Before vs baseline" the last of them.
        for cell in region["cells"]:
            assert region["left"] - 1 <= cell["left"], (cell, region)
            assert cell["right"] <= region["right"] + 1, (cell, region)
        # The box is on the screen, and has the ledger's cue if it ever scrolls.
        assert region["right"] <= int(width)
        assert region["shadow"], region
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"cycles-scores-{width}.png"))
    assert page_problems.all() == []
