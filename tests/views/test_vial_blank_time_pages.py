"""The vial form's hint says what a blank time means; Stock shows an unknown one.

Review rW, W5: the hint said "for a vial from stock, blank is now", though every
other blank time was stored as none. Blank is now on every path, and the hint
says so; an older vial stored without a time is listed on Stock as "in-use time
unknown". Botox and Dysport.
"""

import pytest

from planner.db_types import utc_now
from planner.models import Role
from planner.models import VialLot
from tests.factories import make_treatment

HINT = "Left blank, it is recorded as now, when you save this form"
SIZES = {"botox": (100, 4), "dysport": (300, 10)}


def test_the_new_session_form_says_blank_is_now(login_as, make_patient):
    patient = make_patient()
    page = login_as(Role.INJECTOR).get(f"/patients/{patient.id}/sessions/new")
    text = page.get_data(as_text=True)
    assert HINT in text
    assert "for a vial from stock, blank is now" not in text


@pytest.mark.audit_exempt("an older vial's row, as stored then", tables=["viallot"])
@pytest.mark.parametrize("product", list(SIZES))
def test_stock_lists_a_vial_without_a_time_as_in_use_time_unknown(
    login_as, session, injector, make_patient, product
):
    vial_units, dose = SIZES[product]
    chart = make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", dose)],
        when=utc_now(),
        product=product,
        vial_units=vial_units,
        diluent_ml=2.5,
        lot_number=f"NOTIME-{product}",
    )
    vial = session.get(VialLot, chart.record.vial_lot_id)
    vial.reconstituted_at = None
    vial.discard_by = None
    session.add(vial)
    session.commit()
    page = login_as(Role.STAFF).get("/stock/").get_data(as_text=True)
    row = page[page.index(f'id="vial-{vial.id}"') :]
    row = row[: row.index("</tr>")]
    assert f"NOTIME-{product}" in row
    assert "in-use time unknown" in row
    assert "Time not recorded" in row
