"""House-Brackmann facial nerve grades I-VI (House & Brackmann 1985 [S53b]).

The descriptions are the table as given by Medscape [S53] (clinical reference
§4.4). HB is a single gross grade that cannot track regional change, so prefer
Sunnybrook, eFACE and SAQ when comparing treatment cycles.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.scoring.definition import InstrumentDefinition
from planner.scoring.definition import ScoreResult
from planner.scoring.items import Choice
from planner.scoring.items import Item
from planner.scoring.items import parse_items

CODE = "house_brackmann"
TITLE = "House–Brackmann grade"
FORMULA_VERSION = "house-brackmann-1985"
PROVENANCE = (
    "Grades and descriptions from House & Brackmann 1985 [S53b] as tabulated by "
    "Medscape [S53] (clinical reference §4.4). A single gross grade: it cannot "
    "track regional change, so compare cycles with Sunnybrook, eFACE and SAQ."
)


@dataclass(frozen=True)
class Grade:
    """One row of the House-Brackmann table; a dash means the column does not apply."""

    grade: int
    numeral: str
    label: str
    gross: str
    at_rest: str = "—"
    forehead: str = "—"
    eye: str = "—"
    mouth: str = "—"

    @property
    def description(self) -> str:
        """Return the row as one paragraph for the form."""
        if self.at_rest == "—":
            return f"{self.gross}."
        return (
            f"{self.gross}. At rest: {self.at_rest}. Forehead: "
            f"{self.forehead}. Eye: {self.eye}. Mouth: "
            f"{self.mouth}."
        )


GRADES: tuple[Grade, ...] = (
    Grade(1, "I", "Normal", "Normal facial function in all areas"),
    Grade(
        2,
        "II",
        "Mild dysfunction",
        "Slight weakness noticeable on close inspection; may have slight synkinesis",
        "Normal symmetry and tone",
        "Moderate to good function",
        "Complete closure with minimal effort",
        "Slight asymmetry",
    ),
    Grade(
        3,
        "III",
        "Moderate dysfunction",
        "Obvious but not disfiguring difference between sides; noticeable (not "
        "severe) synkinesis, contracture or hemifacial spasm",
        "Normal symmetry and tone",
        "Slight to moderate movement",
        "Complete closure with effort",
        "Slightly weak with maximum effort",
    ),
    Grade(
        4,
        "IV",
        "Moderately severe dysfunction",
        "Obvious weakness and/or disfiguring asymmetry",
        "Normal symmetry and tone",
        "None",
        "Incomplete closure",
        "Asymmetric with maximum effort",
    ),
    Grade(
        5,
        "V",
        "Severe dysfunction",
        "Only barely perceptible motion",
        "Asymmetry",
        "None",
        "Incomplete closure",
        "Slight movement",
    ),
    Grade(6, "VI", "Total paralysis", "No movement"),
)
ITEMS: tuple[Item, ...] = (
    Item(
        "grade",
        "House–Brackmann grade",
        "Grade",
        choices=tuple(
            Choice(row.grade, f"{row.numeral} {row.label}", row.description)
            for row in GRADES
        ),
    ),
)


@dataclass(frozen=True)
class HouseBrackmannScore:
    """The grade (1-6, 1 is normal) with its numeral and label."""

    grade: int
    numeral: str
    label: str


def score_house_brackmann(grade: int | str) -> HouseBrackmannScore:
    """Return the grade's numeral and label for a grade of 1 to 6 (or "1" to "6").

    :raises ScoringError: if the grade is not 1 to 6.
    """
    answers = parse_items(TITLE, ITEMS, {"grade": grade})
    row = GRADES[answers["grade"] - 1]
    return HouseBrackmannScore(grade=row.grade, numeral=row.numeral, label=row.label)


def grade_numeral(total: float) -> str:
    """Return a stored grade (1.0 to 6.0) as its numeral: 4.0 is "IV"."""
    return GRADES[int(total) - 1].numeral


def _result(items: Mapping[str, Any]) -> ScoreResult:
    answers = parse_items(TITLE, ITEMS, items)
    score = score_house_brackmann(answers["grade"])
    return ScoreResult(
        scores={"grade": score.grade, "numeral": score.numeral, "label": score.label},
        total=float(score.grade),
        formula_version=FORMULA_VERSION,
        provenance=PROVENANCE,
        higher_is_better=False,
    )


DEFINITION = InstrumentDefinition(
    code=CODE,
    title=TITLE,
    items=ITEMS,
    score=_result,
    formula_version=FORMULA_VERSION,
    provenance=PROVENANCE,
    higher_is_better=False,
    reference="House & Brackmann 1985 [S53b]; table per Medscape [S53]; §4.4",
    grade_name=grade_numeral,
)
