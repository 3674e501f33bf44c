"""The cycles page's data: each cycle's sites and dose, scores, duration, side effects.

Database rows become the comparison package's plain records here and the pure
comparison package does the arithmetic. Nothing is drawn here: the JSON API
needs only the data, and ``cycle_plots.draw_cycles`` adds the maps and charts
for the page and the PDF.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import comparison
from planner import plots
from planner import scoring
from planner.clinic_time import local_day
from planner.facemap import FaceMap
from planner.models import AdverseEvent
from planner.models import Assessment
from planner.models import CycleResponse
from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services.patients import get_patient

SIDES = ("right", "left", "midline")
TREND_INSTRUMENTS = ("sunnybrook", "eface", "saq", "fdi", "house_brackmann")


@dataclass(frozen=True)
class CycleCard:
    """One cycle as a small multiple: its sites, totals, changes and response.

    ``svg`` is the drawn map, present once ``cycle_plots.draw_cycles`` has run.
    """

    number: int
    treated_on: date
    product: str
    product_code: str
    session_ids: tuple[int, ...]
    units: float
    sites: tuple[comparison.SitePoint, ...]
    colour: str
    highlight: frozenset[tuple[str, str]]
    changes: dict[str, int]
    response: dict[str, Any] | None
    product_changed: bool
    svg: Markup | None = None


@dataclass(frozen=True)
class MatrixRow:
    muscle: str
    name: str
    cells: list[tuple[float, str, str]]


@dataclass(frozen=True)
class SideMatrix:
    side: str
    cycles: tuple[int, ...]
    products: tuple[str, ...]
    rows: list[MatrixRow]
    totals: list[float]


@dataclass(frozen=True)
class TrendView:
    instrument: str
    title: str
    series: plots.Series
    rows: list[tuple[int, float, float, float]]
    provenance: str
    higher_is_better: bool
    svg: Markup | None = None


@dataclass(frozen=True)
class CyclesOverview:
    """A patient's cycles side by side; ``draw_cycles`` adds the *_svg pictures."""

    patient_id: int
    cards: list[CycleCard]
    matrices: list[SideMatrix]
    trends: list[TrendView]
    wear_off: plots.Series | None
    marks: list[tuple[int, str]]
    events: list[dict[str, Any]] = field(default_factory=list)
    duration_svg: Markup | None = None


def _cycle_records(
    session: Session, patient_id: int, zone: ZoneInfo
) -> tuple[list[comparison.CycleSites], dict[int, list[int]], dict[int, str]]:
    """Gather signed sessions by cycle: the full treatment and its top-ups together."""
    rows = session.exec(
        select(TreatmentSession, Product.code, Product.brand)
        .join(Product, col(Product.id) == col(TreatmentSession.product_id))
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.status == SessionStatus.SIGNED,
        )
        .order_by(col(TreatmentSession.performed_at))
    ).all()
    by_cycle: dict[int, list[TreatmentSession]] = defaultdict(list)
    product: dict[int, tuple[str, str]] = {}
    for record, code, brand in rows:
        by_cycle[record.cycle_number].append(record)
        if record.kind == SessionKind.FULL:
            product[record.cycle_number] = (code, brand)
    ids = [r.id for records in by_cycle.values() for r in records if r.id is not None]
    sites = session.exec(
        select(InjectionSite)
        .where(col(InjectionSite.session_id).in_(ids))
        .order_by(col(InjectionSite.session_id), col(InjectionSite.number))
    ).all()
    by_session: dict[int, list[InjectionSite]] = defaultdict(list)
    for site in sites:
        by_session[site.session_id].append(site)
    cycles: list[comparison.CycleSites] = []
    session_ids: dict[int, list[int]] = {}
    brands: dict[int, str] = {}
    for number in sorted(by_cycle):
        if number not in product:
            continue  # top-ups whose full session is not signed: not a cycle yet
        records = by_cycle[number]
        full = next(r for r in records if r.kind == SessionKind.FULL)
        points: list[comparison.SitePoint] = []
        for record in records:
            for site in by_session.get(record.id or 0, []):
                points.append(
                    comparison.SitePoint(
                        number=len(points) + 1,
                        muscle=site.muscle,
                        side=site.side.value,
                        x=site.x,
                        y=site.y,
                        units=site.units,
                    )
                )
        cycles.append(
            comparison.CycleSites(
                cycle=number,
                treated_on=local_day(full.performed_at, zone),
                product_code=product[number][0],
                sites=tuple(points),
            )
        )
        session_ids[number] = [r.id for r in records if r.id is not None]
        brands[number] = product[number][1]
    return cycles, session_ids, brands


