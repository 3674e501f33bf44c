"""A side effect the patient reported in the diary, recorded as an adverse event.

The clinician opens the adverse-event form from the diary entry, prefilled with
what the patient said and the day it started, on the session of that cycle it
is filed against: the latest signed one given on or before that day, so an
effect that began on or after a top-up's day is the top-up's. The event keeps
the entry's id (``AdverseEvent.diary_entry_id``, one event an entry), and the
entry counts as dealt with. Kind and severity stay the clinician's judgement: a
kind is prefilled only where the patient's words name it exactly, and severity
never is.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import day_text
from planner.clinic_time import local_day
from planner.errors import InvalidInput
from planner.models import AdverseEvent
from planner.models import AdverseEventKind
from planner.models import AuditAction
from planner.models import DiaryEntry
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.diary_forms import SIDE_EFFECT_WORDS
from planner.services.diary_forms import SideEffect

FIELD = "diary_entry_id"

# The patient's words that name an adverse-event kind exactly. Drooling and
# trouble speaking or breathing are left for the clinician to name.
KIND_OF_EFFECT = {
    SideEffect.EYELID_DROOP: AdverseEventKind.EYELID_DROOP,
    SideEffect.EYE_NOT_CLOSING: AdverseEventKind.INCOMPLETE_EYE_CLOSURE,
    SideEffect.DIFFICULTY_SWALLOWING: AdverseEventKind.DIFFICULTY_SWALLOWING,
}


@dataclass(frozen=True)
class DiaryEventPrefill:
    """The adverse-event form's values from one diary side effect.

    ``data`` holds the form's fields as text; ``words`` what the patient said,
    ``entered_on`` the clinic day they said it, and ``filed_against`` the
    session ``session_id`` in words ("the Dysport top-up of 5 Mar 2026").
    """

    entry_id: int
    session_id: int
    data: dict[str, str]
    words: str
    entered_on: date
    filed_against: str


@dataclass(frozen=True)
class DiaryOffer:
    """A diary side effect not yet recorded, offered on the session it is filed
    against, with the day the patient says it began."""

    entry_id: int
    words: str
    onset: date


def patient_words(entry: DiaryEntry) -> str:
    """Return the side effects as the patient put them: "My eyelid droops"."""
    codes = [SideEffect(code) for code in entry.answers["effects"]]
    words = [SIDE_EFFECT_WORDS[code] for code in codes if code != SideEffect.OTHER]
    if entry.answers.get("other"):
        words.append(f"\u201c{entry.answers['other']}\u201d")
    return "; ".join(words)


def _refuse(entry_id: int | None, reason: str) -> InvalidInput:
    """Name the field and why: the reason reads after "Diary entry"."""
    return InvalidInput(
        f"Diary entry {entry_id} cannot be recorded as an adverse event.",
        fields={FIELD: reason},
    )


def onset_day(entry: DiaryEntry) -> date:
    """Return the day the patient says the side effect began."""
    return date.fromisoformat(str(entry.answers["day"]))


def cycle_sessions(session: Session, cycle_id: int) -> list[TreatmentSession]:
    """Return the signed sessions of a cycle (its full treatment and top-ups),
    earliest first."""
    return list(
        session.exec(
            select(TreatmentSession)
            .where(
                (col(TreatmentSession.id) == cycle_id)
                | (col(TreatmentSession.cycle_session_id) == cycle_id),
                TreatmentSession.status == SessionStatus.SIGNED,
            )
            .order_by(col(TreatmentSession.performed_at), col(TreatmentSession.id))
        )
    )


def given_by(
    sessions: list[TreatmentSession], onset: date, *, zone: ZoneInfo
) -> TreatmentSession | None:
    """Return the latest of a cycle's ``sessions`` given on or before ``onset``
    (clinic days): a top-up from its own day on, else the full treatment."""
    given = [s for s in sessions if local_day(s.performed_at, zone) <= onset]
    return given[-1] if given else None


def session_words(session: Session, record: TreatmentSession, zone: ZoneInfo) -> str:
    """Name a session for the form: "the Dysport top-up of 5 Mar 2026"."""
    product = session.get(Product, record.product_id)
    kind = "top-up" if record.kind == SessionKind.TOP_UP else "full treatment"
    brand = f"{product.brand} " if product is not None else ""
    return f"the {brand}{kind} of {day_text(local_day(record.performed_at, zone))}"


def diary_side_effect(
    session: Session, entry_id: int, *, zone: ZoneInfo, onset: date | None = None
) -> tuple[DiaryEntry, TreatmentSession]:
    """Return a side effect not yet recorded as an event, and the session of its
    cycle it is filed against (``given_by`` its onset: ``onset`` when the
    clinician has corrected the day the patient gave, else the patient's).

    :raises InvalidInput: naming ``diary_entry_id``, for no such entry, an
        entry that is no side effect, one whose cycle's signed treatment cannot
        be found, or one already recorded.
    """
    entry = session.get(DiaryEntry, entry_id)
    if entry is None:
        raise _refuse(entry_id, "does not exist")
    if entry.kind != "side_effect":
        raise _refuse(entry_id, "is not a side effect the patient reported")
    treatment = session.get(TreatmentSession, entry.session_id)
    if treatment is None or treatment.status != SessionStatus.SIGNED:
        raise _refuse(
            entry_id, "has no signed treatment of its cycle to record the event on"
        )
    recorded = session.exec(
        select(AdverseEvent).where(AdverseEvent.diary_entry_id == entry_id)
    ).first()
    if recorded is not None:
        raise _refuse(
            entry_id,
            "is already recorded as an adverse event on "
            f"{day_text(local_day(recorded.recorded_at, zone))}",
        )
    cycle_id = treatment.cycle_session_id or entry.session_id
    sessions = cycle_sessions(session, cycle_id)
    began = onset or onset_day(entry)
    return entry, given_by(sessions, began, zone=zone) or treatment


def prefill_from_diary(
    session: Session, entry_id: int, *, zone: ZoneInfo, onset: date | None = None
) -> DiaryEventPrefill:
    """Fill the adverse-event form from a diary side effect, on the session its
    onset files it against: ``onset`` when the clinician corrected the day.

    :raises InvalidInput: as ``diary_side_effect``.
    """
    entry, treatment = diary_side_effect(session, entry_id, zone=zone, onset=onset)
    assert treatment.id is not None
    codes = [SideEffect(code) for code in entry.answers["effects"]]
    kinds = {KIND_OF_EFFECT.get(code) for code in codes}
    kind = kinds.pop() if len(kinds) == 1 else None
    words = patient_words(entry)
    return DiaryEventPrefill(
        entry_id=entry_id,
        session_id=treatment.id,
        data={
            FIELD: str(entry_id),
            "kind": "" if kind is None else kind.value,
            "onset_date": str(onset or entry.answers["day"]),
            "description": f"Patient reported in the diary: {words}",
        },
        words=words,
        entered_on=local_day(entry.entered_at, zone),
        filed_against=session_words(session, treatment, zone),
    )


def check_filed_against(
    session: Session,
    entry: DiaryEntry,
    filed: TreatmentSession,
    record: TreatmentSession,
    *,
    zone: ZoneInfo,
    onset: date | None = None,
) -> None:
    """Refuse to file a diary side effect against another session than the one
    its onset gives (``filed``): another cycle's, or the full treatment when it
    began on or after a top-up's day (and the top-up when it began before).
    ``onset`` is the day on the form, when the clinician corrected the patient's.

    :raises InvalidInput: naming ``diary_entry_id``.
    """
    if record.id == filed.id:
        return
    if entry.session_id not in (record.id, record.cycle_session_id):
        raise _refuse(
            entry.id,
            "is from another cycle than this treatment's "
            f"(cycle {record.cycle_number})",
        )
    raise _refuse(
        entry.id,
        f"began on {day_text(onset or onset_day(entry))}, so it is filed against "
        f"{session_words(session, filed, zone)}, not this session",
    )


def diary_offers(
    session: Session, record: TreatmentSession, *, zone: ZoneInfo
) -> list[DiaryOffer]:
    """Return the cycle's diary side effects not yet recorded whose onset files
    them against ``record``, earliest onset first."""
    cycle_id = record.cycle_session_id or record.id
    if cycle_id is None or record.status != SessionStatus.SIGNED:
        return []
    entries = session.exec(
        select(DiaryEntry)
        .where(DiaryEntry.session_id == cycle_id, DiaryEntry.kind == "side_effect")
        .order_by(col(DiaryEntry.entered_at), col(DiaryEntry.id))
    ).all()
    recorded = events_from_diary(session, (e.id for e in entries if e.id))
    sessions = cycle_sessions(session, cycle_id)
    offers = [
        DiaryOffer(entry.id, patient_words(entry), onset_day(entry))
        for entry in entries
        if entry.id is not None
        and entry.id not in recorded
        and (given := given_by(sessions, onset_day(entry), zone=zone)) is not None
        and given.id == record.id
    ]
    return sorted(offers, key=lambda offer: offer.onset)


def link_diary_entry(
    session: Session,
    actor: Actor,
    entry: DiaryEntry,
    event: AdverseEvent,
    *,
    now: datetime,
) -> None:
    """Audit the entry as recorded by ``event``, and dealt with; the caller commits."""
    after: dict[str, Any] = {"adverse_event_id": event.id}
    if entry.handled_at is None:
        entry.handled_at = now
        entry.handled_by_id = actor.user_id
        session.add(entry)
        after["handled_at"] = now.isoformat()
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "diary_entry",
        entry.id,
        patient_id=entry.patient_id,
        after=after,
    )


def events_from_diary(
    session: Session, entry_ids: Iterable[int]
) -> dict[int, AdverseEvent]:
    """Return the adverse event recorded from each of these diary entries."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(AdverseEvent).where(col(AdverseEvent.diary_entry_id).in_(ids))
    ).all()
    return {row.diary_entry_id: row for row in rows if row.diary_entry_id is not None}


