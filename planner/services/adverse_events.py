"""Adverse events: what a treatment may have caused, from onset to resolution."""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import BEFORE_TREATMENT
from planner.clinic_time import FUTURE
from planner.clinic_time import cycle_day_problem
from planner.clinic_time import day_text
from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import AdverseEvent
from planner.models import AdverseEventKind
from planner.models import Severity
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audited_rows import add_audited
from planner.services.diary_adverse import check_filed_against
from planner.services.diary_adverse import diary_side_effect
from planner.services.diary_adverse import link_diary_entry
from planner.services.lookup import get_or_raise
from planner.validation import blank_as_none
from planner.validation import parse_input


class AdverseEventIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: AdverseEventKind
    severity: Severity
    description: str | None = Field(default=None, max_length=1000)
    onset_date: date | None = None
    resolved_date: date | None = None
    # The patient's diary side effect the event is recorded from, if any.
    diary_entry_id: int | None = Field(default=None, ge=1)

    _blank_is_none = field_validator(
        "description", "onset_date", "resolved_date", "diary_entry_id", mode="before"
    )(blank_as_none)

    @model_validator(mode="after")
    def _consistent(self) -> "AdverseEventIn":
        if self.kind == AdverseEventKind.OTHER and not self.description:
            raise ValueError("description: say what happened")
        if (
            self.onset_date
            and self.resolved_date
            and self.resolved_date < self.onset_date
        ):
            raise ValueError("resolved_date: cannot be before the onset")
        return self


def _check_event_days(
    request: AdverseEventIn, *, treated_on: date, today: date
) -> None:
    """Refuse a day the treatment cannot have caused: the diary's rule, too."""
    for name, value in (
        ("onset_date", request.onset_date),
        ("resolved_date", request.resolved_date),
    ):
        if value is None:
            continue
        problem = cycle_day_problem(value, treated_on=treated_on, today=today)
        if problem == FUTURE:
            raise InvalidInput(
                "A date is in the future.", fields={name: "cannot be in the future"}
            )
        if problem == BEFORE_TREATMENT:
            raise InvalidInput(
                "A date is before the treatment.",
                fields={
                    name: "cannot be before the treatment, given on "
                    f"{day_text(treated_on)} (clinic day)"
                },
            )


def add_adverse_event(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    today: date,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event against the treatment that may have caused it.

    Its days fall between the treatment's clinic day and today, as in the
    patient's diary (``clinic_time.cycle_day_problem``). Recorded from a diary
    side effect (``diary_entry_id``), it must be filed against the session of
    that entry's cycle its onset gives (the latest signed one given on or before
    it), and the entry is then dealt with (``diary_adverse``).
    """
    request: AdverseEventIn = parse_input(AdverseEventIn, data)
    record = get_or_raise(
        session,
        TreatmentSession,
        session_id,
        f"There is no treatment session {session_id}.",
    )
    entry = None
    if request.diary_entry_id is not None:
        # The day on the form stands: the clinician may correct the patient's.
        onset = request.onset_date
        entry, filed = diary_side_effect(
            session, request.diary_entry_id, zone=zone, onset=onset
        )
        check_filed_against(session, entry, filed, record, zone=zone, onset=onset)
    _check_event_days(
        request, treated_on=local_day(record.performed_at, zone), today=today
    )
    assert actor.user_id is not None
    moment = now or utc_now()
    event = AdverseEvent(
        session_id=session_id,
        recorded_by_id=actor.user_id,
        recorded_at=moment,
        **request.model_dump(),
    )
    add_audited(session, actor, event, "adverse_event", patient_id=record.patient_id)
    if entry is not None:
        link_diary_entry(session, actor, entry, event, now=moment)
    session.commit()
    return event


def events_for(session: Session, session_id: int) -> list[AdverseEvent]:
    return list(
        session.exec(
            select(AdverseEvent)
            .where(AdverseEvent.session_id == session_id)
            .order_by(col(AdverseEvent.recorded_at))
        )
    )
