"""Synkinesis Assessment Questionnaire (Mehta et al. 2007 [S39]; clinical ref. §4.3).

Nine patient-graded items, each 1-5; total = sum / 45 x 100, from 20 to 100, and
higher means worse synkinesis. The item count is PARTIAL (a 10-item draft less one
[S39]); the wording, the response labels and the formula are UNSOURCED (the formula
is consistent with the values reported in [S6]).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.scoring.definition import define_instrument
from planner.scoring.items import Choice
from planner.scoring.items import Item
from planner.scoring.items import parse_items

CODE = "saq"
TITLE = "Synkinesis Assessment Questionnaire"
# The demo seeder (planner/demo/outcomes.py) writes this version for the same formula.
FORMULA_VERSION = "saq-unsourced-v1"
PROVENANCE = (
    "Nine items (PARTIAL: a 10-item draft less one [S39]). Item wording, response "
    "labels and the 20-100 formula (sum / 45 x 100, higher is worse) are UNSOURCED "
    "(clinical reference §4.3); raw answers are stored so scores can be recomputed."
)
MAX_SUM = 45

# UNSOURCED wording, from knowledge of the published form; verify against [S39].
QUESTIONS: tuple[str, ...] = (
    "When I smile, my eye closes.",
    "When I speak, my eye closes.",
    "When I whistle or pucker my lips, my eye closes.",
    "When I smile, my neck tightens.",
    "When I close my eyes, my face gets tight.",
    "When I close my eyes, the corner of my mouth moves.",
    "When I close my eyes, my neck tightens.",
    "When I eat, my eye waters.",
    "When I move my face, my chin develops a dimpled area.",
)
# UNSOURCED labels.
RESPONSES = (
    Choice(1, "Seldom or not at all"),
    Choice(2, "Occasionally"),
    Choice(3, "Sometimes"),
    Choice(4, "Most of the time"),
    Choice(5, "All the time"),
)
ITEMS: tuple[Item, ...] = tuple(
    Item(f"q{number}", question, "Questions", choices=RESPONSES)
    for number, question in enumerate(QUESTIONS, start=1)
)


@dataclass(frozen=True)
class SAQScore:
    """The SAQ total, 20 (no synkinesis) to 100 (worst), unrounded."""

    total: float


def score_saq(items: Mapping[str, Any]) -> SAQScore:
    """Score the nine SAQ answers (keys ``q1`` to ``q9``); every item is required.

    :raises ScoringError: naming each missing or invalid item.
    """
    answers = parse_items(TITLE, ITEMS, items)
    return SAQScore(total=math.fsum(answers.values()) / MAX_SUM * 100)


DEFINITION = define_instrument(
    code=CODE,
    title=TITLE,
    items=ITEMS,
    scorer=score_saq,
    headline=lambda score: score.total,
    formula_version=FORMULA_VERSION,
    provenance=PROVENANCE,
    higher_is_better=False,
    reference="Mehta et al. 2007 [S39]; §4.3",
)
