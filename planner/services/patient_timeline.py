"""A patient's history on one page: cycles, appointments and assessments by day."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import tzinfo

from sqlmodel import Session
from sqlmodel import select

from planner.clinic_time import clinic_today
from planner.clinic_time import local_day
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import Assessment
from planner.models import Patient
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import rebooking
from planner.services.patients import get_patient
from planner.services.therapy import list_procedures
from planner.services.therapy import list_therapy_courses
from planner.vocabulary import label


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing in a patient's history, dated by the clinic's calendar."""

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
    # Open appointments ahead, and those staff must act on (the worklist's
    # overdue, missed and cancelled rows), in day order.
    upcoming: list[Appointment]
    assessments: int
    # Why an appointment in ``upcoming`` needs acting on, by its id: "overdue"
    # (a window closed unbooked, or a past booking not marked attended or
    # missed), "missed" or "cancelled" (not rebooked). Absent: still ahead.
    attention: dict[int, str] = field(default_factory=dict)
    # Cancelled appointments, newest first: history, kept out of ``entries`` so
    # the timeline shows the plan, not every proposal a treatment replaced. One
    # still to rebook is also in ``upcoming``.
    cancelled: list[TimelineEntry] = field(default_factory=list)


def patient_timeline(
    session: Session, patient_id: int, *, zone: tzinfo, now: datetime
) -> PatientTimeline:
    """Gather a patient's cycles, appointments and assessments, newest first.

    Every moment is dated by the clinic's calendar in ``zone``: a treatment at
    00:30 on a London summer night belongs to that day, not the UTC day before.
    """
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
        kind = "Top-up" if treatment.kind == SessionKind.TOP_UP else "Treatment"
        discarded = treatment.status == SessionStatus.DISCARDED
        entries.append(
            TimelineEntry(
                when=local_day(treatment.performed_at, zone),
                kind="treatment",
                # A discarded draft is shown, but opened no cycle.
                title=f"{kind} draft, discarded"
                if discarded
                else f"{kind}, cycle {treatment.cycle_number}",
                detail=f"Reason: {treatment.discard_reason}" if discarded else "",
                status=treatment.status.value,
                link_id=treatment.id,
            )
        )
    for appointment in appointments:
        entries.append(
            TimelineEntry(
                when=_appointment_day(appointment, zone),
                kind="appointment",
                title=f"{label('appointment_kind', appointment.kind)} appointment",
                detail=_appointment_detail(appointment),
                status=appointment.status.value,
                link_id=appointment.id,
            )
        )
    for assessment in assessments:
        total = "" if assessment.total is None else f"score {assessment.total:g}"
        if assessment.self_entered:
            # The comparison prefers the clinic's score at the same time point;
            # the patient's own stays listed, and says whose it is.
            total = f"{total}, the patient's own" if total else "the patient's own"
        entries.append(
            TimelineEntry(
                when=local_day(assessment.assessed_at, zone),
                kind="assessment",
                title=label("instrument", assessment.instrument),
                detail=total,
                status=assessment.timepoint.value.replace("_", " "),
                link_id=assessment.id,
            )
        )
    entries += therapy_entries(session, patient_id)
    entries.sort(key=lambda entry: (entry.when, entry.kind), reverse=True)
    cancelled = [e for e in entries if _is_cancelled(e)]
    entries = [e for e in entries if not _is_cancelled(e)]
    today = clinic_today(zone, now)
    to_rebook = rebooking.waiting_ids(session, patient_id)
    attention = {
        a.id: a.status.value if a.id in to_rebook else "overdue"
        for a in appointments
        if a.id is not None and (a.id in to_rebook or _overdue(a, today, zone))
    }
    upcoming = sorted(
        (a for a in appointments if a.id in attention or _still_ahead(a, today, zone)),
        key=lambda a: _appointment_day(a, zone),
    )
    cycles = len(
        {t.cycle_number for t in sessions if t.status != SessionStatus.DISCARDED}
    )
    return PatientTimeline(
        patient, entries, cycles, upcoming, len(assessments), attention, cancelled
    )


def _is_cancelled(entry: TimelineEntry) -> bool:
    return (
        entry.kind == "appointment"
        and entry.status == AppointmentStatus.CANCELLED.value
    )


def therapy_entries(session: Session, patient_id: int) -> list[TimelineEntry]:
    """Return the patient's therapy courses (by start) and procedures as entries."""
    entries = [
        TimelineEntry(
            when=course.started_on,
            kind="therapy",
            title=course.kind_label,
            detail=f"{course.period}, with {course.therapist}",
            status="ongoing" if course.ended_on is None else "ended",
            link_id=course.id,
        )
        for course in list_therapy_courses(session, patient_id)
    ]
    entries += [
        TimelineEntry(
            when=entry.performed_on,
            kind="procedure",
            title=entry.kind_label,
            detail=f"{entry.where} · {entry.surgeon}",
            status="procedure",
            link_id=entry.id,
        )
        for entry in list_procedures(session, patient_id)
    ]
    return entries


def _appointment_day(appointment: Appointment, zone: tzinfo) -> date:
    """A booking's clinic day; a proposal's due date."""
    if appointment.starts_at is None:
        return appointment.due_date
    return local_day(appointment.starts_at, zone)


def _still_ahead(appointment: Appointment, today: date, zone: tzinfo) -> bool:
    """A booking counts by its time; a proposal by the end of its window."""
    if appointment.status == AppointmentStatus.BOOKED and appointment.starts_at:
        return local_day(appointment.starts_at, zone) >= today
    if appointment.status == AppointmentStatus.PROPOSED:
        return (appointment.window_end or appointment.due_date) >= today
    return False


def _overdue(appointment: Appointment, today: date, zone: tzinfo) -> bool:
    """The worklist's overdue rule: still open, but its day has passed."""
    if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.PROPOSED):
        return False
    return not _still_ahead(appointment, today, zone)


def _appointment_detail(appointment: Appointment) -> str:
    """The window, and why a cancelled one needs no rebooking when staff said."""
    window = _window_text(appointment)
    if appointment.no_rebooking_reason is None:
        return window
    note = f"No rebooking needed: {appointment.no_rebooking_reason}"
    return f"{window}. {note}" if window else note


def _window_text(appointment: Appointment) -> str:
    if appointment.window_start and appointment.window_end:
        start, end = appointment.window_start, appointment.window_end
        return f"window {start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    return ""