def _responses(
    session: Session, session_ids: dict[int, list[int]]
) -> dict[int, CycleResponse]:
    owner = {sid: number for number, ids in session_ids.items() for sid in ids}
    rows = session.exec(
        select(CycleResponse).where(col(CycleResponse.session_id).in_(list(owner)))
    ).all()
    return {owner[row.session_id]: row for row in rows}


def _events(
    session: Session, session_ids: dict[int, list[int]]
) -> list[dict[str, Any]]:
    owner = {sid: number for number, ids in session_ids.items() for sid in ids}
    rows = session.exec(
        select(AdverseEvent)
        .where(col(AdverseEvent.session_id).in_(list(owner)))
        .order_by(col(AdverseEvent.onset_date), col(AdverseEvent.id))
    ).all()
    return [
        {
            "cycle": owner[row.session_id],
            "kind": row.kind.value.replace("_", " "),
            "severity": row.severity.value,
            "onset": row.onset_date,
            "resolved": row.resolved_date,
            "description": row.description,
        }
        for row in rows
    ]


def _card(
    cycle: comparison.CycleSites,
    previous: comparison.CycleSites | None,
    colour: str,
    brand: str,
    ids: list[int],
    response: CycleResponse | None,
) -> CycleCard:
    changes = {"added": 0, "removed": 0, "moved": 0, "changed": 0}
    highlight: set[tuple[str, str]] = set()
    if previous is not None:
        for change in comparison.cycle_diff(previous, cycle):
            if change.kind in changes:
                changes[change.kind] += 1
                highlight.add((change.muscle, change.side))
    return CycleCard(
        number=cycle.cycle,
        treated_on=cycle.treated_on,
        product=brand,
        product_code=cycle.product_code,
        session_ids=tuple(ids),
        units=sum(p.units for p in cycle.sites),
        sites=cycle.sites,
        colour=colour,
        highlight=frozenset(highlight),
        changes=changes,
        response=None
        if response is None
        else {
            "onset_days": response.onset_days,
            "peak_days": response.peak_days,
            "wear_off_weeks": response.wear_off_weeks,
            "rating": response.patient_rating,
        },
        product_changed=previous is not None
        and previous.product_code != cycle.product_code,
    )


def _matrices(
    face_map: FaceMap, cycles: list[comparison.CycleSites]
) -> list[SideMatrix]:
    found: list[SideMatrix] = []
    for side in SIDES:
        muscles = comparison.muscles_treated(cycles, side)  # type: ignore[arg-type]  # SIDES are the literals
        if not muscles:
            continue
        matrix = comparison.dose_matrix(cycles, muscles, side)  # type: ignore[arg-type]  # as above
        colours = plots.heat_table_colours(
            matrix.units, column_groups=matrix.product_codes
        )
        rows = [
            MatrixRow(
                muscle=muscle,
                name=face_map.muscle(muscle).name,
                cells=[
                    (
                        float(matrix.units[i, j]),
                        str(colours[i, j, 0]),
                        str(colours[i, j, 1]),
                    )
                    for j in range(len(matrix.cycles))
                ],
            )
            for i, muscle in enumerate(matrix.muscles)
        ]
        found.append(
            SideMatrix(
                side=side,
                cycles=matrix.cycles,
                products=matrix.product_codes,
                rows=rows,
                totals=[float(v) for v in matrix.totals],
            )
        )
    return found


