"""The cycles page's data: cards, doses, ledger, scores by time point, one muscle.

Every cycle of the patient is read and compared (``cycle_records``), then only
the chosen ones are shown: a shown cycle is still compared with the cycle it
really followed, and the baseline stays the first pre-treatment score, said so
when its cycle is not shown. Nothing is drawn here: the JSON API needs only the
data, and ``cycle_plots.draw_cycles`` adds the maps and charts.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session

from planner import comparison
from planner import plots
from planner.comparison.beside import Beside
from planner.facemap import FaceMap
from planner.plots.bands import Band
from planner.services.cycle_doses import DoseBlock
from planner.services.cycle_doses import HeatKey
from planner.services.cycle_doses import SideMatrix
from planner.services.cycle_doses import dose_blocks
from planner.services.cycle_doses import side_matrices
from planner.services.cycle_events import DiarySideEffect
from planner.services.cycle_events import EventRecord
from planner.services.cycle_records import CycleRecords
from planner.services.cycle_records import read_cycles
from planner.services.cycle_responses import CourseView
from planner.services.cycle_responses import LedgerRow
from planner.services.cycle_responses import comparison_courses
from planner.services.cycle_responses import course_views
from planner.services.cycle_responses import ledger_rows
from planner.services.cycle_responses import other_top_up_texts
from planner.services.muscle_response import MuscleView
from planner.services.muscle_response import muscle_view
from planner.services.patients import get_patient
from planner.services.score_words import units_text
from planner.services.therapy import other_treatments

DEFAULT_COLOUR = "#0072B2"


@dataclass(frozen=True)
class CycleCard:
    """One cycle as a small multiple: its sites, totals, changes and response.

    ``previous`` is the cycle it followed and ``ghosts`` that cycle's sites;
    ``product_index`` orders the products the page shows (it picks the shape
    of the sites). Across a product change no dose counts as ``changed``.
    ``other_top_ups`` words the top-ups given in another product, which are
    in none of the card's sites or units. ``unit_name`` is the product row's
    wording of its units. ``svg`` is the drawn map, once ``draw_cycles`` has
    run.
    """

    number: int
    treated_on: date
    product: str
    product_code: str
    unit_name: str
    session_ids: tuple[int, ...]
    units: float
    top_up_units: float
    sites: tuple[comparison.SitePoint, ...]
    ghosts: tuple[comparison.SitePoint, ...]
    previous: int | None
    colour: str
    product_index: int
    highlight: frozenset[tuple[str, str]]
    changes: dict[str, int]
    response: dict[str, Any] | None
    product_changed: bool
    other_top_ups: tuple[str, ...] = ()
    svg: Markup | None = None

    @property
    def dose_text(self) -> str:
        """Write the cycle's dose in its product's units: "20 U", "20 U + 2.5 U
        top-up", "50 U (Speywood)"."""
        text = units_text(self.units, self.unit_name)
        if self.top_up_units:
            text += f" + {units_text(self.top_up_units, self.unit_name)} top-up"
        return text


@dataclass(frozen=True)
class CyclesOverview:
    """A patient's cycles side by side; ``draw_cycles`` adds the pictures."""

    patient_id: int
    shown: tuple[int, ...]
    filtered: bool
    cards: list[CycleCard]
    matrices: list[SideMatrix]
    heat_keys: list[HeatKey]
    # The matrices split by product, as the page and the print lay them out.
    dose_blocks: list[DoseBlock]
    ledger: list[LedgerRow]
    courses: list[CourseView]
    wear_off: plots.Series | None
    marks: list[tuple[int, str]]
    events: list[EventRecord]
    muscles: list[tuple[str, str]]
    muscle: MuscleView | None
    waiting: int
    all_cycles: tuple[int, ...] = ()
    duration_svg: Markup | None = None
    sprite: Markup | None = None
    print_background: str = ""
    records: CycleRecords | None = field(default=None, repr=False)
    # Therapy periods as bands over the cycles they overlap, and per cycle what
    # the ledger says of therapy and procedures (issue 22).
    bands: list[Band] = field(default_factory=list)
    beside: Beside = field(default_factory=Beside)
    # Side effects the patient reported in the shown cycles' diaries.
    diary_effects: list[DiarySideEffect] = field(default_factory=list)


