"""What happened after each cycle: the clinic's adverse events and the side
effects the patient reported in the diary, read for the comparison's records.

An event recorded from a diary entry names that entry, and the entry then says
it was recorded; each stays what it is: the clinic's event, the patient's words.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.models import AdverseEvent
from planner.models import DiaryEntry
from planner.services.diary_adverse import events_from_diary
from planner.services.diary_adverse import reported_days
from planner.services.diary_forms import SIDE_EFFECT_WORDS
from planner.services.diary_forms import SideEffect
from planner.vocabulary import LABELS

if TYPE_CHECKING:
    from planner.services.cycle_records import OtherTopUp


@dataclass(frozen=True)
class EventRecord:
    """An adverse event (``row``) in its cycle, with its kind in words.

    ``other_top_up``: the event was filed against a top-up given in another
    product than its cycle's, which the event's wording then names.
    ``reported_on``: recorded from the patient's diary, the clinic day they
    reported it there (``row.diary_entry_id`` names the entry).
    """

    cycle: int
    kind: str
    row: AdverseEvent
    other_top_up: "OtherTopUp | None" = None
    reported_on: date | None = None

    @property
    def severity(self) -> str:
        """Return the stored severity code ("mild", ...)."""
        return self.row.severity.value


@dataclass(frozen=True)
class DiarySideEffect:
    """A side effect the patient reported in a cycle's diary, in their words.

    ``since`` is the day they gave; ``handled_on`` the clinic day it was marked
    dealt with (called, booked) from the worklist, None until then;
    ``recorded_on`` the clinic day the clinic recorded it as an adverse event
    (which then names this entry), None if it has not. It is shown as the
    patient's report, beside the clinic's events, never as one of them.
    """

    cycle: int
    since: date
    words: str
    urgent: bool
    handled_on: date | None
    recorded_on: date | None = None


def read_events(
    session: Session,
    owner: dict[int, int],
    other_sessions: "dict[int, OtherTopUp]",
    zone: ZoneInfo,
) -> list[EventRecord]:
    """Read the adverse events filed against the cycles' sessions, oldest first."""
    rows = session.exec(
        select(AdverseEvent)
        .where(col(AdverseEvent.session_id).in_(list(owner)))
        .order_by(col(AdverseEvent.onset_date), col(AdverseEvent.id))
    ).all()
    kinds = LABELS["adverse_event"]
    reported = reported_days(session, rows, zone=zone)
    return [
        EventRecord(
            cycle=owner[row.session_id],
            kind=kinds.get(row.kind.value, row.kind.value.replace("_", " ")),
            row=row,
            other_top_up=other_sessions.get(row.session_id),
            reported_on=reported.get(row.id or 0),
        )
        for row in rows
    ]


def read_diary_effects(
    session: Session, owner: dict[int, int], zone: ZoneInfo
) -> list[DiarySideEffect]:
    """Read the side effects the patient reported in the cycles' diaries."""
    rows = session.exec(
        select(DiaryEntry)
        .where(
            col(DiaryEntry.session_id).in_(list(owner)),
            DiaryEntry.kind == "side_effect",
        )
        .order_by(col(DiaryEntry.day), col(DiaryEntry.id))
    ).all()
    recorded = events_from_diary(session, (r.id for r in rows if r.id is not None))
    found = []
    for row in rows:
        event = recorded.get(row.id or 0)
        words = [SIDE_EFFECT_WORDS[SideEffect(code)] for code in row.answers["effects"]]
        if row.answers.get("other"):
            words = [w for w in words if w != SIDE_EFFECT_WORDS[SideEffect.OTHER]]
            words.append(f"\u201c{row.answers['other']}\u201d")
        found.append(
            DiarySideEffect(
                cycle=owner[row.session_id],
                since=date.fromisoformat(row.answers["day"]),
                words="; ".join(words),
                urgent=row.urgent,
                handled_on=local_day(row.handled_at, zone)
                if row.handled_at is not None
                else None,
                recorded_on=None
                if event is None
                else local_day(event.recorded_at, zone),
            )
        )
    return found
