"""The cycle comparison's JSON (``GET /api/v1/patients/<id>/cycles``), as models.

Each part of the answer is a closed model built straight from the comparison
(``cycles_overview``), so no key can drift from what the OpenAPI document
says. Units are always in the named product's own units, with the product
and its unit beside them: units of two products are never added or compared.
"""

import math
from datetime import date
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import WithJsonSchema

from planner.comparison import ScoreCourse
from planner.services.cycle_doses import SideMatrix
from planner.services.cycle_events import EventRecord
from planner.services.cycle_records import CycleRecords
from planner.services.cycle_records import OtherTopUp
from planner.services.cycles import CycleCard
from planner.services.score_subscales import course_instrument
from planner.services.score_words import change_in
from planner.services.score_words import score_text
from planner.vocabulary import Severity

# A count of units as the comparison summed it: a sum over no sites is the
# integer 0, and stays 0 (not 0.0) so the body is what it always was.
Units = Annotated[int | float, WithJsonSchema({"type": "number"})]
# The better/same/worse of a descriptive grade; None without both grades.
Verdict = Literal["better", "same", "worse"]
VERDICTS: dict[str, Verdict] = {"better": "better", "same": "same", "worse": "worse"}


class _Closed(BaseModel):
    """An object of the answer: every key named, no other."""

    model_config = ConfigDict(extra="forbid")


class OtherTopUpOut(_Closed):
    """A top-up in another product than its cycle's, in that product's units."""

    given_on: date
    product: str = Field(description="The top-up's product code.")
    units: Units = Field(
        description="In the top-up's own product's units (named by ``unit``); "
        "never added to its cycle's units."
    )
    unit: str = Field(description="How the top-up's product words its units.")


class ChangesOut(_Closed):
    """How many sites changed from the cycle before; a dose in another product
    than the cycle before's is never counted as ``changed``."""

    added: int
    removed: int
    moved: int
    changed: int


class CycleResponseOut(_Closed):
    """How the cycle worked, as recorded: onset, peak, wear-off, rating."""

    onset_days: float | None
    peak_days: float | None
    wear_off_weeks: float | None
    rating: int | None = Field(description="The patient's rating, 0 to 10.")


class CycleOut(_Closed):
    """One cycle: its full treatment's day, product and units."""

    cycle: int
    treated_on: date
    product: str = Field(description="The full treatment's product code.")
    unit: str = Field(description="How the cycle's product words its units.")
    units: Units = Field(
        description="The full treatment's units, in the cycle's product's units."
    )
    top_up_units: Units = Field(
        description="Top-ups in the cycle's own product, in its units."
    )
    other_top_ups: list[OtherTopUpOut] = Field(
        description="Top-ups in another product, each in its own units, never "
        "added to ``units``."
    )
    changes: ChangesOut
    response: CycleResponseOut | None


class MatrixRowOut(_Closed):
    """One muscle's units per column, each in its column's product's units."""

    muscle: str
    units: list[Units] = Field(
        description="All units per column (top-ups in the column's product "
        "included), in the units named by the matrix's ``unit_names``."
    )
    top_up_units: list[Units] = Field(
        description="The part of ``units`` given at top-ups, per column."
    )


class MatrixOut(_Closed):
    """One side's muscles by cycle; each column names its product and unit,
    so that units of two products never share an axis."""

    side: str
    cycles: list[int]
    products: list[str] = Field(description="Each column's product code.")
    unit_names: list[str] = Field(
        description="How each column's product words its units."
    )
    rows: list[MatrixRowOut]


class ScorePointOut(_Closed):
    """A scale's scores in one cycle, per time point; null where none."""

    cycle: int
    pre_treatment: float | None
    review: float | None = Field(description="The review taken before any top-up.")
    wear_off: float | None
    review_after_top_up: float | None
    response: float | None = Field(
        description="``review`` minus ``pre_treatment``; null without both."
    )


class GradePointOut(_Closed):
    """A descriptive grade in one cycle ("IV"), and better/same/worse: never a
    number (House-Brackmann)."""

    cycle: int
    pre_treatment: str | None
    review: str | None
    wear_off: str | None
    review_after_top_up: str | None
    change: Verdict | None


class ScoreLineOut(_Closed):
    """One scale's line of scores across the cycles (an FDI subscale is its own)."""

    instrument: str
    title: str
    descriptive: Literal[False]
    higher_is_better: bool
    baseline: float | None
    baseline_cycle: int | None
    points: list[ScorePointOut]


