"""A patient's own wear-off later than the window's close widens it (review RS3).

The rule: a re-treatment day from the patient's recorded wear-off (in the same
product) that falls after the clinic's window closes stands, and the proposal's
window is widened to end on it; it is never pulled earlier, so the patient is
not Overdue before that day. The 16-week close is sourced for onabotulinumtoxinA
(Botox) only; for Dysport and Daxxify the proposal says it is a clinic setting.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.models import Appointment
from planner.models import ClinicSetting
from planner.models import Role
from planner.scheduling import Window
from planner.scheduling import suggest_retreatment
from planner.services import outcomes
from planner.services import settings as settings_service
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from planner.services.worklist import build_worklist
from tests import factories as f

TREATED = date(2026, 1, 31)
WINDOW = Window(
    TREATED + timedelta(weeks=12),
    TREATED + timedelta(weeks=12),
    TREATED + timedelta(weeks=16),
)
START = datetime(2025, 1, 6, 10, tzinfo=UTC)
# product, units per site, vial units, diluent mL, recorded wear-off weeks
PRODUCTS = [
    ("botox", 4, 100, 2.5, 20.0),
    ("dysport", 10, 300, 1.5, 20.0),
    ("daxxify", 8, 100, 1.25, 24.0),
]


@pytest.mark.parametrize(("history", "weeks"), [([20, 22], 21), ([16.2, 16.1], None)])
def test_a_later_wear_off_stands_and_widens_the_window(history, weeks):
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED)
    days = 7 * weeks if weeks else round(16.15 * 7)
    assert suggestion.day == TREATED + timedelta(days=days)
    assert suggestion.window_end == suggestion.day
    assert "later than the clinic's window closes (16 weeks)" in suggestion.reason
    assert "window is widened to it" in suggestion.reason


@pytest.mark.parametrize("history", [[8, 9, 10], [13, 15], []])
def test_a_day_inside_or_before_keeps_the_clinic_close(history):
    suggestion = suggest_retreatment(WINDOW, history, treated_on=TREATED)
    assert suggestion.window_end == WINDOW.end
    assert WINDOW.start <= suggestion.day <= WINDOW.end


def _sign(session, actor, patient_id, product, units, vial, ml, when, lot):
    return f.make_treatment(
        session,
        actor,
        patient_id,
        [("mentalis", "left", units)],
        when=when,
        sign=True,
        product=product,
        vial_units=vial,
        diluent_ml=ml,
        lot_number=lot,
    )


def _proposal(session: Session, session_id: int) -> Appointment:
    return session.exec(
        select(Appointment).where(
            Appointment.source_session_id == session_id,
            Appointment.kind == "treatment",
        )
    ).one()


def _treatment_titles(session: Session, patient_id: int, day: date) -> list[str]:
    worklist = build_worklist(
        session,
        today=day,
        zone=f.ZONE,
        now=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
    )
    return [
        section.title
        for section in worklist.sections
        if any(
            row.patient_id == patient_id and row.kind == "treatment"
            for row in section.rows
        )
    ]


@pytest.mark.parametrize(("product", "units", "vial", "ml", "weeks"), PRODUCTS)
def test_history_beyond_the_close_is_not_overdue_at_16_weeks(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
    weeks: float,
) -> None:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient(family_name=product.capitalize())
    last = None
    for cycle in range(3):
        when = START + timedelta(weeks=26 * cycle)
        lot = f"L{cycle}{product[:2].upper()}"
        last = _sign(session, actor, patient.id, product, units, vial, ml, when, lot)
        if cycle < 2:
            outcomes.record_response(
                session,
                actor,
                last.id,
                {"wear_off_weeks": weeks},
                zone=f.ZONE,
                now=when + timedelta(weeks=weeks + 1),
            )
    assert last is not None
    treated_on = last.record.performed_at.date()
    proposal = _proposal(session, last.id)
    assert proposal.due_date == treated_on + timedelta(weeks=weeks)
    assert proposal.window_start == treated_on + timedelta(weeks=12)
    assert proposal.window_end == proposal.due_date
    assert "window is widened to it" in (proposal.notes or "")

    assert "Overdue" not in _treatment_titles(
        session, patient.id, treated_on + timedelta(weeks=16, days=1)
    )
    assert "Overdue" in _treatment_titles(
        session, patient.id, proposal.due_date + timedelta(1)
    )


@pytest.mark.parametrize(("product", "units", "vial", "ml", "weeks"), PRODUCTS)
def test_recording_wear_off_later_widens_the_open_proposal(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
    weeks: float,
) -> None:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient()
    first = _sign(session, actor, patient.id, product, units, vial, ml, START, "A1")
    outcomes.record_response(
        session,
        actor,
        first.id,
        {"wear_off_weeks": weeks},
        zone=f.ZONE,
        now=START + timedelta(weeks=weeks + 1),
    )
    when = START + timedelta(weeks=26)
    second = _sign(session, actor, patient.id, product, units, vial, ml, when, "A2")
    before = _proposal(session, second.id)
    assert before.window_end == when.date() + timedelta(weeks=16)
    outcomes.record_response(
        session,
        actor,
        second.id,
        {"wear_off_weeks": weeks},
        zone=f.ZONE,
        now=when + timedelta(weeks=weeks + 1),
    )
    session.expire_all()
    after = _proposal(session, second.id)
    assert after.due_date == when.date() + timedelta(weeks=weeks)
    assert after.window_end == after.due_date
    events = f.audit_events(session, "appointment")
    assert events[-1].after is not None
    assert events[-1].after["window_end"] == after.window_end.isoformat()


@pytest.mark.parametrize(
    ("product", "units", "vial", "ml", "label"),
    [
        ("botox", 4, 100, 2.5, None),
        ("dysport", 10, 300, 1.5, "3–4 months is sourced for onabotulinumtoxinA only"),
        ("daxxify", 8, 100, 1.25, "'about 6 months, up to 9' (clinic blog, low"),
    ],
)
def test_the_16_week_close_is_labelled_a_clinic_setting_where_unsourced(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    ml: float,
    label: str | None,
) -> None:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient()
    signed = _sign(session, actor, patient.id, product, units, vial, ml, START, "B1")
    notes = _proposal(session, signed.id).notes or ""
    if label is None:
        assert "clinic setting" not in notes
    else:
        assert "). The window closes at 16 weeks: a clinic setting (" in notes
        assert label in notes


def test_an_edited_close_is_a_clinic_setting_for_botox_too(
    session: Session, make_user: Any, make_patient: Any
) -> None:
    admin = make_user(Role.ADMIN)
    setting = settings_service.get_setting(session, "retreat_window_end_weeks")
    settings_service.update_setting(
        session,
        Actor(admin.id, admin.email),
        "retreat_window_end_weeks",
        18,
        version=setting.version,
    )
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient()
    signed = _sign(session, actor, patient.id, "botox", 4, 100, 2.5, START, "C1")
    notes = _proposal(session, signed.id).notes or ""
    assert notes.endswith(
        "). The window closes at 18 weeks: a clinic setting (edited by the clinic)."
    )


@pytest.mark.audit_exempt(
    "puts back the source an earlier release shipped, by hand",
    tables=["clinic_setting"],
)
def test_a_never_edited_close_gets_the_honest_source_on_upgrade(
    session: Session,
) -> None:
    row = session.get(ClinicSetting, "retreat_window_end_weeks")
    assert row is not None
    row.source = "[S16] [S36] effect lasts about 3–4 months"
    row.label = "Re-treatment window closes, weeks"
    session.add(row)
    session.commit()
    load_catalogue(session)
    session.refresh(row)
    assert row.source is not None
    assert "sourced for onabotulinumtoxinA (Botox) only" in row.source
    assert "for other products a clinic setting" in row.source
    assert row.value == 16
    assert row.version == 1
