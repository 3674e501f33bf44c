"""How a dose, a score and a change in score are written on the cycles page
and in the comparison PDF: each dose in its own product's units, a
descriptive grade as a grade, a change with its sign and its verdict."""

import math
from dataclasses import dataclass

from planner import plots
from planner import scoring

DASH = "\u2013"
MINUS = "\u2212"


def dose(value: float) -> str:
    """Write units as charted (1.25 stays 1.25), without float noise."""
    return f"{round(value, 3):g}"


def units_text(value: float, unit_name: str = "U") -> str:
    """Write a dose in its product's units: "1.25 U", "10 U (Speywood)"."""
    return f"{dose(value)} {unit_name}"


def signed(value: float) -> str:
    """Write a change with its sign: "+2.5", "−25", "0"."""
    text = plots.format_value(abs(value))
    if text == "0" or not math.isfinite(value):
        return text if math.isfinite(value) else DASH
    return ("+" if value > 0 else MINUS) + text


def verdict(change: float, higher_is_better: bool) -> str:
    """Say whether a change in score is for the better: "better", "worse"."""
    if not math.isfinite(change):
        return ""
    if plots.format_value(abs(change)) == "0":
        return "no change"
    return "better" if (change > 0) == higher_is_better else "worse"


def number(value: float) -> str:
    """Write a score, or a dash when there is none."""
    return plots.format_value(value) if math.isfinite(value) else DASH


def direction(definition: scoring.InstrumentDefinition) -> str:
    """Say which way the instrument's score is better, as its scoring has it:
    "lower is better" (SAQ), "higher is better" (Sunnybrook, eFACE, FDI),
    "lower grade is better" (House-Brackmann)."""
    way = "higher" if definition.higher_is_better else "lower"
    return f"{way} grade is better" if definition.descriptive else f"{way} is better"


@dataclass(frozen=True)
class Change:
    """A change in score in words: "−25", "better"."""

    text: str
    verdict: str


def score_text(definition: scoring.InstrumentDefinition, value: float) -> str:
    """Write a score, a descriptive grade as its grade ("IV"); a dash when none."""
    if not math.isfinite(value):
        return DASH
    if definition.grade_name is not None:
        return definition.grade_name(value)
    return plots.format_value(value)


def grade_verdict(change: float, higher_is_better: bool) -> str:
    """Say how a descriptive grade moved: "better", "same" or "worse", never
    by how many grades: grades are ordered, not measured (clinical reference
    §4.4, §7)."""
    way = verdict(change, higher_is_better)
    return "same" if way == "no change" else way


def grade_change(
    definition: scoring.InstrumentDefinition, before: float, after: float
) -> Change:
    """Write a grade before and after: "IV → II", "better"; a dash when one
    is missing."""
    if not (math.isfinite(before) and math.isfinite(after)):
        return Change(DASH, "")
    return Change(
        f"{score_text(definition, before)} \u2192 {score_text(definition, after)}",
        grade_verdict(after - before, definition.higher_is_better),
    )


def change_in(definition: scoring.InstrumentDefinition, value: float) -> Change:
    """Write a change in score with its verdict; for a descriptive grade the
    verdict alone, with no signed difference."""
    if definition.descriptive:
        if not math.isfinite(value):
            return Change(DASH, "")
        return Change("", grade_verdict(value, definition.higher_is_better))
    return change_of(value, definition.higher_is_better)


def change_of(value: float, higher_is_better: bool) -> Change:
    """Write a change in score with its verdict, or a dash when there is none."""
    if not math.isfinite(value):
        return Change(DASH, "")
    return Change(signed(value), verdict(value, higher_is_better))
