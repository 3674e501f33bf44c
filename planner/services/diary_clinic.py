"""The patient's diary as the clinic sees it: worklist items and the cycles page."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select

from planner.clinic_time import local_day
from planner.models import Appointment
from planner.models import AppointmentKind
from planner.models import AppointmentStatus
from planner.models import DiaryEntry
from planner.models import Patient
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.diary_adverse import events_from_diary
from planner.services.diary_forms import SAQ_WHEN_WORDS
from planner.services.diary_forms import SIDE_EFFECT_WORDS
from planner.services.diary_forms import WEEKLY_WORDS
from planner.services.diary_forms import FaceThisWeek
from planner.services.diary_forms import SideEffect
from planner.services.diary_links import mark_entry_handled
from planner.services.lookup import get_or_raise

ALERT_LIMIT = 100
SIDE_EFFECT = "side_effect"


def _day(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{day.day} {day:%b %Y}"


def describe(entry: DiaryEntry) -> str:
    """Say what a diary entry records, in words for the clinic and the patient."""
    answers = entry.answers
    if entry.kind == "onset":
        return f"First noticed the effect on {_day(answers['day'])}"
    if entry.kind == "wear_off":
        return f"The effect wore off on {_day(answers['day'])}"
    if entry.kind == "weekly":
        return f"Weekly check: {WEEKLY_WORDS[FaceThisWeek(answers['face'])].lower()}"
    if entry.kind == "saq":
        total = answers.get("total")
        when = SAQ_WHEN_WORDS.get(answers.get("when", ""), "")
        return f"SAQ {total:.0f} ({when.lower()})" if total is not None else "SAQ"
    words = [SIDE_EFFECT_WORDS[SideEffect(code)] for code in answers["effects"]]
    if answers.get("other"):
        words.append(f"“{answers['other']}”")
    return "Side effect: " + "; ".join(words) + f", since {_day(answers['day'])}"


@dataclass(frozen=True)
class DiaryAlert:
    """A diary entry staff must act on: call about a side effect, or book."""

    entry_id: int
    patient_id: int
    patient: str
    mrn: str
    cycle: int
    kind: str
    urgent: bool
    words: str
    entered_at: datetime
    # The cycle's proposed re-treatment, to book from the worklist.
    appointment_id: int | None


@dataclass(frozen=True)
class DiaryAlerts:
    calls: list[DiaryAlert] = field(default_factory=list)
    bookings: list[DiaryAlert] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.calls) + len(self.bookings)


def diary_alerts(session: Session, *, clinician_id: int | None = None) -> DiaryAlerts:
    """Return the unhandled side effects (urgent first) and wear-offs to book."""
    query = (
        select(DiaryEntry, Patient, TreatmentSession.cycle_number)
        .join(Patient, col(Patient.id) == col(DiaryEntry.patient_id))
        .join(TreatmentSession, col(TreatmentSession.id) == col(DiaryEntry.session_id))
        .where(
            col(DiaryEntry.needs_call).is_(True), col(DiaryEntry.handled_at).is_(None)
        )
        .order_by(col(DiaryEntry.urgent).desc(), col(DiaryEntry.entered_at))
        .limit(ALERT_LIMIT)
    )
    if clinician_id is not None:
        query = query.where(TreatmentSession.injector_id == clinician_id)
    rows = session.exec(query).all()
    proposals = dict(
        session.exec(
            select(Appointment.source_session_id, func.max(Appointment.id))
            .where(
                col(Appointment.source_session_id).in_(
                    {entry.session_id for entry, _, _ in rows}
                ),
                Appointment.kind == AppointmentKind.TREATMENT,
                Appointment.status == AppointmentStatus.PROPOSED,
            )
            .group_by(col(Appointment.source_session_id))
        ).all()
    )
    alerts = DiaryAlerts()
    for entry, patient, cycle in rows:
        assert entry.id is not None
        assert patient.id is not None
        alert = DiaryAlert(
            entry_id=entry.id,
            patient_id=patient.id,
            patient=f"{patient.family_name}, {patient.given_name}",
            mrn=patient.mrn,
            cycle=cycle,
            kind=entry.kind,
            urgent=entry.urgent,
            words=describe(entry),
            entered_at=entry.entered_at,
            appointment_id=proposals.get(entry.session_id),
        )
        (alerts.bookings if entry.kind == "wear_off" else alerts.calls).append(alert)
    return alerts


def handle_entry(
    session: Session, actor: Actor, entry_id: int, *, now: datetime
) -> DiaryEntry:
    """Mark a diary item as dealt with (called, booked): it leaves the worklist."""
    entry = get_or_raise(session, DiaryEntry, entry_id, "There is no such diary entry.")
    if entry.handled_at is None:
        mark_entry_handled(session, actor, entry, now)
        session.commit()
    return entry


@dataclass(frozen=True)
class CycleDiaryRow:
    """One diary entry on the cycles page; a side effect says whether the clinic
    has recorded it as an adverse event (``recorded_on``, its clinic day)."""

    timepoint: str
    day: date
    words: str
    urgent: bool
    entry_id: int = 0
    side_effect: bool = False
    recorded_on: date | None = None


@dataclass(frozen=True)
class CycleDiary:
    """What the patient recorded in one cycle's diary, for the cycles page."""

    cycle: int
    session_id: int
    rows: list[CycleDiaryRow]


def diary_by_cycle(
    session: Session, patient_id: int, *, zone: ZoneInfo
) -> list[CycleDiary]:
    """Return the patient's diary entries grouped by cycle, newest cycle first."""
    rows = session.exec(
        select(DiaryEntry, TreatmentSession.cycle_number)
        .join(TreatmentSession, col(TreatmentSession.id) == col(DiaryEntry.session_id))
        .where(DiaryEntry.patient_id == patient_id)
        .order_by(
            col(TreatmentSession.cycle_number).desc(),
            col(DiaryEntry.day),
            col(DiaryEntry.id),
        )
    ).all()
    recorded = events_from_diary(
        session, (e.id for e, _ in rows if e.id is not None and e.kind == SIDE_EFFECT)
    )
    cycles: dict[int, CycleDiary] = {}
    for entry, cycle in rows:
        assert entry.id is not None
        group = cycles.setdefault(cycle, CycleDiary(cycle, entry.session_id, []))
        event = recorded.get(entry.id)
        group.rows.append(
            CycleDiaryRow(
                entry.timepoint,
                entry.day,
                describe(entry),
                entry.urgent,
                entry_id=entry.id,
                side_effect=entry.kind == SIDE_EFFECT,
                recorded_on=None
                if event is None
                else local_day(event.recorded_at, zone),
            )
        )
    return list(cycles.values())
