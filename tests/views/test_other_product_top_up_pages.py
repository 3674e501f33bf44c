"""Pages with a top-up in another product: shown apart, never counted as the cycle's.

The chart page and its API, in Botox and in Dysport.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import PAIRS
from tests.services.test_other_product_top_up import treat
from tests.views.test_chart_state_json import page_state


@pytest.mark.parametrize(("today", "other"), PAIRS, ids=["botox", "dysport"])
def test_the_chart_checks_the_dose_change_past_another_products_top_up(
    session, injector, make_patient, login_as, today, other
):
    product, _, dose = today
    patient = make_patient(affected_side="left")
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", dose)],
        DAY0,
        product,
        sign=True,
    )
    treat(
        session,
        injector,
        patient,
        [("platysma", "right", 5)],
        DAY0 + timedelta(days=15),
        other,
        sign=True,
        kind="top_up",
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