class GradeLineOut(_Closed):
    """One descriptive grade's line across the cycles (House-Brackmann)."""

    instrument: str
    title: str
    descriptive: Literal[True]
    higher_is_better: bool
    baseline: str | None
    baseline_cycle: int | None
    points: list[GradePointOut]


class CycleEventOut(_Closed):
    """An adverse event in its cycle; ``diary_entry_id`` names the patient's diary
    side effect it was recorded from, reported on ``reported_in_diary_on``."""

    cycle: int
    kind: str
    severity: Severity
    onset: date | None
    resolved: date | None
    description: str | None
    other_top_up: OtherTopUpOut | None = Field(
        description="The top-up in another product it was filed against."
    )
    diary_entry_id: int | None
    reported_in_diary_on: date | None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def other_top_up_out(top_up: OtherTopUp) -> OtherTopUpOut:
    """Describe a top-up in another product, in that product's units."""
    return OtherTopUpOut(
        given_on=top_up.given_on,
        product=top_up.product_code,
        units=top_up.units,
        unit=top_up.unit_name,
    )


def cycle_out(card: CycleCard, records: CycleRecords) -> CycleOut:
    """Describe one cycle's card, its other products' top-ups apart."""
    response = card.response
    return CycleOut(
        cycle=card.number,
        treated_on=card.treated_on,
        product=card.product_code,
        unit=card.unit_name,
        units=card.units,
        top_up_units=card.top_up_units,
        other_top_ups=[
            other_top_up_out(top_up)
            for top_up in records.other_top_ups.get(card.number, [])
        ],
        changes=ChangesOut(**card.changes),
        response=None if response is None else CycleResponseOut(**response),
    )


def matrix_out(matrix: SideMatrix, records: CycleRecords) -> MatrixOut:
    """Describe one side's matrix with each column's product and unit."""
    product_of = {cycle.cycle: cycle.product_code for cycle in records.cycles}
    products = [product_of[n] for n in matrix.cycles]
    return MatrixOut(
        side=matrix.side,
        cycles=list(matrix.cycles),
        products=products,
        unit_names=[records.unit_names[code] for code in products],
        rows=[
            MatrixRowOut(
                muscle=row.muscle,
                units=[cell.units for cell in row.cells],
                top_up_units=[cell.top_up for cell in row.cells],
            )
            for row in matrix.rows
        ],
    )


def line_out(course: ScoreCourse) -> ScoreLineOut | GradeLineOut:
    """Describe one line of scores per cycle; a descriptive grade
    (House-Brackmann) as its grades and better/same/worse, with no numeric
    response (§4.4, §7). Each FDI subscale is a line of its own (§4.5)."""
    definition = course_instrument(course.instrument)
    if not definition.descriptive:
        return ScoreLineOut(
            instrument=course.instrument,
            title=definition.title,
            descriptive=False,
            higher_is_better=definition.higher_is_better,
            baseline=_finite(course.baseline),
            baseline_cycle=course.baseline_cycle,
            points=[
                ScorePointOut(
                    cycle=cycle,
                    pre_treatment=_finite(float(course.before.values[i])),
                    review=_finite(float(course.review.values[i])),
                    wear_off=_finite(float(course.wear_off.values[i])),
                    review_after_top_up=_finite(float(course.after_top_up.values[i])),
                    response=_finite(float(course.response[i])),
                )
                for i, cycle in enumerate(course.cycles)
            ],
        )

    def grade(value: float) -> str | None:
        return score_text(definition, value) if math.isfinite(value) else None

    return GradeLineOut(
        instrument=course.instrument,
        title=definition.title,
        descriptive=True,
        higher_is_better=definition.higher_is_better,
        baseline=grade(course.baseline),
        baseline_cycle=course.baseline_cycle,
        points=[
            GradePointOut(
                cycle=cycle,
                pre_treatment=grade(float(course.before.values[i])),
                review=grade(float(course.review.values[i])),
                wear_off=grade(float(course.wear_off.values[i])),
                review_after_top_up=grade(float(course.after_top_up.values[i])),
                change=VERDICTS.get(
                    change_in(definition, float(course.response[i])).verdict
                ),
            )
            for i, cycle in enumerate(course.cycles)
        ],
    )


def event_out(event: EventRecord) -> CycleEventOut:
    """Describe an adverse event in its cycle."""
    return CycleEventOut(
        cycle=event.cycle,
        kind=event.kind,
        severity=event.row.severity,
        onset=event.row.onset_date,
        resolved=event.row.resolved_date,
        description=event.row.description,
        other_top_up=None
        if event.other_top_up is None
        else other_top_up_out(event.other_top_up),
        diary_entry_id=event.row.diary_entry_id,
        reported_in_diary_on=event.reported_on,
    )
