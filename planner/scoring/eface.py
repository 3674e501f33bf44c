"""eFACE, the MEEI clinician-graded facial function scale (clinical reference §4.2).

The 15 items are PARTIAL (assembled from [S48], [S50], [S51]); the official app's
formula was not found. The headline total follows the open-source implementation
[S51]: static items are bidirectional (0-200, 100 balanced) and score
``100 - |100 - x|``; dynamic and synkinesis items score their raw 0-100 value; each
subscore and the total are means of item scores. An alternative total that weights
dynamic items twice ([S46]'s regression) is kept beside it, UNSOURCED as a formula.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.scoring.definition import define_instrument
from planner.scoring.items import Item
from planner.scoring.items import Slider
from planner.scoring.items import parse_items
from planner.scoring.items import section_items

CODE = "eface"
TITLE = "eFACE"
FORMULA_VERSION = "eface-s51-mean-v1"
PROVENANCE = (
    "Items PARTIAL, assembled from [S48], [S50], [S51]; the official eFACE formula "
    "was not found. Total = mean of the 15 item scores, with static items scored "
    "100 - |100 - x|, follows an open-source implementation [S51] (PARTIAL). The "
    "synkinesis direction (100 = none) is PARTIAL. total_dynamic_x2 weights dynamic "
    "items twice, after the regression in [S46]; whether the official total does "
    "so is UNSOURCED (clinical reference §4.2). Raw slider values are stored so "
    "scores can be recomputed."
)
# Dynamic items count twice in the alternative total ([S46]); UNSOURCED as a formula.
DYNAMIC_WEIGHT = 2
BALANCED = 100

STATIC_SECTION = "Static (at rest)"
DYNAMIC_SECTION = "Dynamic"
SYNKINESIS_SECTION = "Synkinesis"

BIDIRECTIONAL = Slider(0, 200, "0-200, 100 = balanced")
MOVEMENT = Slider(0, 100, "0-100, 100 = normal")
EYE_CLOSURE = Slider(0, 100, "0 = incomplete, 100 = complete")
NO_SYNKINESIS = Slider(0, 100, "0-100, 100 = no synkinesis (direction PARTIAL)")

STATIC_ITEMS: tuple[Item, ...] = (
    Item("brow_rest", "Brow at rest", STATIC_SECTION, slider=BIDIRECTIONAL),
    Item(
        "palpebral_fissure_rest",
        "Palpebral fissure at rest",
        STATIC_SECTION,
        slider=Slider(0, 200, "0 = wide, 100 = balanced, 200 = narrow"),
    ),
    *section_items(
        STATIC_SECTION,
        {
            "nasolabial_fold_rest": "Nasolabial fold depth at rest",
            "oral_commissure_rest": "Oral commissure at rest",
        },
        slider=BIDIRECTIONAL,
    ),
)
DYNAMIC_ITEMS: tuple[Item, ...] = (
    Item("brow_elevation", "Brow elevation", DYNAMIC_SECTION, slider=MOVEMENT),
    *section_items(
        DYNAMIC_SECTION,
        {
            "gentle_eye_closure": "Gentle eye closure",
            "full_eye_closure": "Full-effort eye closure",
        },
        slider=EYE_CLOSURE,
    ),
    *section_items(
        DYNAMIC_SECTION,
        {
            "oral_commissure_smile": "Oral commissure movement with smile",
            "nasolabial_fold_depth_smile": "Nasolabial fold depth with smile",
            "nasolabial_fold_orientation_smile": "Nasolabial fold orientation with "
            "smile",
            "lower_lip_eeee": 'Lower-lip movement (DLI) with "EEEE"',
        },
        slider=MOVEMENT,
    ),
)
SYNKINESIS_ITEMS = section_items(
    SYNKINESIS_SECTION,
    {
        "ocular_synkinesis": "Ocular synkinesis",
        "midfacial_synkinesis": "Midfacial synkinesis",
        "mentalis_synkinesis": "Mentalis synkinesis",
        "platysmal_synkinesis": "Platysmal synkinesis",
    },
    slider=NO_SYNKINESIS,
)
ITEMS = STATIC_ITEMS + DYNAMIC_ITEMS + SYNKINESIS_ITEMS


@dataclass(frozen=True)
class EFaceScore:
    """Subscores and totals on 0-100 scales, 100 is best."""

    static: float
    dynamic: float
    synkinesis: float
    total: float  # mean of all 15 item scores [S51]: the headline
    total_dynamic_x2: float  # dynamic items weighted twice: UNSOURCED


def static_item_score(value: float) -> float:
    """Score a bidirectional 0-200 static item: 100 balanced, 0 and 200 score 0."""
    return BALANCED - abs(BALANCED - value)


def score_eface(items: Mapping[str, Any]) -> EFaceScore:
    """Score an eFACE from its 15 raw slider values.

    :raises ScoringError: naming each missing or out-of-range item.
    """
    answers = parse_items(TITLE, ITEMS, items)
    static = [float(static_item_score(answers[item.key])) for item in STATIC_ITEMS]
    dynamic = [float(answers[item.key]) for item in DYNAMIC_ITEMS]
    synkinesis = [float(answers[item.key]) for item in SYNKINESIS_ITEMS]
    weighted = math.fsum(static) + DYNAMIC_WEIGHT * math.fsum(dynamic)
    weighted += math.fsum(synkinesis)
    weights = len(static) + DYNAMIC_WEIGHT * len(dynamic) + len(synkinesis)
    return EFaceScore(
        static=_mean(static),
        dynamic=_mean(dynamic),
        synkinesis=_mean(synkinesis),
        total=_mean(static + dynamic + synkinesis),
        total_dynamic_x2=weighted / weights,
    )


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


DEFINITION = define_instrument(
    code=CODE,
    title=TITLE,
    items=ITEMS,
    scorer=score_eface,
    headline=lambda score: score.total,
    formula_version=FORMULA_VERSION,
    provenance=PROVENANCE,
    higher_is_better=True,
    reference="Banks et al. 2015/2016 [S46], [S47]; items [S48], [S50], [S51]; §4.2",
)
