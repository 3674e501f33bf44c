"""Pages with a top-up in another product: shown apart, never counted as the cycle's.

The cycles page, its API and the printed comparison; the chart page and its
API. In Botox and in Dysport.
"""

import re
from datetime import timedelta

from planner.models import Role
from tests.services.test_comparison_report import page_texts
from tests.services.test_other_product_top_up import BRANDS
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import EACH_MIXED
from tests.services.test_other_product_top_up import EACH_PAIR
from tests.services.test_other_product_top_up import UNITS
from tests.services.test_other_product_top_up import mixed_cycle
from tests.services.test_other_product_top_up import signed_cycle
from tests.services.test_other_product_top_up import treat
from tests.views.test_chart_state_json import page_state
from tests.views.test_outcomes_pages import text


@EACH_PAIR
def test_the_chart_checks_the_dose_change_past_another_products_top_up(
    session, injector, make_patient, login_as, today, other
):
    product, _, dose = today
    patient = make_patient(affected_side="left")
    signed_cycle(
        session,
        injector,
        patient,
        product,
        [("mentalis", "left", dose)],
        [(15, other, [("platysma", "right", 5)])],
    )
    later = DAY0 + timedelta(days=100)
    draft = treat(
        session, injector, patient, [("mentalis", "left", 3 * dose)], later, product
    )
    browser = login_as(Role.STAFF)
    for state in (
        browser.api("GET", f"/api/v1/sessions/{draft.id}").json,
        page_state(browser, draft.id),
    ):
        assert "dose_changed" in [w["code"] for w in state["warnings"]]
        assert state["changes"] == [
            {"muscle": "mentalis", "side": "left", "before": dose, "after": 3 * dose}
        ]


@EACH_MIXED
def test_the_cycles_page_api_and_print_show_another_products_top_up_apart(
    session, injector, make_patient, login_as, cycle, other, other_dose
):
    product, full, top_up = cycle
    patient = make_patient(affected_side="left")
    mixed_cycle(session, injector, patient, cycle, other, other_dose)
    browser = login_as(Role.STAFF)
    shown = f"+{other_dose:g} {UNITS[other]} {BRANDS[other]} top-up"
    unit = UNITS[product]

    html = text(browser.get(f"/patients/{patient.id}/cycles"))
    dose = f"{full:g} {unit} + {top_up:g} {unit} top-up"
    assert f"{BRANDS[product]} · {dose}</span>" in html
    assert (
        f'<p class="cycle-facts other-product">{shown}: another product, '
        "not counted in this cycle</p>"
    ) in html
    assert re.search(
        rf'<td class="doses">{re.escape(f"{full:g} {unit}")}<span class="topup">.*?'
        rf"{re.escape(f'+{top_up:g} {unit} top-up')}"
        rf'</span><span class="topup other-product">.*?{re.escape(shown)}</span></td>',
        html,
    )
    assert f"<span>{full:g} + {top_up:g}</span></td>" in html
    assert f'<td class="num">{full:g} + {top_up:g}</td>' in html
    assert "A top-up in another product is named with its own units" in html

    data = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles").json
    (card,) = data["cycles"]
    assert (card["product"], card["units"], card["top_up_units"]) == (
        product,
        full,
        top_up,
    )
    (row,) = data["matrices"][0]["rows"]
    assert (row["units"], row["top_up_units"]) == ([full + top_up], [top_up])

    pdf = browser.get(f"/patients/{patient.id}/comparison.pdf")
    assert pdf.status_code == 200
    flat = " ".join(page_texts(pdf.data)).replace("- ", "-")
    assert f"▲ {shown}" in flat
    assert f"Mentalis {full:g} + {top_up:g} All muscles {full:g} + {top_up:g}" in flat
