"""Outcomes: scored assessments and the response to a cycle.

Adverse events have their own module (``services.adverse_events``), and which
time point a score fits its own (``services.score_timepoints``); their
functions are still importable from here, where callers looked for them.
"""

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

from planner import comparison
from planner import scoring
from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import CycleResponse
from planner.models import Instrument
from planner.models import SessionKind
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.services.adverse_events import add_adverse_event as add_adverse_event
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.audited_rows import add_audited
from planner.services.followup import resuggest_retreatment
from planner.services.locking import update_if_version
from planner.services.patients import get_patient
from planner.services.score_timepoints import check_timepoint as check_timepoint
from planner.services.score_timepoints import full_treatments
from planner.services.score_timepoints import suggest_timepoint as suggest_timepoint
from planner.validation import blank_as_none
from planner.validation import parse_input
from planner.vocabulary import PATIENT_ANSWERED

MAX_ID = 2**31 - 1


def record_assessment(
    session: Session,
    actor: Actor,
    patient_id: int,
    instrument: str,
    raw_items: Any,
    *,
    timepoint: str | None,
    zone: ZoneInfo,
    self_entered: bool = False,
    now: datetime | None = None,
) -> Assessment:
    """Score and store one completed instrument; the raw answers are kept too.

    It is filed by its time point (``comparison.file_under``): a pre-treatment
    score under the treatment it precedes, even one still being charted, so
    a score taken before the signing belongs to that cycle; any other under
    the latest full treatment given before now (a wear-off on the morning of
    the next treatment is the ending cycle's). A missing time point is
    the suggested one (``suggest_timepoint``); one that does not fit the day
    is refused (``check_timepoint``), on every path.
    """
    now = now or utc_now()
    get_patient(session, patient_id)
    try:
        code = Instrument(instrument)
    except ValueError:
        raise InvalidInput(
            "Unknown instrument.", fields={"instrument": "is not a known instrument"}
        ) from None
    day = local_day(now, zone)
    try:
        point = Timepoint(
            timepoint
            or suggest_timepoint(session, patient_id, day=day, zone=zone, now=now)
        )
    except ValueError:
        raise InvalidInput(
            "Unknown time point.", fields={"timepoint": "is not a known time point"}
        ) from None
    if not isinstance(raw_items, dict):
        raise InvalidInput(
            "Answers are missing.", fields={"items": "must be an object"}
        )
    if self_entered and code not in PATIENT_ANSWERED:
        raise InvalidInput(
            "A clinician grades this instrument.",
            fields={"self_entered": f"{code.value} is graded by a clinician"},
        )
    try:
        items = scoring.validate_items(code.value, raw_items)
        result = scoring.score_items(code.value, items)
    except scoring.ScoringError as exc:
        raise InvalidInput(
            "Some answers need correcting.", fields=dict(exc.fields)
        ) from None
    check_timepoint(session, patient_id, point.value, zone=zone, now=now)
    filed = comparison.file_under(
        day, point.value, full_treatments(session, patient_id, zone), at=now
    )
    assert actor.user_id is not None
    assessment = add_assessment(
        session,
        actor,
        patient_id=patient_id,
        cycle_session_id=None if filed is None else filed.session_id,
        instrument=code,
        timepoint=point,
        items=items,
        result=result,
        now=now,
        self_entered=self_entered,
        entered_by_id=actor.user_id,
    )
    session.commit()
    return assessment


def add_assessment(
    session: Session,
    actor: Actor,
    *,
    patient_id: int,
    cycle_session_id: int | None,
    instrument: Instrument,
    timepoint: Timepoint,
    items: dict[str, Any],
    result: scoring.ScoreResult,
    now: datetime,
    self_entered: bool,
    entered_by_id: int,
    source: str | None = None,
) -> Assessment:
    """Add a scored assessment and its audit event; the caller commits.

    ``source`` goes into the audit event where the answers came from outside
    the clinic (the patient's diary).
    """
    assessment = Assessment(
        patient_id=patient_id,
        session_id=cycle_session_id,
        instrument=instrument,
        timepoint=timepoint,
        assessed_at=now,
        items=items,
        scores=dict(result.scores),
        total=result.total,
        formula_version=result.formula_version,
        self_entered=self_entered,
        entered_by_id=entered_by_id,
    )
    session.add(assessment)
    session.flush()
    after: dict[str, Any] = {
        "instrument": instrument.value,
        "timepoint": timepoint.value,
        "total": result.total,
        "self_entered": self_entered,
    }
    if source is not None:
        after["source"] = source
    after["cycle_session_id"] = cycle_session_id
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "assessment",
        assessment.id,
        patient_id=patient_id,
        after=after,
    )
    return assessment


