"""What the patient records through the diary link, stored as patient-entered.

Each entry is a ``DiaryEntry`` on the cycle, with its time point; the SAQ is an
``Assessment`` too (self-entered, the cycle's, at the review or wear-off time
point), and the onset and wear-off days fill the cycle's ``CycleResponse`` where
the clinic has not recorded its own value (``patient_fields`` says which came
from the patient). A wear-off day then moves the cycle's proposed re-treatment
day by the personalised rule (``scheduling.suggest_retreatment``). Every write is
audited with the diary link as its actor and ``source: patient_diary``.
"""

from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select

from planner import comparison
from planner import scoring
from planner.clinic_time import BEFORE_TREATMENT
from planner.clinic_time import FUTURE
from planner.clinic_time import cycle_day_problem
from planner.clinic_time import today_start
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import CycleResponse
from planner.models import DiaryEntry
from planner.models import DiaryLink
from planner.models import Instrument
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import json_safe
from planner.services.audit import record_event
from planner.services.diary_forms import SAQ_WHEN_TIMEPOINTS
from planner.services.diary_forms import DayIn
from planner.services.diary_forms import SaqTiming
from planner.services.diary_forms import SaqWhenIn
from planner.services.diary_forms import SideEffectIn
from planner.services.diary_forms import WeeklyIn
from planner.services.diary_forms import cycle_timepoint
from planner.services.diary_forms import saq_timing
from planner.services.diary_forms import saq_when
from planner.services.diary_forms import time_course_words
from planner.services.diary_links import OpenDiary
from planner.services.diary_links import diary_actor
from planner.services.followup import resuggest_retreatment
from planner.services.outcomes import add_assessment
from planner.services.score_timepoints import cycle_follow_up
from planner.validation import parse_input

SOURCE = "patient_diary"
# A diary is a few entries a week; far more in a day is a script, not a patient.
MAX_ENTRIES_PER_DAY = 40
# The refusal, on the diary's "form" (the whole page): the reason, and that
# nothing the patient sent before is lost.
VOLUME_WORDS = (
    f"you have sent {MAX_ENTRIES_PER_DAY} entries today, the most we take in one"
    " day. Your earlier entries are saved; please send this one tomorrow."
)
MAX_ONSET_DAYS = 60  # CycleResponse.onset_days' range
MAX_WEAR_OFF_WEEKS = 52


# The patient's words for ``clinic_time.cycle_day_problem``.
DAY_PROBLEMS = {
    FUTURE: "cannot be in the future",
    BEFORE_TREATMENT: "cannot be before your injections",
}


def _check_day(diary: OpenDiary, day: date) -> None:
    problem = cycle_day_problem(day, treated_on=diary.treated_on, today=diary.today)
    if problem is not None:
        raise InvalidInput("Check the date.", fields={"day": DAY_PROBLEMS[problem]})


def _check_volume(session: Session, diary: OpenDiary, now: datetime) -> None:
    """Refuse an entry past the day's limit, the day being the clinic's.

    Counted from the clinic's midnight, so a busy evening does not refuse the
    next morning, and "tomorrow" in the refusal is the clinic's next day.
    """
    today = session.exec(
        select(func.count()).where(
            DiaryEntry.link_id == diary.link_id,
            col(DiaryEntry.entered_at) >= today_start(diary.zone, now),
        )
    ).one()
    if today >= MAX_ENTRIES_PER_DAY:
        raise InvalidInput(
            "You have sent a lot today. Please try again tomorrow.",
            fields={"form": VOLUME_WORDS},
        )


def _store(
    session: Session,
    diary: OpenDiary,
    actor: Actor,
    *,
    kind: str,
    day: date,
    answers: dict[str, Any],
    now: datetime,
    needs_call: bool = False,
    urgent: bool = False,
    assessment_id: int | None = None,
) -> DiaryEntry:
    entry = DiaryEntry(
        link_id=diary.link_id,
        session_id=diary.session_id,
        patient_id=diary.patient_id,
        kind=kind,
        timepoint=cycle_timepoint((day - diary.treated_on).days),
        day=day,
        answers=json_safe(answers),
        needs_call=needs_call,
        urgent=urgent,
        assessment_id=assessment_id,
        entered_at=now,
    )
    session.add(entry)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "diary_entry",
        entry.id,
        patient_id=diary.patient_id,
        after={
            "source": SOURCE,
            "kind": kind,
            "timepoint": entry.timepoint,
            "day": day.isoformat(),
            "answers": entry.answers,
            "urgent": urgent,
            "cycle_session_id": diary.session_id,
        },
    )
    return entry


