"""Registering, finding and editing patients."""

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import Appointment
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import Patient
from planner.models import PatientCreate
from planner.models import PatientUpdate
from planner.models import TreatmentSession
from planner.paging import Page
from planner.paging import clamp_page
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.locking import update_if_version
from planner.validation import parse_input

MAX_QUERY_LENGTH = 100
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def _mrn_taken() -> InvalidInput:
    return InvalidInput(
        "Another patient already has this MRN.",
        fields={"mrn": "is already used by another patient"},
    )


def create_patient(session: Session, actor: Actor, data: Any) -> Patient:
    """Validate and register a new patient."""
    patient_in: PatientCreate = parse_input(PatientCreate, data)
    if session.exec(select(Patient.id).where(Patient.mrn == patient_in.mrn)).first():
        raise _mrn_taken()
    patient = Patient.model_validate(patient_in)
    session.add(patient)
    try:
        session.flush()
    except IntegrityError:
        # Two registrations of one MRN raced past the check above.
        session.rollback()
        raise _mrn_taken() from None
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        after=snapshot(patient),
    )
    session.commit()
    return patient


def get_patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"There is no patient {patient_id}.")
    return patient


def update_patient(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: Any,
    *,
    now: datetime | None = None,
) -> Patient:
    """Save an edit made against ``data['version']``; refuse it if that is stale."""
    patient_in: PatientUpdate = parse_input(PatientUpdate, data)
    patient = get_patient(session, patient_id)
    before = snapshot(patient)
    if (
        patient_in.mrn != patient.mrn
        and session.exec(
            select(Patient.id).where(Patient.mrn == patient_in.mrn)
        ).first()
    ):
        raise _mrn_taken()
    values = patient_in.model_dump(exclude={"version"})
    values["updated_at"] = now or utc_now()
    update_if_version(
        session,
        Patient,
        (col(Patient.id), patient_id),
        patient_in.version,
        values,
        stale_message="Someone else saved this patient while you were editing. "
        "Reload to see their changes, then make yours again.",
    )
    session.refresh(patient)
    old, new = changed_fields(before, snapshot(patient))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        before=old,
        after=new,
    )
    session.commit()
    return patient


def parse_birth_date(query: str) -> date | None:
    """Read a search term as a date of birth (YYYY-MM-DD or DD/MM/YYYY)."""
    text = query.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def search_patients(
    session: Session, query: str = "", *, page: int = 1, size: int = 25
) -> Page[Patient]:
    """Find patients by MRN, name or date of birth, a page at a time."""
    # NUL cannot reach PostgreSQL and matches nothing anyway.
    text = query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    statement = select(Patient)
    counter = select(func.count()).select_from(Patient)
    if text:
        birth = parse_birth_date(text)
        if birth is not None:
            condition: Any = col(Patient.date_of_birth) == birth
        else:
            # LIKE wildcards typed by the user are matched literally.
            escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%")
            escaped = escaped.replace("_", "\\_")
            terms = escaped.split()
            conditions = [
                or_(
                    func.lower(Patient.mrn).like(f"{term}%", escape="\\"),
                    func.lower(Patient.given_name).like(f"{term}%", escape="\\"),
                    func.lower(Patient.family_name).like(f"{term}%", escape="\\"),
                )
                for term in terms
            ]
            condition = and_(*conditions)
        statement = statement.where(condition)
        counter = counter.where(condition)
    total = session.exec(counter).one()
    number = clamp_page(page, size, total)
    rows = session.exec(
        statement.order_by(
            col(Patient.family_name), col(Patient.given_name), col(Patient.id)
        )
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return Page(items=list(rows), number=number, size=size, total=total)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing in a patient's history."""

    when: date
    kind: str
    title: str
    detail: str
    status: str
    link_id: int | None = None


@dataclass(frozen=True)
class PatientTimeline:
    patient: Patient
    entries: list[TimelineEntry]
    cycles: int
    upcoming: list[Appointment]
    assessments: int


def patient_timeline(
    session: Session, patient_id: int, *, today: date
) -> PatientTimeline:
    """Gather a patient's cycles, appointments and assessments, newest first."""
    patient = get_patient(session, patient_id)
    sessions = session.exec(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient_id)
    ).all()
    appointments = session.exec(
        select(Appointment).where(Appointment.patient_id == patient_id)
    ).all()
    assessments = session.exec(
        select(Assessment).where(Assessment.patient_id == patient_id)
    ).all()
    entries: list[TimelineEntry] = []
    for treatment in sessions:
        label = "Top-up" if treatment.kind == "top_up" else "Treatment"
        entries.append(
            TimelineEntry(
                when=treatment.performed_at.date(),
                kind="treatment",
                title=f"{label}, cycle {treatment.cycle_number}",
                detail="",
                status=treatment.status.value,
                link_id=treatment.id,
            )
        )
    for appointment in appointments:
        when = (
            appointment.starts_at.date()
            if appointment.starts_at is not None
            else appointment.due_date
        )
        entries.append(
            TimelineEntry(
                when=when,
                kind="appointment",
                title=f"{appointment.kind.value.capitalize()} appointment",
                detail=_window_text(appointment),
                status=appointment.status.value,
                link_id=appointment.id,
            )
        )
    for assessment in assessments:
        total = "" if assessment.total is None else f"score {assessment.total:g}"
        entries.append(
            TimelineEntry(
                when=assessment.assessed_at.date(),
                kind="assessment",
                title=INSTRUMENT_NAMES.get(assessment.instrument.value, "Assessment"),
                detail=total,
                status=assessment.timepoint.value.replace("_", " "),
                link_id=assessment.id,
            )
        )
    entries.sort(key=lambda entry: (entry.when, entry.kind), reverse=True)
    upcoming = sorted(
        (a for a in appointments if _still_ahead(a, today)),
        key=lambda a: a.starts_at.date() if a.starts_at else a.due_date,
    )
    cycles = len({t.cycle_number for t in sessions})
    return PatientTimeline(patient, entries, cycles, upcoming, len(assessments))


def _still_ahead(appointment: Appointment, today: date) -> bool:
    """A booking counts by its time; a proposal by the end of its window."""
    if appointment.status == "booked" and appointment.starts_at is not None:
        return appointment.starts_at.date() >= today
    if appointment.status == "proposed":
        return (appointment.window_end or appointment.due_date) >= today
    return False


INSTRUMENT_NAMES = {
    "sunnybrook": "Sunnybrook Facial Grading",
    "eface": "eFACE",
    "house_brackmann": "House–Brackmann grade",
    "saq": "Synkinesis Assessment Questionnaire",
    "fdi": "Facial Disability Index",
}


def _window_text(appointment: Appointment) -> str:
    if appointment.window_start and appointment.window_end:
        start, end = appointment.window_start, appointment.window_end
        return f"window {start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    return ""
