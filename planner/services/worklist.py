"""What staff must act on: due this week, overdue, unbooked windows, no-shows
and cancellations not yet rebooked."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import day_start
from planner.db_types import utc_now
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import Patient
from planner.models import User
from planner.services import rebooking
from planner.services.diary_clinic import DiaryAlerts
from planner.services.diary_clinic import diary_alerts
from planner.services.stock_ledger import VialsToClose
from planner.services.stock_ledger import vials_to_close

SECTION_LIMIT = 100
UPCOMING_DAYS = 14


@dataclass(frozen=True)
class Row:
    """One appointment on the worklist, with what staff need to act on it."""

    id: int
    version: int
    patient_id: int
    patient: str
    mrn: str
    kind: str
    status: str
    due_date: date
    window_start: date | None
    window_end: date | None
    starts_at: datetime | None
    clinician: str | None
    notes: str | None


@dataclass(frozen=True)
class Section:
    title: str
    empty: str
    rows: list[Row] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class Worklist:
    today: date
    week_start: date
    sections: list[Section]
    # Open vials past their in-use time, whose remainder is to be recorded.
    vials: VialsToClose = field(default_factory=lambda: VialsToClose([], 0))
    # What patients reported in their diaries: side effects to call about, and
    # wear-offs to book.
    diary: DiaryAlerts = field(default_factory=DiaryAlerts)


def _section(
    session: Session,
    condition: Any,
    order: Any,
    *,
    title: str,
    empty: str,
    clinician_id: int | None,
) -> Section:
    if clinician_id is not None:
        condition = and_(condition, col(Appointment.clinician_id) == clinician_id)
    total = session.exec(
        select(func.count()).select_from(Appointment).where(condition)
    ).one()
    rows = session.exec(
        select(Appointment, Patient, User.name)
        .join(Patient, col(Patient.id) == col(Appointment.patient_id))
        .outerjoin(User, col(User.id) == col(Appointment.clinician_id))
        .where(condition)
        .order_by(*order)
        .limit(SECTION_LIMIT)
    ).all()
    return Section(
        title=title,
        empty=empty,
        total=total,
        rows=[
            Row(
                id=a.id or 0,
                version=a.version,
                patient_id=p.id or 0,
                patient=f"{p.family_name}, {p.given_name}",
                mrn=p.mrn,
                kind=a.kind.value,
                status=a.status.value,
                due_date=a.due_date,
                window_start=a.window_start,
                window_end=a.window_end,
                starts_at=a.starts_at,
                clinician=name,
                notes=a.notes,
            )
            for a, p, name in rows
        ],
    )


def build_worklist(
    session: Session,
    *,
    today: date,
    zone: ZoneInfo,
    clinician_id: int | None = None,
    now: datetime | None = None,
) -> Worklist:
    """Gather the five lists staff work from, and the vials to close, capped."""
    week_start = today - timedelta(days=today.weekday())
    week_end = week_start + timedelta(days=7)
    today_start = day_start(today, zone)
    booked = col(Appointment.status) == AppointmentStatus.BOOKED
    proposed = col(Appointment.status) == AppointmentStatus.PROPOSED
    sections = [
        _section(
            session,
            or_(
                and_(
                    booked,
                    col(Appointment.starts_at) >= today_start,
                    col(Appointment.starts_at) < day_start(week_end, zone),
                ),
                and_(
                    proposed,
                    col(Appointment.due_date) >= today,
                    col(Appointment.due_date) < week_end,
                ),
            ),
            (col(Appointment.due_date), col(Appointment.starts_at)),
            title="Due this week",
            empty="Nothing is due for the rest of this week.",
            clinician_id=clinician_id,
        ),
        _section(
            session,
            or_(
                and_(proposed, col(Appointment.window_end) < today),
                and_(booked, col(Appointment.starts_at) < today_start),
            ),
            (col(Appointment.due_date),),
            title="Overdue",
            empty="Nobody is overdue.",
            clinician_id=clinician_id,
        ),
        _section(
            session,
            and_(
                proposed,
                col(Appointment.window_end) >= today,
                col(Appointment.window_start) <= today + timedelta(days=UPCOMING_DAYS),
            ),
            (col(Appointment.window_start), col(Appointment.due_date)),
            title="Windows open or opening in 2 weeks, not booked",
            empty="Every open window has a booking.",
            clinician_id=clinician_id,
        ),
        *(
            _section(
                session,
                rebooking.waiting(status),
                (col(Appointment.due_date).desc(),),
                title=f"{status.value.capitalize()}, to rebook",
                empty=f"No {status.value} appointments are waiting to be rebooked.",
                clinician_id=clinician_id,
            )
            for status in rebooking.TO_REBOOK
        ),
    ]
    return Worklist(
        today=today,
        week_start=week_start,
        sections=sections,
        vials=vials_to_close(session, now=now or utc_now()),
        diary=diary_alerts(session, clinician_id=clinician_id),
    )


@dataclass(frozen=True)
class WeekDay:
    day: date
    rows: list[Row]


def week_view(
    session: Session, *, clinician_id: int, week_start: date, zone: ZoneInfo
) -> list[WeekDay]:
    """Return one clinician's booked appointments for a week, day by day."""
    end = week_start + timedelta(days=7)
    section = _section(
        session,
        and_(
            col(Appointment.status).in_(
                (
                    AppointmentStatus.BOOKED,
                    AppointmentStatus.ATTENDED,
                    AppointmentStatus.MISSED,
                )
            ),
            col(Appointment.starts_at) >= day_start(week_start, zone),
            col(Appointment.starts_at) < day_start(end, zone),
        ),
        (col(Appointment.starts_at),),
        title="Week",
        empty="",
        clinician_id=clinician_id,
    )
    days = [WeekDay(week_start + timedelta(days=offset), []) for offset in range(7)]
    for row in section.rows:
        assert row.starts_at is not None
        index = (row.starts_at.astimezone(zone).date() - week_start).days
        if 0 <= index < 7:
            days[index].rows.append(row)
    return days