# The clinician's words for ``comparison.time_course_problem``.
TIME_COURSE_WORDS = {
    "peak_before_onset": "cannot come before the onset",
    "wear_off_too_early": (
        "must be later than day 3: the toxin takes 2-3 days to act (clinical "
        "reference §3 [S20] [S36] [S37]); enter 0 for no effect at all"
    ),
    "wear_off_before_onset": "cannot come before the onset",
    "wear_off_before_peak": "cannot come before the peak",
}


class ResponseIn(BaseModel):
    """How a cycle worked, as the patient and clinician report it."""

    model_config = ConfigDict(extra="ignore")

    version: int | None = Field(default=None, ge=1, le=MAX_ID - 1)
    onset_days: float | None = Field(default=None, ge=0, le=60)
    peak_days: float | None = Field(default=None, ge=0, le=120)
    wear_off_weeks: float | None = Field(default=None, ge=0, le=52)
    patient_rating: int | None = Field(default=None, ge=0, le=10)
    notes: str | None = Field(default=None, max_length=2000)

    _blank_is_none = field_validator(
        "version",
        "onset_days",
        "peak_days",
        "wear_off_weeks",
        "patient_rating",
        "notes",
        mode="before",
    )(blank_as_none)

    @model_validator(mode="after")
    def _in_order(self) -> "ResponseIn":
        # The diary's rule too (comparison.time_course_problem).
        problem = comparison.time_course_problem(
            self.onset_days, self.peak_days, self.wear_off_weeks
        )
        if problem is not None:
            field = comparison.PROBLEM_FIELDS[problem]
            raise ValueError(f"{field}: {TIME_COURSE_WORDS[problem]}")
        return self


def record_response(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> CycleResponse:
    """Save (or update, against its version) the response to a treatment's cycle.

    A changed wear-off re-suggests the cycle's proposed re-treatment day, as
    the same wear-off from the patient's diary does
    (``followup.resuggest_retreatment``).
    """
    request: ResponseIn = parse_input(ResponseIn, data)
    now = now or utc_now()
    record = session.get(TreatmentSession, session_id)
    if record is None or record.kind != SessionKind.FULL:
        raise NotFound("A response belongs to a full treatment session.")
    existing = session.exec(
        select(CycleResponse).where(CycleResponse.session_id == session_id)
    ).first()
    # Saving the form confirms every value, the patient's diary entries too.
    values = {**request.model_dump(exclude={"version"}), "patient_fields": None}
    if existing is None:
        assert actor.user_id is not None
        response = CycleResponse(
            session_id=session_id,
            recorded_by_id=actor.user_id,
            recorded_at=now,
            **values,
        )
        add_audited(
            session, actor, response, "cycle_response", patient_id=record.patient_id
        )
        if response.wear_off_weeks is not None:
            resuggest_retreatment(session, actor, record, zone=zone)
        session.commit()
        return response
    if request.version is None:
        raise InvalidInput(
            "This response was recorded before; reload to edit it.",
            fields={"version": "is required to change a recorded response"},
        )
    before = snapshot(existing)
    update_if_version(
        session,
        CycleResponse,
        (col(CycleResponse.id), existing.id),
        request.version,
        {**values, "recorded_at": now},
        stale_message="Someone changed this response; reload to see it.",
    )
    updated = session.get(CycleResponse, existing.id, populate_existing=True)
    assert updated is not None
    old, new = changed_fields(before, snapshot(updated))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "cycle_response",
        updated.id,
        patient_id=record.patient_id,
        before=old,
        after=new,
    )
    if "wear_off_weeks" in new:
        resuggest_retreatment(session, actor, record, zone=zone)
    session.commit()
    return updated


def response_for(session: Session, session_id: int) -> CycleResponse | None:
    return session.exec(
        select(CycleResponse).where(CycleResponse.session_id == session_id)
    ).first()
