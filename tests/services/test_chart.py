"""Charting services against a real database: sites, locking, copying, signing."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart as chart_service
from planner.services import chart_prefill
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import make_treatment
from tests.factories import reference_point

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def open_chart(session, make_patient, injector):
    def open_(patient=None, *, kind="full", when=NOW, product="botox", **lot):
        patient = patient or make_patient(affected_side="left")
        return make_treatment(
            session,
            injector,
            patient.id,
            when=when,
            kind=kind,
            product=product,
            **lot,
        ).record

    return open_


def tap(session, injector, record, version, muscle, side, units=None):
    x, y = reference_point(muscle, side)
    data = {"x": x, "y": y, "version": version}
    if units is not None:
        data["units"] = units
    return chart_service.add_site(
        session,
        injector,
        record.id,
        data,
        face_map=FACE_MAP,
        default_units=default_units(session),
        now=NOW,
        zone=ZONE,
    )


def sign(session, injector, record, version, reasons=None):
    ensure_consent(session, injector, record.id, when=NOW)
    return session_service.sign_session(
        session,
        injector,
        record.id,
        {"version": version, "consent_obtained": True, "reasons": reasons or {}},
        zone=ZONE,
        now=NOW,
    )


def test_a_tap_detects_muscle_side_and_role_and_takes_the_clinic_default(
    session, open_chart, injector
):
    record = open_chart()
    version, site = tap(session, injector, record, 1, "mentalis", "left")
    assert (site.muscle, site.side, site.role, site.number) == (
        "mentalis",
        "left",
        "affected",
        1,
    )
    assert site.units == 2.0  # the clinic's reference default for mentalis
    version, other = tap(
        session, injector, record, version, "frontalis", "right", units=3
    )
    assert (other.side, other.role, other.number, other.units) == (
        "right",
        "contralateral",
        2,
        3,
    )
    assert version == 3


def test_a_tap_off_the_face_names_the_field(session, open_chart, injector):
    record = open_chart()
    with pytest.raises(InvalidInput) as info:
        chart_service.add_site(
            session,
            injector,
            record.id,
            {"x": 2, "y": 2, "version": 1},
            face_map=FACE_MAP,
            default_units=default_units(session),
            zone=ZONE,
        )
    assert info.value.fields == {"x": "is not on a muscle"}
    assert session.exec(select(InjectionSite)).all() == []


def test_a_stale_version_is_refused_and_nothing_is_written(
    session, open_chart, injector
):
    record = open_chart()
    tap(session, injector, record, 1, "mentalis", "left")
    with pytest.raises(StaleWrite):
        tap(session, injector, record, 1, "platysma", "left")
    assert [s.muscle for s in session.exec(select(InjectionSite)).all()] == ["mentalis"]


def test_moving_a_site_detects_its_muscle_again_and_is_audited(
    session, open_chart, injector
):
    record = open_chart()
    version, site = tap(session, injector, record, 1, "mentalis", "left")
    x, y = reference_point("depressor_anguli_oris", "right")
    version, moved = chart_service.update_site(
        session,
        injector,
        record.id,
        site.id,
        {"version": version, "x": x, "y": y},
        face_map=FACE_MAP,
        zone=ZONE,
    )
    assert (moved.muscle, moved.side, moved.role) == (
        "depressor_anguli_oris",
        "right",
        "contralateral",
    )
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "update", AuditEvent.entity_type == "injection_site"
        )
    ).one()
    assert event.before["muscle"] == "mentalis"
    assert event.after["muscle"] == "depressor_anguli_oris"


def test_delete_keeps_numbers_stable(session, open_chart, injector):
    record = open_chart()
    version, first = tap(session, injector, record, 1, "mentalis", "left")
    version, _ = tap(session, injector, record, version, "platysma", "left")
    version = chart_service.delete_site(
        session, injector, record.id, first.id, {"version": version}
    )
    version, third = tap(session, injector, record, version, "buccinator", "left")
    assert third.number == 3


def test_chart_state_totals_volumes_and_warnings(session, open_chart, injector):
    record = open_chart()
    version, _ = tap(session, injector, record, 1, "mentalis", "left", units=2.5)
    version, _ = tap(
        session, injector, record, version, "zygomaticus_major", "left", units=1
    )
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    assert state.session.version == version
    mentalis = state.sites[0]
    assert mentalis.volume_ml == pytest.approx(0.0625)  # 2.5 U at 4 U per 0.1 mL
    assert mentalis.marks == pytest.approx(6.25)
    assert state.totals.units == 3.5
    assert state.totals.by_side.left == 3.5
    assert state.totals.vials_used == 1
    codes = {w.code for w in state.warnings}
    assert "smile_muscle_affected_side" in codes or any(
        w.muscle == "zygomaticus_major" for w in state.warnings
    )
    assert state.svg.startswith("<svg")


def test_sign_needs_consent_sites_and_reasons_then_the_chart_is_read_only(
    session, open_chart, injector
):
    record = open_chart()
    with pytest.raises(InvalidInput) as info:
        sign(session, injector, record, 1)
    assert "sites" in info.value.fields
    version, site = tap(session, injector, record, 1, "mentalis", "left")
    signed = sign(session, injector, record, version)
    assert signed.status == "signed"
    assert signed.signed_by_id == injector.user_id
    with pytest.raises(Conflict):
        tap(session, injector, record, signed.version, "platysma", "left")
    with pytest.raises(Conflict):
        chart_service.delete_site(
            session, injector, record.id, site.id, {"version": signed.version}
        )


def test_copying_the_last_cycle_reproduces_its_sites_exactly(
    session, make_patient, open_chart, injector
):
    patient = make_patient(affected_side="right")
    first = open_chart(patient, when=NOW - timedelta(weeks=13))
    version = 1
    for muscle, side, units in [
        ("orbicularis_oculi_orbital", "right", 2.5),
        ("mentalis", "right", 2),
        ("platysma", "right", 3),
        ("frontalis", "left", 1.5),
    ]:
        version, _ = tap(session, injector, first, version, muscle, side, units=units)
    sign(session, injector, first, version)
    second = open_chart(patient)
    chart_prefill.copy_last_cycle(
        session, injector, second.id, {"version": 1}, now=NOW, zone=ZONE
    )

    def layout(record):
        sites = session.exec(
            select(InjectionSite)
            .where(InjectionSite.session_id == record.id)
            .order_by(InjectionSite.number)
        ).all()
        return [(s.number, s.muscle, s.side, s.role, s.x, s.y, s.units) for s in sites]

    assert layout(second) == layout(first)
    state = chart_state(session, second.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    assert len(state.last_cycle) == 4
    assert state.changes == []


def test_top_up_joins_the_open_cycle(session, make_patient, open_chart, injector):
    patient = make_patient()
    with pytest.raises(InvalidInput) as info:
        open_chart(patient, kind="top_up")
    assert "kind" in info.value.fields
    first = open_chart(patient)
    # One draft a day per patient (issue 15): the top-up is charted days later,
    # once its full treatment is signed (review rC, C1).
    later = NOW + timedelta(days=14)
    version, _ = tap(session, injector, first, 1, "mentalis", "left", units=2)
    sign(session, injector, first, version)
    top_up = open_chart(patient, kind="top_up", lot_number="D999", when=later)
    assert (top_up.cycle_number, top_up.cycle_session_id) == (1, first.id)
    again = open_chart(patient, lot_number="E1", when=later + timedelta(days=1))
    assert again.cycle_number == 2


@pytest.mark.parametrize(
    ("lot", "field"),
    [
        ({"vial_units": 150}, "vial_units"),
        ({"lot_number": "bad lot!"}, "lot_number"),
        ({"diluent_ml": 0}, "diluent_ml"),
        ({"expiry_date": "soon"}, "expiry_date"),
    ],
)
def test_bad_vial_details_are_named(open_chart, lot, field, session):
    with pytest.raises(InvalidInput) as info:
        open_chart(**lot)
    assert field in info.value.fields


def test_amendment_corrects_a_signed_session_with_its_reason(
    session, open_chart, injector
):
    record = open_chart()
    version, site = tap(session, injector, record, 1, "mentalis", "left", units=2)
    signed = sign(session, injector, record, version)
    amendment = amendment_service.amend_session(
        session,
        injector,
        record.id,
        {
            "version": signed.version,
            "reason": "Dose recorded wrongly",
            "corrections": [{"site_id": site.id, "units": 3}],
        },
        zone=ZONE,
    )
    assert amendment.changes["sites"] == [{"site": 1, "before": 2.0, "after": 3.0}]
    session.expire_all()
    assert session.get(InjectionSite, site.id).units == 3
    assert session.get(type(signed), record.id).status == "signed"
    with pytest.raises(InvalidInput):
        amendment_service.amend_session(
            session, injector, record.id, {"reason": ""}, zone=ZONE
        )


def test_no_session_opens_on_a_lot_already_expired(session, open_chart):
    """Typed as a new vial or picked from the list alike (review rC, C4; the
    products' cases are in test_vial_refused_alike)."""
    with pytest.raises(InvalidInput) as info:
        open_chart(expiry_date=str(date(2026, 1, 1)))
    assert "expiry_date" in info.value.fields


def test_one_vial_serves_several_patients_but_conflicting_details_are_refused(
    session, make_patient, open_chart
):
    first = open_chart(make_patient())
    second = open_chart(make_patient())
    assert first.vial_lot_id == second.vial_lot_id
    with pytest.raises(InvalidInput) as info:
        open_chart(make_patient(), diluent_ml=1.0)
    assert "lot_number" in info.value.fields


def test_a_protocol_template_lands_on_the_patients_palsied_side(
    session, make_patient, make_user, open_chart, injector
):
    from planner.services import protocols

    admin = make_user(Role.ADMIN)
    x, y = reference_point("mentalis", "right")
    cx, cy = reference_point("frontalis", "left")
    template = protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        name="Chin and brow",
        description=None,
        product="botox",
        sites=[
            {"muscle": "mentalis", "role": "affected", "x": x, "y": y, "units": 2},
            {
                "muscle": "frontalis",
                "role": "contralateral",
                "x": cx,
                "y": cy,
                "units": 1.5,
            },
        ],
        face_map=FACE_MAP,
    )
    record = open_chart(make_patient(affected_side="left"))
    chart_prefill.apply_template(
        session,
        injector,
        record.id,
        {"version": 1, "template_id": template.id},
        now=NOW,
        zone=ZONE,
    )
    sites = session.exec(
        select(InjectionSite).where(InjectionSite.session_id == record.id)
    ).all()
    placed = {(s.muscle, s.side, s.role, s.units) for s in sites}
    # Drawn with the palsy on the right; this patient's palsy is on the left.
    assert placed == {
        ("mentalis", "left", "affected", 2),
        ("frontalis", "right", "contralateral", 1.5),
    }
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    assert state.as_json()["templates"] == [
        {
            "id": template.id,
            "name": "Chin and brow",
            "description": None,
            "sites": 2,
            "product": "Botox",
            "doses_carried": True,
        }
    ]
