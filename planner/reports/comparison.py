"""The printed cycle comparison: the cycles page laid out for paper.

The cycles page's own overview (``cycles_overview``) supplies the maps, dose
matrices, charts, durations and events; this module adds the patient's details
and cuts wide dose matrices into page-width blocks of cycles.
"""

import math
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session

from planner.facemap import FaceMap
from planner.plots import format_value
from planner.reports.record import PatientDetails
from planner.reports.record import patient_details
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import CycleCard
from planner.services.cycles import CyclesOverview
from planner.services.cycles import SideMatrix
from planner.services.cycles import TrendView
from planner.services.cycles import cycles_overview
from planner.services.patients import get_patient

# A portrait page holds a muscle name and about eight dose columns legibly.
MAX_MATRIX_COLUMNS = 8


@dataclass(frozen=True)
class MatrixRowPart:
    name: str
    cells: list[tuple[float, str, str]]


@dataclass(frozen=True)
class MatrixPart:
    """Some consecutive cycles of one side's dose matrix: one printed table."""

    side: str
    part: int
    parts: int
    cycles: tuple[int, ...]
    products: tuple[str, ...]
    rows: list[MatrixRowPart]
    totals: list[float]


@dataclass(frozen=True)
class ScoreRow:
    """One line of the scores table: an instrument's values, or their changes."""

    label: str
    cells: list[str]
    change: bool = False


@dataclass(frozen=True)
class ScorePart:
    """Some consecutive cycles of the scores table: one printed table."""

    part: int
    parts: int
    cycles: tuple[int, ...]
    rows: list[ScoreRow]


@dataclass(frozen=True)
class ComparisonReport:
    """Everything the printed cycle comparison shows for one patient."""

    patient: PatientDetails
    cards: list[CycleCard]
    matrices: list[MatrixPart]
    trends: list[TrendView]
    scores: list[ScorePart]
    duration_svg: Markup | None
    events: list[dict[str, object]]
    chosen: tuple[int, ...]

    @property
    def first_on(self) -> date | None:
        return self.cards[0].treated_on if self.cards else None

    @property
    def last_on(self) -> date | None:
        return self.cards[-1].treated_on if self.cards else None


def split_matrix(
    matrix: SideMatrix, width: int = MAX_MATRIX_COLUMNS
) -> list[MatrixPart]:
    """Cut one side's matrix into tables of at most ``width`` cycles each."""
    starts = range(0, len(matrix.cycles), width)
    return [
        MatrixPart(
            side=matrix.side,
            part=index + 1,
            parts=len(starts),
            cycles=matrix.cycles[start : start + width],
            products=matrix.products[start : start + width],
            rows=[
                MatrixRowPart(row.name, row.cells[start : start + width])
                for row in matrix.rows
            ],
            totals=matrix.totals[start : start + width],
        )
        for index, start in enumerate(starts)
    ]


def _signed(value: float) -> str:
    text = format_value(value)
    return "+" + text if math.isfinite(value) and value > 0 else text


def score_table(
    trends: list[TrendView],
    cycles: list[int],
    width: int = MAX_MATRIX_COLUMNS,
) -> list[ScorePart]:
    """Tabulate each score and its change from the first cycle, by cycle.

    Cycles without a score show a dash; the table is cut into blocks of at most
    ``width`` cycles, as the dose matrix is.
    """
    rows: list[tuple[str, dict[int, str], bool]] = []
    for trend in trends:
        values = {cycle: format_value(value) for cycle, value, _, _ in trend.rows}
        changes = {cycle: _signed(base) for cycle, _, base, _ in trend.rows}
        rows.append((trend.title, values, False))
        rows.append(("change from first", changes, True))
    starts = range(0, len(cycles), width)
    return [
        ScorePart(
            part=index + 1,
            parts=len(starts),
            cycles=tuple(cycles[start : start + width]),
            rows=[
                ScoreRow(
                    label,
                    [found.get(c, "\u2013") for c in cycles[start : start + width]],
                    change,
                )
                for label, found, change in rows
            ],
        )
        for index, start in enumerate(starts)
    ]


def comparison_report(
    session: Session,
    patient_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    only: set[int] | None = None,
) -> ComparisonReport:
    """Gather the printed comparison of a patient's cycles (all, or those chosen)."""
    patient = patient_details(get_patient(session, patient_id))
    overview: CyclesOverview = draw_cycles(
        cycles_overview(session, patient_id, face_map=face_map, zone=zone, only=only),
        face_map,
    )
    return ComparisonReport(
        patient=patient,
        cards=overview.cards,
        matrices=[part for m in overview.matrices for part in split_matrix(m)],
        trends=overview.trends,
        scores=score_table(overview.trends, [card.number for card in overview.cards])
        if overview.trends
        else [],
        duration_svg=overview.duration_svg,
        events=overview.events,
        chosen=tuple(sorted(only or ())),
    )
