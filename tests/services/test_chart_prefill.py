"""Copy last cycle and the chart's last cycle: signed sessions, full treatments.

The last cycle a chart copies, draws as ghosts and compares against is its full
treatment and the top-ups signed in it (amended ones too): a top-up discarded or
never signed was never given. A top-up does not start from the last cycle: it
adds to its own cycle's treatment, so copying the last cycle onto one is refused.
Each in Botox and in Dysport, each product's doses its own.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.models import TreatmentSession
from planner.services import amendments as amendment_service
from planner.services import chart as chart_service
from planner.services import chart_prefill
from planner.services import drafts
from planner.services import sessions as session_service
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import audit_events
from tests.factories import make_treatment
from tests.factories import tap_at

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# Per product: the vial's units; the full treatment's site; a signed top-up's
# site, charted and then amended to its last dose; a top-up never given.
PLANS = {
    "botox": {
        "vial_units": 100,
        "full": ("mentalis", "left", 4.0),
        "top_up": ("depressor_anguli_oris", "left", 2.0),
        "amended_to": 3.0,
        "never_given": ("platysma", "left", 5.0),
    },
    "dysport": {
        "vial_units": 300,
        "full": ("mentalis", "left", 10.0),
        "top_up": ("depressor_anguli_oris", "left", 5.0),
        "amended_to": 7.5,
        "never_given": ("platysma", "left", 15.0),
    },
}
PRODUCTS = tuple(PLANS)
# How the top-up never given ended: set aside with a reason, or left unsigned.
ENDINGS = ("discarded", "never_signed")


def given(session, injector, patient_id, product, sites, *, when, lot, **form):
    """Chart ``sites`` in ``product`` on a vial of its own, signed."""
    return make_treatment(
        session,
        injector,
        patient_id,
        sites,
        when=when,
        sign=True,
        product=product,
        vial_units=PLANS[product]["vial_units"],
        lot_number=lot,
        **form,
    )


@pytest.fixture
def next_cycle(session, injector, make_patient):
    """Return today's new full chart (day 100, empty) after a cycle whose full
    treatment and amended top-up were signed and whose other top-up never was."""

    def build(product, ending):
        plan = PLANS[product]
        patient = make_patient(affected_side="left")
        given(session, injector, patient.id, product, [plan["full"]], when=T0, lot="F1")
        top_up = given(
            session,
            injector,
            patient.id,
            product,
            [plan["top_up"]],
            when=T0 + 15 * DAY,
            lot="G1",
            kind="top_up",
        )
        amendment_service.amend_session(
            session,
            injector,
            top_up.id,
            {
                "version": session_service.get_session_record(
                    session, top_up.id
                ).version,
                "reason": "Dose misread from the syringe.",
                "corrections": [
                    {"site_id": top_up.sites[0].id, "units": plan["amended_to"]}
                ],
            },
            zone=ZONE,
            now=T0 + 16 * DAY,
        )
        never = make_treatment(
            session,
            injector,
            patient.id,
            [plan["never_given"]],
            when=T0 + 20 * DAY,
            kind="top_up",
            product=product,
            vial_units=plan["vial_units"],
            lot_number="N1",
        )
        if ending == "discarded":
            drafts.discard_draft(
                session, injector, never.id, {"reason": "Patient declined."}
            )
        today = make_treatment(
            session,
            injector,
            patient.id,
            when=T0 + 100 * DAY,
            product=product,
            vial_units=plan["vial_units"],
            lot_number="T1",
        )
        return today

    return build


def signed_cycle(product):
    """The last cycle as it was given: the full treatment and the amended top-up."""
    plan = PLANS[product]
    muscle, side, _ = plan["top_up"]
    return [plan["full"], (muscle, side, plan["amended_to"])]


def tap(session, injector, chart, muscle, side, units):
    """Chart a site on today's chart (day 100) at the muscle's reference point."""
    return chart_service.add_site(
        session,
        injector,
        chart.id,
        {**tap_at(muscle, side), "units": units, "version": chart.version},
        face_map=FACE_MAP,
        default_units=default_units(session),
        now=T0 + 100 * DAY,
        zone=ZONE,
    )


def charted(session, session_id):
    sites = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == session_id)
        .order_by(InjectionSite.number)
    ).all()
    return [(s.muscle, s.side.value, s.units) for s in sites]


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_copy_last_copies_only_the_signed_sessions_of_the_last_cycle(
    session, injector, next_cycle, product, ending
):
    today = next_cycle(product, ending)

    preview = chart_prefill.preview_copy_last(session, today.id, zone=ZONE)
    assert [(s.muscle, s.side.value, s.units) for s in preview.sites] == (
        signed_cycle(product)
    )
    chart_prefill.copy_last_cycle(
        session, injector, today.id, {"version": today.version}, zone=ZONE, now=T0
    )
    assert charted(session, today.id) == signed_cycle(product)
    # The audit trail names the cycle the sites were copied from.
    copied = [
        event.after
        for event in audit_events(session, "injection_site")
        if event.after and "copied_from_cycle" in event.after
    ]
    assert [(a["copied_from_cycle"], a["sites"]) for a in copied] == [(1, 2)]


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_the_chart_s_last_cycle_and_its_changes_leave_out_a_top_up_never_given(
    session, injector, next_cycle, product, ending
):
    """The ghosts, the copy button and the changes panel read the same last cycle
    as the server's dose-change check: today's chart, given as last cycle's, has
    no change on the panel and no dose-change warning."""
    today = next_cycle(product, ending)
    for muscle, side, units in signed_cycle(product):
        today.version, _ = tap(session, injector, today, muscle, side, units)

    state = chart_state(
        session, today.id, face_map=FACE_MAP, zone=ZONE, now=T0 + 100 * DAY
    )
    assert [(s.muscle, s.side, s.units) for s in state.last_cycle] == (
        signed_cycle(product)
    )
    assert state.changes == []
    dose_codes = {"muscle_added", "muscle_removed", "dose_changed"}
    assert not [w.code for w in state.warnings if w.code in dose_codes]


@pytest.mark.parametrize("product", PRODUCTS)
def test_copy_last_onto_a_top_up_is_refused_saying_why(
    session, injector, make_patient, product
):
    """A top-up adds to its own cycle: copying the cycle before it is refused, in
    its preview and its copy alike, and nothing is written."""
    plan = PLANS[product]
    patient = make_patient(affected_side="left")
    first = [("platysma", "left", plan["never_given"][2])] * 2
    given(session, injector, patient.id, product, first, when=T0, lot="C1")
    second = [plan["full"]]
    given(session, injector, patient.id, product, second, when=T0 + 100 * DAY, lot="C2")
    top_up = make_treatment(
        session,
        injector,
        patient.id,
        when=T0 + 116 * DAY,
        kind="top_up",
        product=product,
        vial_units=plan["vial_units"],
        lot_number="C3",
    )

    with pytest.raises(InvalidInput) as previewed:
        chart_prefill.preview_copy_last(session, top_up.id, zone=ZONE)
    with pytest.raises(InvalidInput) as copied:
        chart_prefill.copy_last_cycle(
            session,
            injector,
            top_up.id,
            {"version": top_up.version},
            zone=ZONE,
            now=T0 + 116 * DAY,
        )
    for refusal in (previewed.value, copied.value):
        assert "top-up" in refusal.message
        assert refusal.fields == {"copy": chart_prefill.NOT_FOR_A_TOP_UP}
    assert charted(session, top_up.id) == []
    record = session.get(TreatmentSession, top_up.id)
    session.refresh(record)
    assert record.version == top_up.version
    state = chart_state(
        session, top_up.id, face_map=FACE_MAP, zone=ZONE, now=T0 + 116 * DAY
    )
    assert state.last_cycle == []
