"""The typed chart state built from the database, in Botox and in Dysport.

Draft, signed and amended: the values the page, the API and the record read,
each product's units its own, and the printed record agreeing with the chart.
"""

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from planner.reports.record import treatment_record
from planner.services.chart_state import chart_state
from planner.services.chart_state_models import ChartState
from tests.chart_state_plans import PLANS
from tests.chart_state_plans import PRODUCTS
from tests.chart_state_plans import TODAY
from tests.chart_state_plans import chart_today
from tests.factories import FACE_MAP
from tests.factories import ZONE


def built(session, session_id, zone=ZONE):
    return chart_state(session, session_id, face_map=FACE_MAP, zone=zone, now=TODAY)


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_draft_has_typed_sites_totals_changes_and_warnings(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    state = built(session, chart_today(session, injector, patient.id, product))
    vial_units, before, today = PLANS[product]

    assert isinstance(state, ChartState)
    assert state.session.status == "draft"
    assert state.session.product.code == product
    assert state.session.lot is not None
    assert state.session.lot.vial_units == vial_units
    assert state.session.lot.expiry_date == date(2027, 6, 30)
    assert [(s.muscle, s.side, s.units) for s in state.sites] == today
    # Each site's draw comes from this product's own dilution.
    strength = state.session.lot.units_per_tenth_ml
    for site in state.sites:
        assert site.units is not None
        assert site.volume_ml == pytest.approx(site.units / strength / 10, abs=1e-4)
        assert site.draw_text
    assert state.totals.units == sum(units for _, _, units in today)
    assert state.totals.by_side.left == state.totals.units
    assert state.totals.by_side.right == 0
    # Against last cycle, in the same product only.
    assert {(c.muscle, c.before, c.after) for c in state.changes} >= {
        ("mentalis", before[0][2], today[0][2]),
        ("platysma", before[1][2], today[1][2]),
    }
    assert len(state.last_cycle) == len(before)
    needing = [w for w in state.warnings if w.needs_reason]
    assert needing
    assert all(w.severity == "warning" and w.reason is None for w in needing)
    assert state.amendments == []
    assert [t.doses_carried for t in state.templates] == [True]
    assert state.session.signed_at is None
    assert state.session.treatment_time.tzinfo is not None


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_signed_chart_keeps_its_warnings_with_their_reasons(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    session_id = chart_today(session, injector, patient.id, product, sign=True)
    state = built(session, session_id)

    assert state.session.status == "signed"
    assert state.session.signed_at == TODAY
    assert state.session.signed_by
    assert state.warnings
    assert {w.reason for w in state.warnings} == {"Agreed with the patient."}
    assert state.flag_changes == []


@pytest.mark.parametrize("product", PRODUCTS)
def test_an_amended_chart_lists_its_corrections_and_the_record_agrees(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    session_id = chart_today(session, injector, patient.id, product, amend=True)
    state = built(session, session_id)
    _, _, today = PLANS[product]

    (amendment,) = state.amendments
    assert isinstance(amendment.at, datetime)
    assert amendment.at.utcoffset() == ZONE.utcoffset(amendment.at)
    assert amendment.reason == "Dose misread at the chair."
    assert [(c.site, c.before, c.after) for c in amendment.sites] == [
        (1, today[0][2], today[0][2] + 1)
    ]
    assert state.sites[0].units == today[0][2] + 1

    record = treatment_record(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=TODAY
    )
    assert [s.units for s in record.sites] == [s.units for s in state.sites]
    assert [s.volume_ml for s in record.sites] == [s.volume_ml for s in state.sites]
    assert record.total_units == state.totals.units
    assert record.total_volume_ml == state.totals.volume_ml
    assert record.side_totals == {
        "right": state.totals.by_side.right,
        "left": state.totals.by_side.left,
        "midline": state.totals.by_side.midline,
    }
    # The chart shows the warnings as they stand; the record prints them as
    # signed and then what the amendment raised: each standing one is printed.
    (line,) = record.amendments
    printed = [w.message for w in record.warnings] + [w.message for w in line.warnings]
    assert {w.message for w in state.warnings} <= set(printed)
    assert (line.at, line.author) == (amendment.at, amendment.author)
    assert record.sites[0].changes[0].after == today[0][2] + 1


def test_times_are_on_the_clinic_clock_asked_for(session, injector, make_patient):
    patient = make_patient(affected_side="left")
    session_id = chart_today(session, injector, patient.id, "botox", sign=True)
    tokyo = ZoneInfo("Asia/Tokyo")
    state = built(session, session_id, zone=tokyo)

    assert state.session.performed_at == TODAY
    assert state.session.performed_at.tzinfo == tokyo
    assert state.session.treatment_time_input == "2026-11-20T19:00"
    assert state.as_json()["session"]["signed_at"] == "2026-11-20T19:00:00+09:00"