def reported_days(
    session: Session, events: Iterable[AdverseEvent], *, zone: ZoneInfo
) -> dict[int, date]:
    """Return, by event id, the clinic day the patient reported it in the diary."""
    entry_of = {
        e.diary_entry_id: e.id for e in events if e.diary_entry_id and e.id is not None
    }
    if not entry_of:
        return {}
    rows = session.exec(
        select(DiaryEntry.id, DiaryEntry.entered_at).where(
            col(DiaryEntry.id).in_(list(entry_of))
        )
    ).all()
    return {
        event_id: local_day(entered_at, zone)
        for entry_id, entered_at in rows
        if entry_id is not None and (event_id := entry_of.get(entry_id)) is not None
    }


def prefill_or_none(
    session: Session, entry_id: str | None, *, zone: ZoneInfo, onset: str = ""
) -> DiaryEventPrefill | None:
    """Return the prefill of a posted ``diary_entry_id``, or None if it has none.

    For the form shown again after a refusal: the refusal itself names the field.
    A posted ``onset`` (the form's corrected day, if a date) files it as the
    service would, so the page can point to the session that takes it.
    """
    if not entry_id or not entry_id.isdigit():
        return None
    try:
        day = date.fromisoformat(onset) if len(onset) == 10 else None
    except ValueError:
        day = None
    try:
        return prefill_from_diary(session, int(entry_id), zone=zone, onset=day)
    except InvalidInput:
        return None
