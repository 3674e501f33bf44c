"""The printed cycle comparison: the cycles page laid out for paper.

The cycles page's own overview (``cycles_overview``) supplies the ledger, maps,
dose matrices, charts and events; this module adds the patient's details, the
per-muscle section, and cuts wide tables into page-width blocks of cycles.
Card maps are printed ``MAP_WIDTH_MM`` wide, and their site numbers sized so
that they print at ``NUMBER_PT`` whatever the face map's scale.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from planner.comparison.beside import Beside
from planner.facemap import FaceMap
from planner.reports.record import PatientDetails
from planner.reports.record import patient_details
from planner.services.cycle_doses import DoseBlock
from planner.services.cycle_doses import HeatCell
from planner.services.cycle_doses import HeatKey
from planner.services.cycle_doses import SideMatrix
from planner.services.cycle_events import EventRecord
from planner.services.cycle_plots import draw_cycles
from planner.services.cycle_plots import face_sprite
from planner.services.cycle_responses import CourseView
from planner.services.cycle_responses import LedgerRow
from planner.services.cycles import CycleCard
from planner.services.cycles import cycles_overview
from planner.services.cycles import muscle_views
from planner.services.muscle_response import MuscleView
from planner.services.patients import get_patient

# A portrait page holds a muscle name and about eight dose columns legibly.
MAX_MATRIX_COLUMNS = 8
# Three cards a row on A4 and Letter (print.css: 56 mm cards, 1.5 mm padding).
MAP_WIDTH_MM = 52.0
# Site numbers on the cards: print needs 7 pt at least (issue 16).
NUMBER_PT = 7.5
POINTS_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class MatrixRowPart:
    name: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class MatrixPart:
    """Some consecutive cycles of one side's dose matrix: one printed table.

    In a history of several products each table is one product's (``block``),
    in its ``unit``; ``new_product`` marks the first table of every product
    after the first, where the print says the doses are not comparable.
    """

    side: str
    title: str
    part: int
    parts: int
    cycles: tuple[int, ...]
    products: tuple[str, ...]
    rows: list[MatrixRowPart]
    totals: list[str]
    block: DoseBlock | None = None
    new_product: bool = False


@dataclass(frozen=True)
class ScoreRow:
    """One line of a scores table: a time point's values, or the responses."""

    label: str
    cells: list[str]
    change: bool = False


@dataclass(frozen=True)
class ScorePart:
    """Some consecutive cycles of one instrument's table: one printed table."""

    title: str
    part: int
    parts: int
    cycles: tuple[int, ...]
    rows: list[ScoreRow]


@dataclass(frozen=True)
class ComparisonReport:
    """Everything the printed cycle comparison shows for one patient."""

    patient: PatientDetails
    cards: list[CycleCard]
    ledger: list[LedgerRow]
    muscles: list[MuscleView]
    matrices: list[MatrixPart]
    heat_keys: list[HeatKey]
    courses: list[CourseView]
    scores: list[ScorePart]
    duration_svg: object
    events: list[EventRecord]
    chosen: tuple[int, ...]
    filtered: bool
    map_background: str
    map_width_mm: float
    map_height_mm: float
    # Therapy courses and procedures beside the cycles (issue 22).
    beside: Beside = field(default_factory=Beside)

    @property
    def first_on(self) -> date | None:
        return self.cards[0].treated_on if self.cards else None

    @property
    def last_on(self) -> date | None:
        return self.cards[-1].treated_on if self.cards else None


def split_matrix(
    matrix: SideMatrix,
    width: int = MAX_MATRIX_COLUMNS,
    *,
    block: DoseBlock | None = None,
    new_product: bool = False,
) -> list[MatrixPart]:
    """Cut one side's matrix into tables of at most ``width`` cycles each.

    ``block`` is the product block the matrix belongs to when the history has
    several products; ``new_product`` marks its first table after a change.
    """
    starts = range(0, len(matrix.cycles), width)
    return [
        MatrixPart(
            side=matrix.side,
            title=matrix.title,
            part=index + 1,
            parts=len(starts),
            cycles=matrix.cycles[start : start + width],
            products=matrix.products[start : start + width],
            rows=[
                MatrixRowPart(row.name, row.cells[start : start + width])
                for row in matrix.rows
            ],
            totals=matrix.totals[start : start + width],
            block=block if block is not None and block.mixed else None,
            new_product=new_product and index == 0,
        )
        for index, start in enumerate(starts)
    ]


def matrix_parts(blocks: list[DoseBlock]) -> list[MatrixPart]:
    """Print every product block's side tables, page-width, product by product."""
    return [
        part
        for number, block in enumerate(blocks)
        for side, matrix in enumerate(block.tables)
        for part in split_matrix(
            matrix, block=block, new_product=number > 0 and side == 0
        )
    ]


def score_tables(
    courses: list[CourseView], width: int = MAX_MATRIX_COLUMNS
) -> list[ScorePart]:
    """Tabulate each instrument by time point, cycles across, in page-wide blocks."""
    parts: list[ScorePart] = []
    for course in courses:
        cycles = [row.cycle for row in course.rows]
        lines = [
            ("Before treatment", [row.before for row in course.rows], False),
            ("At review", [row.review for row in course.rows], False),
            (
                "Review against before"
                if course.descriptive
                else "Response (review − before)",
                [
                    f"{r.response.text} {r.response.verdict}".strip()
                    for r in course.rows
                ],
                True,
            ),
        ]
        if course.topped_up:
            # Treatment and top-up together: never part of the response.
            lines.append(
                ("After a top-up", [row.after_top_up for row in course.rows], False)
            )
        starts = range(0, len(cycles), width)
        parts.extend(
            ScorePart(
                title=course.title,
                part=index + 1,
                parts=len(starts),
                cycles=tuple(cycles[start : start + width]),
                rows=[
                    ScoreRow(label, cells[start : start + width], change)
                    for label, cells, change in lines
                ],
            )
            for index, start in enumerate(starts)
        )
    return parts


def number_size(face_map: FaceMap) -> float:
    """Return the site numbers' height in map units that prints at ``NUMBER_PT``."""
    crop_width = face_sprite(face_map).crop[2]
    return NUMBER_PT * crop_width / (MAP_WIDTH_MM * POINTS_PER_MM)


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
    overview = draw_cycles(
        cycles_overview(session, patient_id, face_map=face_map, zone=zone, only=only),
        face_map,
        printed=True,
        number_size=number_size(face_map),
    )
    crop = face_sprite(face_map).crop
    return ComparisonReport(
        patient=patient,
        cards=overview.cards,
        ledger=overview.ledger,
        muscles=muscle_views(overview, face_map),
        matrices=matrix_parts(overview.dose_blocks),
        heat_keys=overview.heat_keys,
        courses=overview.courses,
        scores=score_tables(overview.courses),
        duration_svg=overview.duration_svg,
        events=overview.events,
        chosen=tuple(sorted(only or ())),
        filtered=overview.filtered,
        map_background=overview.print_background,
        map_width_mm=MAP_WIDTH_MM,
        map_height_mm=round(MAP_WIDTH_MM * crop[3] / crop[2], 2),
        beside=overview.beside,
    )
