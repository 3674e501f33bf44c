"""Facial Disability Index (VanSwearingen & Brach 1996 [S57]; clinical ref. §4.5).

Items 1-5 (physical function) score 5 to 0, with N/A allowed; items 6-10 (social and
well-being function) score 6 to 1, negatively worded items reversed. Each subscale is
0-100, higher is better [S57]. The formulas ``(sum - N) / N x 25`` (physical) and
``(sum - N) / N x 20`` (social), over the N items answered, are UNSOURCED (from the
FDI worksheet; verify), as is the exact item wording.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.scoring.definition import define_instrument
from planner.scoring.items import Choice
from planner.scoring.items import parse_items
from planner.scoring.items import section_items

CODE = "fdi"
TITLE = "Facial Disability Index"
FORMULA_VERSION = "fdi-unsourced-v1"
PROVENANCE = (
    "Subscales, item topics and response points from [S57], [S57b]; the exact item "
    "wording and the labels 'a little' and 'some difficulty' and of the social "
    "frequency scale are UNSOURCED. The formulas Physical = (sum - N) / N x 25 and "
    "Social = (sum - N) / N x 20 over the N items answered are UNSOURCED "
    "(clinical reference §4.5). Excluding 'did not do for other reasons' (0) like "
    "N/A is an UNSOURCED convention that keeps Physical within 0-100. The FDI has "
    "no sourced total: the headline shown is the Physical function subscale. Raw "
    "answers are stored so scores can be recomputed."
)
NOT_APPLICABLE = "na"
# "Did not do for other reasons" says nothing about facial function; scored as N/A.
OTHER_REASONS = 0
PHYSICAL_SCALE = 25  # (sum - N) / N ranges 0-4 over answers 1-5
SOCIAL_SCALE = 20  # (sum - N) / N ranges 0-5 over points 1-6
REVERSED_POINTS = 7  # a negatively worded item scores 7 - points, so 6 <-> 1

PHYSICAL_SECTION = "Physical function: how much difficulty did you have with…"
SOCIAL_SECTION = "Social and well-being function: how much of the time have you…"

PHYSICAL_CHOICES = (
    Choice(5, "No difficulty"),
    Choice(4, "A little difficulty"),
    Choice(3, "Some difficulty"),
    Choice(2, "Much difficulty"),
    Choice(1, "Did not do because of health"),
    Choice(0, "Did not do for other reasons"),
    Choice(NOT_APPLICABLE, "Not applicable"),
)
# Stored as the frequency, so reversal stays in the formula and can be recomputed.
FREQUENCIES: dict[str, tuple[str, int]] = {
    "all": ("All of the time", 6),
    "most": ("Most of the time", 5),
    "good_bit": ("A good bit of the time", 4),
    "some": ("Some of the time", 3),
    "little": ("A little of the time", 2),
    "none": ("None of the time", 1),
}
SOCIAL_CHOICES = tuple(Choice(key, label) for key, (label, _) in FREQUENCIES.items())

PHYSICAL_ITEMS = section_items(
    PHYSICAL_SECTION,
    {
        "q1": "Keeping food in your mouth, moving it around, or food stuck in your "
        "cheek while eating",
        "q2": "Drinking from a cup",
        "q3": "Saying specific sounds while speaking",
        "q4": "Your eye tearing excessively or becoming dry",
        "q5": "Brushing your teeth or rinsing your mouth",
    },
    choices=PHYSICAL_CHOICES,
)
SOCIAL_ITEMS = section_items(
    SOCIAL_SECTION,
    {
        "q6": "Felt calm and peaceful",
        "q7": "Isolated yourself from people around you",
        "q8": "Been irritable towards those around you",
        "q9": "Woken early or woken several times during the night",
        "q10": "Been kept by your facial function from going out or taking part in "
        "family or social activities",
    },
    choices=SOCIAL_CHOICES,
)
# Negatively worded: "all of the time" is the worst answer ([S57], [S57b]).
NEGATIVE_ITEMS = frozenset({"q7", "q8", "q9", "q10"})
ITEMS = PHYSICAL_ITEMS + SOCIAL_ITEMS


@dataclass(frozen=True)
class FDIScore:
    """Subscales 0-100, higher is better; None when no item could be scored."""

    physical: float | None
    social: float
    physical_answered: int  # N: items 1-5 neither N/A nor "other reasons"
    social_answered: int


def social_points(key: str, frequency: str) -> int:
    """Return an answer's points, 6 best to 1 worst, reversing negative items."""
    points = FREQUENCIES[frequency][1]
    return REVERSED_POINTS - points if key in NEGATIVE_ITEMS else points


def score_fdi(items: Mapping[str, Any]) -> FDIScore:
    """Score the ten FDI answers (``q1`` to ``q10``); N/A items are left out.

    :raises ScoringError: naming each missing or invalid item.
    """
    answers = parse_items(TITLE, ITEMS, items)
    physical = [
        answers[item.key]
        for item in PHYSICAL_ITEMS
        if answers[item.key] not in (NOT_APPLICABLE, OTHER_REASONS)
    ]
    social = [social_points(item.key, answers[item.key]) for item in SOCIAL_ITEMS]
    return FDIScore(
        physical=_subscale(physical, PHYSICAL_SCALE) if physical else None,
        social=_subscale(social, SOCIAL_SCALE),
        physical_answered=len(physical),
        social_answered=len(social),
    )


def _subscale(points: list[int], scale: int) -> float:
    """Return (sum - N) / N x scale over the N answered items (N above 0)."""
    count = len(points)
    return (sum(points) - count) / count * scale


DEFINITION = define_instrument(
    code=CODE,
    title=TITLE,
    items=ITEMS,
    scorer=score_fdi,
    headline=lambda score: score.physical,
    formula_version=FORMULA_VERSION,
    provenance=PROVENANCE,
    higher_is_better=True,
    reference="VanSwearingen & Brach 1996 [S57]; items [S57b]; §4.5",
)