def _trends(
    session: Session,
    patient_id: int,
    cycle_of_session: dict[int, int],
    zone: ZoneInfo,
) -> list[TrendView]:
    assessments = session.exec(
        select(Assessment)
        .where(Assessment.patient_id == patient_id, col(Assessment.total).is_not(None))
        .order_by(col(Assessment.assessed_at))
    ).all()
    points = [
        comparison.ScorePoint(
            cycle=cycle_of_session[a.session_id],
            assessed_on=local_day(a.assessed_at, zone),
            instrument=a.instrument.value,
            total=float(a.total or 0.0),
            timepoint=a.timepoint.value,
        )
        for a in assessments
        if a.session_id in cycle_of_session
    ]
    views: list[TrendView] = []
    for code in TREND_INSTRUMENTS:
        if not any(p.instrument == code for p in points):
            continue
        definition = scoring.get_instrument(code)
        trend = comparison.score_trend(points, code)
        rows = [
            (cycle, value, base, prev)
            for cycle, value, base, prev in zip(
                trend.cycles,
                trend.values.tolist(),
                trend.change_from_baseline.tolist(),
                trend.change_from_previous.tolist(),
                strict=True,
            )
            if math.isfinite(value)
        ]
        views.append(
            TrendView(
                instrument=code,
                title=definition.title,
                series=plots.Series(
                    definition.title, trend.cycles, tuple(trend.values.tolist())
                ),
                rows=rows,
                provenance=definition.provenance,
                higher_is_better=definition.higher_is_better,
            )
        )
    return views


def cycles_overview(
    session: Session,
    patient_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    only: set[int] | None = None,
) -> CyclesOverview:
    """Assemble the cycle-by-cycle comparison for a patient (optionally some cycles)."""
    get_patient(session, patient_id)
    cycles, session_ids, brands = _cycle_records(session, patient_id, zone)
    if only:
        cycles = [c for c in cycles if c.cycle in only]
    colours = dict(session.exec(select(Product.code, Product.colour)).all())
    responses = _responses(session, session_ids)
    cards: list[CycleCard] = []
    marks: list[tuple[int, str]] = []
    previous: comparison.CycleSites | None = None
    for cycle in cycles:
        card = _card(
            cycle,
            previous,
            colours.get(cycle.product_code, "#0072B2"),
            brands[cycle.cycle],
            session_ids[cycle.cycle],
            responses.get(cycle.cycle),
        )
        if card.product_changed:
            marks.append((cycle.cycle, f"Now {card.product}"))
        cards.append(card)
        previous = cycle
    cycle_of_session = {sid: n for n, ids in session_ids.items() for sid in ids}
    kept = {c.cycle for c in cycles}
    durations = comparison.effect_duration(
        [
            comparison.CycleResponse(
                cycle=n,
                onset_days=r.onset_days,
                peak_days=r.peak_days,
                wear_off_weeks=r.wear_off_weeks,
                rating=None if r.patient_rating is None else float(r.patient_rating),
            )
            for n, r in sorted(responses.items())
            if n in kept
        ],
        cycles=[c.cycle for c in cycles],
    )
    return CyclesOverview(
        patient_id=patient_id,
        cards=cards,
        matrices=_matrices(face_map, cycles),
        trends=_trends(
            session,
            patient_id,
            {sid: n for sid, n in cycle_of_session.items() if n in kept},
            zone,
        ),
        wear_off=plots.Series(
            "Wear-off", durations.cycles, tuple(durations.wear_off_weeks.tolist())
        )
        if durations.recorded
        else None,
        marks=marks,
        events=[e for e in _events(session, session_ids) if e["cycle"] in kept],
    )
