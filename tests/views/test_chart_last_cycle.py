"""Copy last cycle and the chart's last cycle through the HTTP API.

Only what was given counts: a top-up discarded or never signed is neither copied
nor drawn nor compared. A top-up adds to its own cycle: copying the cycle before
it is refused (400, naming ``copy``), as the page offers no copy there.
Each in Botox and in Dysport, each product's units its own.
"""

from datetime import timedelta

import pytest

from planner.db_types import utc_now
from planner.models import Role
from planner.services import drafts
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import consent_by_browser
from tests.factories import make_treatment

# Per product: the vial's units, the full treatment's site, a top-up never given.
PLANS = {
    "botox": (100, ("mentalis", "left", 4.0), ("platysma", "left", 5.0)),
    "dysport": (300, ("mentalis", "left", 10.0), ("platysma", "left", 15.0)),
}
PRODUCTS = tuple(PLANS)


def charted(session, injector, patient_id, product, sites, *, days_ago, **form):
    """Chart ``sites`` ``days_ago`` in ``product`` on a vial of its own."""
    return make_treatment(
        session,
        injector,
        patient_id,
        sites,
        when=utc_now() - timedelta(days=days_ago),
        product=product,
        vial_units=PLANS[product][0],
        expiry_date="2030-01-01",
        **form,
    )


def open_today(browser, patient_id, product, kind="full"):
    """Open today's chart from the session form, as the tablet does; return its id."""
    consent_by_browser(browser, patient_id)
    form = {
        **VIAL_FORM,
        "kind": kind,
        "product": product,
        "vial_units": str(PLANS[product][0]),
        "lot_number": "T1",
    }
    opened = browser.post_form(f"/patients/{patient_id}/sessions", form)
    assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
    return int(opened.headers["Location"].rsplit("/", 1)[1])


def triples(sites):
    return [(s["muscle"], s["side"], s["units"]) for s in sites]


@pytest.mark.parametrize("discarded", [True, False], ids=["discarded", "unsigned"])
@pytest.mark.parametrize("product", PRODUCTS)
def test_a_top_up_never_given_is_not_copied_nor_the_chart_s_last_cycle(
    session, injector, login_as, make_patient, product, discarded
):
    _, full, never_given = PLANS[product]
    patient = make_patient(affected_side="left")
    charted(session, injector, patient.id, product, [full], days_ago=100, sign=True)
    top_up = charted(
        session,
        injector,
        patient.id,
        product,
        [never_given],
        days_ago=85,
        kind="top_up",
        lot_number="N1",
    )
    if discarded:
        drafts.discard_draft(session, injector, top_up.id, {"reason": "Wrong vial."})
    browser = login_as(Role.INJECTOR)
    today = open_today(browser, patient.id, product)
    url = f"/api/v1/sessions/{today}"

    preview = browser.api("GET", f"{url}/copy-last")
    assert preview.status_code == 200, preview.json
    assert triples(preview.json["sites"]) == [full]
    state = browser.api("GET", url).json
    assert triples(state["last_cycle"]) == [full]
    copied = browser.api("POST", f"{url}/copy-last", {"version": 1})
    assert copied.status_code == 200, copied.json
    state = browser.api("GET", url).json
    assert triples(state["sites"]) == [full]
    # Today as given last cycle: no change on the panel, none for the server.
    assert state["changes"] == []
    assert not [w for w in state["warnings"] if w["code"] == "muscle_added"]


@pytest.mark.parametrize("product", PRODUCTS)
def test_copy_last_onto_a_top_up_is_refused_in_preview_and_copy(
    session, injector, login_as, make_patient, product
):
    """The top-up belongs to cycle 2; the API once copied cycle 1 onto it."""
    _, full, platysma = PLANS[product]
    patient = make_patient(affected_side="left")
    first = [platysma, platysma]
    charted(session, injector, patient.id, product, first, days_ago=120, sign=True)
    second = {"days_ago": 20, "sign": True, "lot_number": "C2"}
    charted(session, injector, patient.id, product, [full], **second)
    browser = login_as(Role.INJECTOR)
    top_up = open_today(browser, patient.id, product, kind="top_up")
    url = f"/api/v1/sessions/{top_up}"

    for refused in (
        browser.api("GET", f"{url}/copy-last"),
        browser.api("POST", f"{url}/copy-last", {"version": 1}),
    ):
        assert refused.status_code == 400
        assert "top-up" in refused.json["error"]
        assert set(refused.json["fields"]) == {"copy"}
    state = browser.api("GET", url).json
    assert state["sites"] == []
    assert state["session"]["version"] == 1
    assert state["last_cycle"] == []
