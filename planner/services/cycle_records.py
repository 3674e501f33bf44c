"""A patient's signed cycles read from the database as the comparison's records.

Each cycle is its signed full treatment with its signed top-ups in the same
product (their sites marked ``top_up``). A top-up in another product stays out
of the cycle's sites, whose units are the full treatment's product's alone; it
is kept apart (``other_top_ups``) so that the pages still show it was given.
A score belongs to the cycle it was saved against (``Assessment.session_id``,
set by its time when it was taken); one saved against no signed cycle (a
pre-treatment score taken before its treatment was charted, say) is filed by
its time point (``comparison.file_under``) among the signed full treatments.
A score taken after a top-up of its cycle, in any product, is marked so
(``comparison.after_top_up``): it never judges the full treatment's dose.
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import comparison
from planner.clinic_time import local_day
from planner.models import Assessment
from planner.models import CycleResponse
from planner.models import DiaryEntry
from planner.models import InjectionSite
from planner.models import Instrument
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.cycle_events import DiarySideEffect
from planner.services.cycle_events import EventRecord
from planner.services.cycle_events import read_diary_effects
from planner.services.cycle_events import read_events
from planner.services.score_subscales import SUBSCALES


@dataclass(frozen=True)
class OtherTopUp:
    """A top-up given in another product than its cycle's, in its own units.

    ``sites`` holds (muscle, side, units) of each of its sites.
    """

    given_on: date
    product_code: str
    brand: str
    units: float
    # The product row's wording of its units ("U (Speywood)").
    unit_name: str
    sites: tuple[tuple[str, str, float], ...] = ()

    def units_in(self, muscle: str, side: str) -> float:
        """Return the units it gave into ``muscle`` on ``side``."""
        return sum(u for m, s, u in self.sites if (m, s) == (muscle, side))


@dataclass(frozen=True)
class CycleRecords:
    """Every signed cycle of a patient, with what was recorded about each.

    ``sessions`` lists each cycle's session ids, the full treatment's first;
    ``top_up_days`` the days of its top-ups in the cycle's product, and
    ``other_top_ups`` those in another product. ``waiting`` counts pre-treatment
    scores whose treatment is not signed yet. ``colours`` and ``unit_names``
    are every product row's, by product code: a product the dose reference
    does not list (imported, or added by the clinic) still has its row.
    """

    cycles: list[comparison.CycleSites]
    sessions: dict[int, list[int]]
    top_up_days: dict[int, list[date]]
    brands: dict[int, str]
    colours: dict[str, str]
    unit_names: dict[str, str]
    responses: dict[int, CycleResponse]
    events: list[EventRecord]
    points: list[comparison.ScorePoint]
    waiting: int
    other_top_ups: dict[int, list[OtherTopUp]]
    # Side effects the patient reported in the diary, by cycle and day.
    diary_effects: list[DiarySideEffect] = field(default_factory=list)


@dataclass(frozen=True)
class _Signed:
    """The few columns of a signed session the comparison needs."""

    id: int
    kind: SessionKind
    cycle_number: int
    performed_at: datetime
    product_code: str
    brand: str
    unit_name: str


def read_cycles(session: Session, patient_id: int, zone: ZoneInfo) -> CycleRecords:
    """Read the patient's signed cycles, scores, responses and adverse events.

    Sessions and sites are read as columns, not ORM rows: a 20-cycle patient
    has hundreds of sites, and the cycles page is read often.
    """
    connection = session.connection()
    rows = connection.execute(
        sa_select(
            col(TreatmentSession.id),
            col(TreatmentSession.kind),
            col(TreatmentSession.cycle_number),
            col(TreatmentSession.performed_at),
            col(Product.code),
            col(Product.brand),
            col(Product.unit_name),
        )
        .join(Product, col(Product.id) == col(TreatmentSession.product_id))
        .where(
            col(TreatmentSession.patient_id) == patient_id,
            col(TreatmentSession.status) == SessionStatus.SIGNED,
        )
        .order_by(col(TreatmentSession.performed_at), col(TreatmentSession.id))
    ).all()
    by_cycle: dict[int, list[_Signed]] = defaultdict(list)
    product: dict[int, tuple[str, str]] = {}
    for sid, kind, number, performed_at, code, brand, unit in rows:
        record = _Signed(int(sid or 0), kind, number, performed_at, code, brand, unit)
        by_cycle[number].append(record)
        if kind == SessionKind.FULL:
            product[number] = (code, brand)
    # Top-ups whose full session is not signed are not a cycle yet.
    numbers = sorted(n for n in by_cycle if n in product)
    sessions = {
        n: [r.id for r in sorted(by_cycle[n], key=_full_first)] for n in numbers
    }
    sites = _sites(connection, [sid for ids in sessions.values() for sid in ids])
    cycles: list[comparison.CycleSites] = []
    fulls: list[comparison.FullTreatment] = []
    top_up_days: dict[int, list[date]] = {}
    top_up_times: dict[int, list[datetime]] = {}
    other_top_ups: dict[int, list[OtherTopUp]] = {}
    other_sessions: dict[int, OtherTopUp] = {}
    for number in numbers:
        records = sorted(by_cycle[number], key=_full_first)
        full = records[0]
        day = local_day(full.performed_at, zone)
        # Units of two products are never added: only the full treatment's
        # product's top-ups join the cycle's sites.
        same = [r for r in records if r.product_code == full.product_code]
        others = {
            r.id: OtherTopUp(
                given_on=local_day(r.performed_at, zone),
                product_code=r.product_code,
                brand=r.brand,
                units=sum(row[-1] for row in sites.get(r.id, [])),
                unit_name=r.unit_name,
                sites=tuple(
                    (muscle, side, units)
                    for muscle, side, _, _, units in sites.get(r.id, [])
                ),
            )
            for r in records
            if r.product_code != full.product_code
        }
        other_top_ups[number] = list(others.values())
        other_sessions.update(others)
        points: list[comparison.SitePoint] = []
        for record in same:
            for muscle, side, x, y, units in sites.get(record.id, []):
                points.append(
                    comparison.SitePoint(
                        number=len(points) + 1,
                        muscle=muscle,
                        side=side,
                        x=x,
                        y=y,
                        units=units,
                        top_up=record.kind == SessionKind.TOP_UP,
                    )
                )
        cycles.append(
            comparison.CycleSites(number, day, product[number][0], tuple(points))
        )
        fulls.append(
            comparison.FullTreatment(sessions[number][0], day, full.performed_at)
        )
        top_up_days[number] = [
            local_day(r.performed_at, zone)
            for r in same
            if r.kind == SessionKind.TOP_UP
        ]
        # Every product's: a score after any top-up shows more than the full dose.
        top_up_times[number] = [
            r.performed_at for r in records if r.kind == SessionKind.TOP_UP
        ]
    cycle_of = {sessions[n][0]: n for n in numbers}
    owner = {sid: n for n, ids in sessions.items() for sid in ids}
    products = session.exec(
        select(Product.code, Product.colour, Product.unit_name)
    ).all()
    scores, waiting = _scores(
        session, patient_id, fulls, cycle_of, owner, zone, top_up_times
    )
    return CycleRecords(
        cycles=cycles,
        sessions=sessions,
        top_up_days=top_up_days,
        brands={n: product[n][1] for n in numbers},
        colours={code: colour for code, colour, _ in products},
        unit_names={code: unit for code, _, unit in products},
        responses=_responses(session, cycle_of),
        events=read_events(session, owner, other_sessions, zone),
        points=scores,
        waiting=waiting,
        other_top_ups=other_top_ups,
        diary_effects=read_diary_effects(session, owner, zone),
    )


def _full_first(record: _Signed) -> tuple[bool, datetime, int]:
    return (record.kind != SessionKind.FULL, record.performed_at, record.id)


SiteRow = tuple[str, comparison.Side, float, float, float]


def _sites(connection: Connection, ids: list[int]) -> dict[int, list[SiteRow]]:
    rows = connection.execute(
        sa_select(
            col(InjectionSite.session_id),
            col(InjectionSite.muscle),
            col(InjectionSite.side),
            col(InjectionSite.x),
            col(InjectionSite.y),
            col(InjectionSite.units),
        )
        .where(col(InjectionSite.session_id).in_(ids))
        .order_by(col(InjectionSite.session_id), col(InjectionSite.number))
    ).all()
    found: dict[int, list[SiteRow]] = defaultdict(list)
    for session_id, muscle, side, x, y, units in rows:
        found[session_id].append((muscle, str(side), x, y, units))  # type: ignore[arg-type]  # a stored Side
    return found


def _scores(
    session: Session,
    patient_id: int,
    fulls: list[comparison.FullTreatment],
    cycle_of: dict[int, int],
    owner: dict[int, int],
    zone: ZoneInfo,
    top_up_times: dict[int, list[datetime]],
) -> tuple[list[comparison.ScorePoint], int]:
    """File each scored assessment under the cycle it was saved against, or
    else by its time point.

    ``owner`` maps every signed session to its cycle number.
    ``top_up_times`` holds each cycle's top-ups, to mark a score taken after
    one of them.
    """
    # Columns, not rows: each assessment also holds its raw answers as JSON.
    rows = (
        session.connection()
        .execute(
            sa_select(
                col(Assessment.id),
                col(Assessment.assessed_at),
                col(Assessment.session_id),
                col(Assessment.timepoint),
                col(Assessment.instrument),
                col(Assessment.total),
                col(Assessment.self_entered),
                # Small: the subscales (an FDI's Social is followed apart).
                col(Assessment.scores),
            )
            .where(
                col(Assessment.patient_id) == patient_id,
                or_(
                    col(Assessment.total).is_not(None),
                    col(Assessment.instrument) == Instrument.FDI,
                ),
            )
            .order_by(col(Assessment.assessed_at), col(Assessment.id))
        )
        .all()
    )
    # The patient's scores sent through the diary, apart from the clinic tablet's.
    from_diary = set(
        session.exec(
            select(DiaryEntry.assessment_id).where(
                DiaryEntry.patient_id == patient_id,
                col(DiaryEntry.assessment_id).is_not(None),
            )
        ).all()
    )
    points: list[comparison.ScorePoint] = []
    waiting = 0
    for (
        assessment_id,
        assessed_at,
        saved_to,
        stored_timepoint,
        instrument,
        total,
        self_entered,
        subscores,
    ) in rows:
        day = local_day(assessed_at, zone)
        timepoint = str(stored_timepoint)
        if saved_to in owner:
            cycle = owner[saved_to]
        else:
            filed = comparison.file_under(day, timepoint, fulls, at=assessed_at)
            if filed is None:
                waiting += timepoint in comparison.PRE_TIMEPOINTS
                continue
            cycle = cycle_of[filed.session_id]
        for line, value in _lines(str(instrument), total, subscores):
            points.append(
                comparison.ScorePoint(
                    cycle=cycle,
                    assessed_on=day,
                    instrument=line,
                    total=value,
                    timepoint=timepoint,
                    self_entered=bool(self_entered),
                    from_diary=assessment_id in from_diary,
                    after_top_up=comparison.after_top_up(
                        assessed_at, top_up_times.get(cycle, [])
                    ),
                )
            )
    return points, waiting


def _lines(
    instrument: str, total: float | None, subscores: dict[str, Any] | None
) -> list[tuple[str, float]]:
    """Return the (line, score) pairs an assessment gives the comparison: its
    headline, and an FDI's Social subscale as a line of its own."""
    lines = [] if total is None else [(instrument, float(total))]
    for line, (stored, key) in SUBSCALES.items():
        value = (subscores or {}).get(key)
        if instrument == stored and value is not None:
            lines.append((line, float(value)))
    return lines


def _responses(session: Session, cycle_of: dict[int, int]) -> dict[int, CycleResponse]:
    rows = session.exec(
        select(CycleResponse).where(col(CycleResponse.session_id).in_(list(cycle_of)))
    ).all()
    return {cycle_of[row.session_id]: row for row in rows}
