"""The chart page's server side for the chair (issue 15): the panels fragment, the
keypad's quick-dose chips per product, and the signed page's status and links."""

import re

from planner.models import Role
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import open_draft
from tests.browser_steps import post_sign
from tests.browser_steps import post_tap


def chips(page: str) -> list[str]:
    match = re.search(r'data-common-doses="([^"]*)"', page)
    assert match is not None
    return match.group(1).split()


def test_the_panels_fragment_is_the_page_s_own_totals_and_checks(
    login_as, make_patient
):
    injector = login_as(Role.INJECTOR)
    session_id = open_draft(injector, make_patient(affected_side="right").id)
    post_tap(injector, session_id, "mentalis", "right", version=1)
    fragment = injector.get(f"/sessions/{session_id}/panels").get_data(as_text=True)
    page = injector.get(f"/sessions/{session_id}").get_data(as_text=True)
    for marker in ('id="chart-panels" data-version="2"', 'id="totals-section"'):
        assert marker in fragment
        assert marker in page
    assert 'id="warning-list"' in fragment
    assert "<html" not in fragment
    # Drawn once on the page: no second copy for the script to fill.
    assert page.count('id="totals-by-muscle"') == 1


def test_quick_dose_chips_are_the_product_s_own_doses(login_as, make_patient):
    injector = login_as(Role.INJECTOR)
    botox = open_draft(injector, make_patient(affected_side="left").id)
    assert chips(injector.get(f"/sessions/{botox}").get_data(as_text=True)) == [
        "1",
        "1.25",
        "2",
        "2.5",
        "4",
    ]
    # Every other product: shares of its own label dose per glabellar site, the
    # label dose the top chip, and the page says where they come from.
    for product, vial, expected, source in [
        ("dysport", "300", ["2.5", "5", "7.5", "10"], "10 U (Speywood) is the label"),
        ("xeomin", "100", ["1", "2", "3", "4"], "4 U is the label"),
        ("daxxify", "100", ["2", "4", "6", "8"], "8 U is the label"),
    ]:
        # Xeomin's and Daxxify's dilutions are not label text: confirmed by hand.
        form = {**VIAL_FORM, "product": product, "vial_units": vial}
        form["dilution_confirmed"] = "true"
        opened = injector.post_form(f"/patients/{make_patient().id}/sessions", form)
        assert opened.status_code == 302, opened.get_data(as_text=True)[:500]
        chart = int(opened.headers["Location"].rsplit("/", 1)[1])
        page = injector.get(f"/sessions/{chart}").get_data(as_text=True)
        assert chips(page) == expected, product
        assert re.search(
            f'data-common-doses-source="{re.escape(source)}[^"]*UNSOURCED', page
        )


def test_a_signed_chart_links_back_and_an_amended_one_says_amended(
    login_as, make_patient
):
    injector = login_as(Role.INJECTOR)
    patient = make_patient(affected_side="right")
    session_id = open_draft(injector, patient.id)
    added = post_tap(injector, session_id, "mentalis", "right", version=1)
    post_sign(injector, session_id, version=2)
    page = injector.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert 'id="status-badge">Signed<' in page
    assert f'href="/patients/{patient.id}"' in page
    assert f'href="/sessions/{session_id}/record.pdf">Print record<' in page
    site_id = added.json["site"]["id"]
    saved = injector.post_form(
        f"/sessions/{session_id}/amendments",
        {
            "version": "3",
            "reason": "Dose written down wrongly",
            f"units_{site_id}": "2.5",
        },
    )
    assert saved.status_code == 302
    page = injector.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert 'id="status-badge">Amended<' in page