def _chosen_day(diary: OpenDiary, data: Any) -> date:
    """Read the one day the patient chose (onset, wear-off), in the cycle."""
    request: DayIn = parse_input(DayIn, data, "Please choose a date.")
    _check_day(diary, request.day)
    return request.day


def _store_day(
    session: Session,
    diary: OpenDiary,
    day: date,
    *,
    kind: str,
    client: str | None,
    now: datetime,
    needs_call: bool = False,
) -> tuple[DiaryEntry, Actor]:
    """Store the day the patient chose as a diary entry."""
    _check_volume(session, diary, now)
    actor = diary_actor(diary.link_id, client)
    entry = _store(
        session,
        diary,
        actor,
        kind=kind,
        day=day,
        answers={"day": day},
        now=now,
        needs_call=needs_call,
    )
    return entry, actor


def _response(session: Session, diary: OpenDiary) -> CycleResponse | None:
    return session.exec(
        select(CycleResponse).where(CycleResponse.session_id == diary.session_id)
    ).first()


def _fits(session: Session, diary: OpenDiary, field: str, value: float) -> bool:
    """Say whether the patient's value goes into the cycle's response.

    Not where the clinic recorded its own (it stands). Refused, in the
    patient's words, when it would put the time course out of order: the
    clinic form's rule (``comparison.time_course_problem``).
    """
    existing = _response(session, diary)
    values: dict[str, float | None] = {
        name: None if existing is None else getattr(existing, name)
        for name in ("onset_days", "peak_days", "wear_off_weeks")
    }
    if (
        existing is not None
        and values[field] is not None
        and field not in (existing.patient_fields or [])
    ):
        return False  # the clinic recorded its own value: it stands
    values[field] = value
    problem = comparison.time_course_problem(
        values["onset_days"], values["peak_days"], values["wear_off_weeks"]
    )
    if problem is not None:
        words = time_course_words(
            problem, sent=field, treated_on=diary.treated_on, **values
        )
        raise InvalidInput("Check the date.", fields={"day": words})
    return True


def _issuer(session: Session, diary: OpenDiary) -> int:
    link = session.get(DiaryLink, diary.link_id)
    assert link is not None
    return link.issued_by_id


def _fill_response(
    session: Session,
    diary: OpenDiary,
    actor: Actor,
    field: str,
    value: float,
    now: datetime,
) -> bool:
    """Put a patient's value into the cycle's response unless the clinic's stands."""
    existing = _response(session, diary)
    if existing is None:
        # recorded_by is the clinician who issued the link: the table needs a
        # user; patient_fields and the trail say the patient entered it.
        response = CycleResponse(
            session_id=diary.session_id,
            recorded_by_id=_issuer(session, diary),
            recorded_at=now,
            patient_fields=[field],
        )
        setattr(response, field, value)
        session.add(response)
        session.flush()
        action, before = AuditAction.CREATE, None
    else:
        patient_fields = list(existing.patient_fields or [])
        if getattr(existing, field) is not None and field not in patient_fields:
            return False  # the clinic recorded its own value: it stands
        before = {field: getattr(existing, field)}
        setattr(existing, field, value)
        existing.patient_fields = sorted({*patient_fields, field})
        existing.recorded_at = now
        existing.version += 1
        session.add(existing)
        response = existing
        action = AuditAction.UPDATE
    record_event(
        session,
        actor,
        action,
        "cycle_response",
        response.id,
        patient_id=diary.patient_id,
        before=before,
        after={field: value, "source": SOURCE},
    )
    return True


def record_onset(
    session: Session, diary: OpenDiary, data: Any, *, client: str | None, now: datetime
) -> DiaryEntry:
    """Record the day the patient first noticed the injections working."""
    day = _chosen_day(diary, data)
    days = (day - diary.treated_on).days
    fills = days <= MAX_ONSET_DAYS and _fits(session, diary, "onset_days", float(days))
    entry, actor = _store_day(session, diary, day, kind="onset", client=client, now=now)
    if fills:
        _fill_response(session, diary, actor, "onset_days", float(days), now)
    session.commit()
    return entry


def record_side_effect(
    session: Session, diary: OpenDiary, data: Any, *, client: str | None, now: datetime
) -> DiaryEntry:
    """Record side effects; every one asks the clinic to call, some urgently."""
    try:
        request: SideEffectIn = parse_input(
            SideEffectIn, data, "Please check your answers."
        )
    except InvalidInput as exc:
        # "effects.0" and the like name the one list the page shows.
        fields = {key.split(".")[0]: text for key, text in exc.fields.items()}
        raise InvalidInput(exc.message, fields=fields) from None
    _check_day(diary, request.day)
    _check_volume(session, diary, now)
    entry = _store(
        session,
        diary,
        diary_actor(diary.link_id, client),
        kind="side_effect",
        day=request.day,
        answers={
            "effects": [effect.value for effect in request.effects],
            "other": request.other,
            "day": request.day,
        },
        now=now,
        needs_call=True,
        urgent=request.urgent,
    )
    session.commit()
    return entry