def _cards(
    records: CycleRecords, shown: set[int], order: dict[str, int]
) -> list[CycleCard]:
    cards = []
    previous: comparison.CycleSites | None = None
    for cycle in records.cycles:
        if cycle.cycle in shown:
            changes = {"added": 0, "removed": 0, "moved": 0, "changed": 0}
            highlight: set[tuple[str, str]] = set()
            if previous is not None:
                for change in comparison.cycle_diff(previous, cycle):
                    # Units of two products do not compare: a site whose dose
                    # is another number in another product has not changed.
                    if change.kind == "changed" and not change.same_product:
                        continue
                    if change.kind in changes:
                        changes[change.kind] += 1
                        highlight.add((change.muscle, change.side))
            response = records.responses.get(cycle.cycle)
            cards.append(
                CycleCard(
                    number=cycle.cycle,
                    treated_on=cycle.treated_on,
                    product=records.brands[cycle.cycle],
                    product_code=cycle.product_code,
                    unit_name=records.unit_names[cycle.product_code],
                    session_ids=tuple(records.sessions[cycle.cycle]),
                    units=cycle.full_units,
                    top_up_units=cycle.top_up_units,
                    sites=cycle.sites,
                    ghosts=previous.sites if previous is not None else (),
                    previous=previous.cycle if previous is not None else None,
                    colour=records.colours.get(cycle.product_code, DEFAULT_COLOUR),
                    product_index=order[cycle.product_code],
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
                    other_top_ups=other_top_up_texts(records, cycle.cycle),
                )
            )
        previous = cycle
    return cards


def cycles_overview(
    session: Session,
    patient_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    only: set[int] | None = None,
    muscle: tuple[str, str] | None = None,
) -> CyclesOverview:
    """Compare the patient's cycles (all, or those ``only``), maybe one muscle too.

    ``muscle`` is a (muscle code, side) to set against the response; one the
    shown cycles never treated is ignored.
    """
    get_patient(session, patient_id)
    records = read_cycles(session, patient_id, zone)
    every = [cycle.cycle for cycle in records.cycles]
    shown = [n for n in every if not only or n in only]
    kept = set(shown)
    cycles = [cycle for cycle in records.cycles if cycle.cycle in kept]
    names = {m.code: m.name for m in face_map.muscles}
    order = {
        code: index
        for index, code in enumerate(dict.fromkeys(c.product_code for c in cycles))
    }
    courses = comparison_courses(records, subscales=True)
    marks = [
        (current.cycle, f"Now {records.brands[current.cycle]}")
        for before, current in zip(records.cycles, records.cycles[1:], strict=False)
        if before.product_code != current.product_code
    ]
    durations = comparison.effect_duration(
        [
            comparison.CycleResponse(cycle=n, wear_off_weeks=r.wear_off_weeks)
            for n, r in sorted(records.responses.items())
            if n in kept
        ],
        cycles=shown,
    )
    options = [
        (f"{code}:{side}", f"{names.get(code, code)}, {side}")
        for code, side in comparison.treated_muscles(cycles)
    ]
    chosen = None
    if muscle is not None and f"{muscle[0]}:{muscle[1]}" in dict(options):
        code, side = muscle
        chosen = muscle_view(
            records,
            courses,
            code,
            side,  # type: ignore[arg-type]  # checked against the options above
            name=f"{names.get(code, code)}, {side}",
            shown=shown,
            brands={c.product_code: records.brands[c.cycle] for c in records.cycles},
        )
    matrices, keys = side_matrices(cycles, names, records.brands, records.unit_names)
    beside = other_treatments(session, patient_id, records.cycles)
    marks += beside.marks
    return CyclesOverview(
        patient_id=patient_id,
        shown=tuple(shown),
        filtered=len(shown) < len(every),
        cards=_cards(records, kept, order),
        matrices=matrices,
        heat_keys=keys,
        dose_blocks=dose_blocks(
            matrices,
            keys,
            tuple(cycle.product_code for cycle in cycles),
            records.unit_names,
        ),
        ledger=ledger_rows(records, courses, names, shown),
        courses=course_views(courses, shown),
        wear_off=plots.Series(
            "Effect lasted", durations.cycles, tuple(durations.wear_off_weeks.tolist())
        )
        if durations.recorded
        else None,
        marks=marks,
        events=[e for e in records.events if e.cycle in kept],
        muscles=options,
        muscle=chosen,
        waiting=records.waiting,
        all_cycles=tuple(every),
        records=records,
        bands=[Band(b.first, b.last, b.label) for b in beside.bands],
        beside=beside,
        diary_effects=[e for e in records.diary_effects if e.cycle in kept],
    )


def muscle_views(overview: CyclesOverview, face_map: FaceMap) -> list[MuscleView]:
    """Return the view of every muscle whose dose changed within a product."""
    records = overview.records
    if records is None:
        return []
    names = {m.code: m.name for m in face_map.muscles}
    courses = comparison_courses(records, subscales=True)
    brands = {c.product_code: records.brands[c.cycle] for c in records.cycles}
    cycles = [c for c in records.cycles if c.cycle in overview.shown]
    views = [
        muscle_view(
            records,
            courses,
            code,
            side,
            name=f"{names.get(code, code)}, {side}",
            shown=overview.shown,
            brands=brands,
        )
        for code, side in comparison.treated_muscles(cycles)
    ]
    return [view for view in views if view.dose_changed]
