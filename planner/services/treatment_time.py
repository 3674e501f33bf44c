"""The treatment time of a draft, entered by the injector: the moment checks run at.

Until the injector enters it, a draft started today is taken as given now (see
``services.safety.treatment_time``). Once entered it is kept: every check is
evaluated at it and signing records it. The form gives the clinic's wall-clock
time; it is stored in UTC.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from planner.clinic_time import wall_clock_gap
from planner.db_types import utc_now
from planner.dosing.records import format_day
from planner.errors import InvalidInput
from planner.errors import SignedSession
from planner.models import AuditAction
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.sessions import MAX_VERSION
from planner.services.sessions import claim_version
from planner.services.sessions import get_session_record
from planner.validation import parse_input

# A tablet's clock may run a little ahead of the server's; beyond this the time
# entered is in the future, which no record of a treatment can be.
MAX_AHEAD = timedelta(minutes=5)
# A draft charted from a paper note may be entered days later, but a time over a
# year back is a typing slip (a wrong year), not a treatment still being charted.
MAX_BEHIND = timedelta(days=366)


# Properties to receive on entering a draft's treatment time
class TreatmentTimeIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=1, le=MAX_VERSION)
    # The clinic's wall-clock time ("2026-12-05T09:30"), or an aware moment.
    performed_at: datetime


def _as_clinic_time(entered: datetime, zone: ZoneInfo) -> datetime:
    """Read a wall-clock time on the clinic's clock; refuse one the clock skipped."""
    try:
        if entered.tzinfo is not None:
            return entered.astimezone(UTC)
        moment = entered.replace(tzinfo=zone)
        # A repeated hour is read as its first time, as a clock on the wall reads.
        skipped = wall_clock_gap(entered, zone) == "skipped"
    except OverflowError:
        # Year 1 or 9999 shifted by the zone's offset leaves the calendar.
        raise InvalidInput(
            "The treatment time is not valid.",
            fields={"performed_at": "must be a time within the last year"},
        ) from None
    if skipped:
        raise InvalidInput(
            "That time did not exist on the clinic's clock.",
            fields={
                "performed_at": "falls in the hour the clocks went forward: "
                "enter the time the clinic's clocks showed"
            },
        )
    return moment.astimezone(UTC)


def _last_signed(session: Session, record: TreatmentSession) -> datetime | None:
    """Return when the patient's latest other signed treatment was given."""
    latest: datetime | None = session.exec(
        select(func.max(TreatmentSession.performed_at)).where(
            TreatmentSession.patient_id == record.patient_id,
            TreatmentSession.status == SessionStatus.SIGNED,
            TreatmentSession.id != record.id,
        )
    ).one()
    return latest


def _wall_clock(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{format_day(local.date())}, {local:%H:%M}"


def set_treatment_time(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> int:
    """Enter a draft's treatment time; return the chart's new version.

    :raises InvalidInput: naming ``performed_at`` for a time in the future (beyond
        a few minutes of clock drift), before the patient's previous signed
        treatment, or skipped by the clocks going forward; or ``version``.
    :raises Conflict: for a signed session. :raises StaleWrite: for a stale version.
    """
    # A signed session's time is fixed: say so before judging what was typed, as
    # its page has no time field to show an error beside.
    record = get_session_record(session, session_id)
    if record.status == SessionStatus.SIGNED:
        raise SignedSession(
            "This session is signed and its treatment time can no longer be "
            "changed; corrections are made by amendment."
        )
    request = parse_input(TreatmentTimeIn, data, "The treatment time is not valid.")
    now = now or utc_now()
    moment = _as_clinic_time(request.performed_at, zone)
    if moment > now + MAX_AHEAD:
        raise InvalidInput(
            "The treatment time is in the future.",
            fields={
                "performed_at": "must not be in the future (it is now "
                f"{_wall_clock(now, zone)})"
            },
        )
    if moment < now - MAX_BEHIND:
        raise InvalidInput(
            "The treatment time is more than a year ago.",
            fields={
                "performed_at": "must be within the last year (it is now "
                f"{_wall_clock(now, zone)}): check the year"
            },
        )
    previous = _last_signed(session, record)
    if previous is not None and moment < previous:
        raise InvalidInput(
            "The treatment time is before the patient's previous treatment.",
            fields={
                "performed_at": "must not be before the patient's previous signed "
                f"treatment ({_wall_clock(previous, zone)})"
            },
        )
    before = {
        "performed_at": record.performed_at.isoformat(),
        "performed_at_confirmed": record.performed_at_confirmed,
    }
    version, patient_id = claim_version(session, session_id, request.version, now=now)
    session.refresh(record)
    record.performed_at = moment
    record.performed_at_confirmed = True
    session.add(record)
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "treatment_session",
        session_id,
        patient_id=patient_id,
        before=before,
        after={"performed_at": moment.isoformat(), "performed_at_confirmed": True},
    )
    session.commit()
    return version