def record_weekly(
    session: Session, diary: OpenDiary, data: Any, *, client: str | None, now: datetime
) -> DiaryEntry:
    """Record the weekly check: how the face is this week."""
    request: WeeklyIn = parse_input(WeeklyIn, data, "Please choose an answer.")
    _check_volume(session, diary, now)
    entry = _store(
        session,
        diary,
        diary_actor(diary.link_id, client),
        kind="weekly",
        day=diary.today,
        answers={"face": request.face.value},
        now=now,
    )
    session.commit()
    return entry


def saq_timing_of(session: Session, diary: OpenDiary) -> SaqTiming:
    """Say which "when" answers fit today, by the cycle's follow-up days."""
    follow_up = cycle_follow_up(session, diary.session_id)
    return saq_timing(diary.treated_on, diary.today, follow_up)


def record_saq(
    session: Session,
    diary: OpenDiary,
    data: dict[str, Any],
    *,
    client: str | None,
    now: datetime,
) -> DiaryEntry:
    """Score and store the patient's SAQ as a self-entered assessment of the cycle.

    Its time point follows from the clinic day (``diary_forms.saq_when``): the
    review only in the review window; outside it, the wear-off or "other" as
    the patient says; nothing before the toxin acts (refused).
    """
    errors: dict[str, str] = {}
    when = None
    try:
        when = parse_input(SaqWhenIn, data).when
    except InvalidInput as exc:
        errors.update(exc.fields)
    answers = {key: value for key, value in data.items() if key.startswith("q")}
    try:
        items = scoring.validate_items(Instrument.SAQ.value, answers)
        result = scoring.score_items(Instrument.SAQ.value, items)
    except scoring.ScoringError as exc:
        errors.update(exc.fields)
    if errors or when is None:
        raise InvalidInput("Please answer every question.", fields=errors)
    try:
        when = saq_when(saq_timing_of(session, diary), when)
    except ValueError as exc:
        raise InvalidInput("Please check when.", fields={"when": str(exc)}) from None
    _check_volume(session, diary, now)
    actor = diary_actor(diary.link_id, client)
    timepoint = Timepoint(SAQ_WHEN_TIMEPOINTS[when])
    assessment = add_assessment(
        session,
        actor,
        patient_id=diary.patient_id,
        cycle_session_id=diary.session_id,
        instrument=Instrument.SAQ,
        timepoint=timepoint,
        items=items,
        result=result,
        now=now,
        self_entered=True,
        # The table needs a user: the clinician who issued the link; the
        # diary entry and the trail say the patient entered it.
        entered_by_id=_issuer(session, diary),
        source=SOURCE,
    )
    entry = _store(
        session,
        diary,
        actor,
        kind="saq",
        day=diary.today,
        answers={"when": when, "total": result.total},
        now=now,
        assessment_id=assessment.id,
    )
    session.commit()
    return entry


def record_wear_off(
    session: Session,
    diary: OpenDiary,
    data: Any,
    *,
    client: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> DiaryEntry:
    """Record the day the effect wore off; it may move the re-treatment day."""
    day = _chosen_day(diary, data)
    weeks = round((day - diary.treated_on).days / 7, 1)
    fills = 0 < weeks <= MAX_WEAR_OFF_WEEKS and _fits(
        session, diary, "wear_off_weeks", weeks
    )
    entry, actor = _store_day(
        session, diary, day, kind="wear_off", client=client, now=now, needs_call=True
    )
    if fills and _fill_response(session, diary, actor, "wear_off_weeks", weeks, now):
        session.flush()
        record = session.get(TreatmentSession, diary.session_id)
        assert record is not None
        resuggest_retreatment(session, actor, record, zone=zone, source=SOURCE)
    session.commit()
    return entry


def diary_entries(session: Session, diary: OpenDiary) -> list[DiaryEntry]:
    """Return what the patient has recorded in this cycle's diary, oldest first."""
    return list(
        session.exec(
            select(DiaryEntry)
            .where(DiaryEntry.link_id == diary.link_id)
            .order_by(col(DiaryEntry.entered_at), col(DiaryEntry.id))
        )
    )
