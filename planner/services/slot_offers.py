"""Free start times to offer staff when they book a follow-up.

The clinician's working hours and the clinic's closed days, less what is already
booked, inside the appointment's window, nearest its due day first.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import scheduling
from planner.clinic_time import day_start
from planner.clinic_time import open_through
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.services.appointments import calendar_for
from planner.services.schedule_settings import clinic_settings


def suggest_slots(
    session: Session,
    appointment: Appointment,
    clinician_id: int,
    *,
    zone: ZoneInfo,
    now: datetime,
    limit: int = 8,
) -> list[datetime]:
    """Offer the clinician's first free local start times inside the window.

    With no working hours recorded for the clinician, nothing is offered and
    staff type a time instead.
    """
    hours, closed = calendar_for(session, clinician_id)
    if not hours or appointment.window_start is None or appointment.window_end is None:
        return []
    window = scheduling.Window(
        appointment.window_start, appointment.due_date, appointment.window_end
    )
    start = scheduling.local_day(now, zone)
    days = [d for d in scheduling.window_days(window, "nearest_due") if d >= start]
    if not days:
        return []
    lengths = scheduling.slot_lengths_from_settings(clinic_settings(session))
    minutes = scheduling.slot_length(appointment.kind.value, lengths)
    first = day_start(min(days), zone)
    last = open_through(max(days), zone)
    booked = [
        scheduling.Interval(a.starts_at, a.ends_at)
        for a in session.exec(
            select(Appointment).where(
                Appointment.clinician_id == clinician_id,
                Appointment.status == AppointmentStatus.BOOKED,
                col(Appointment.starts_at) < last,
                col(Appointment.ends_at) > first,
            )
        )
        if a.starts_at is not None and a.ends_at is not None
    ]
    offers: list[datetime] = []
    for day in days:
        for slot in scheduling.free_slots(
            day, hours, booked, closed, minutes, zone, not_before=now
        ):
            offers.append(slot.start.astimezone(zone))
            if len(offers) >= limit:
                return sorted(offers)
    return sorted(offers)
