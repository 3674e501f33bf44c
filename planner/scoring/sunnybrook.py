"""Sunnybrook Facial Grading System (Ross et al. 1996 [S41]; clinical reference §4.1).

Composite = voluntary movement - resting symmetry - synkinesis [S43]. The item points
and the weights (resting x5, voluntary x4, synkinesis x1) are PARTIAL: corroborated
by open-source implementations [S51b], the original form was not retrieved.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planner.scoring.definition import define_instrument
from planner.scoring.items import Choice
from planner.scoring.items import Item
from planner.scoring.items import parse_items

CODE = "sunnybrook"
TITLE = "Sunnybrook Facial Grading System"
# The demo seeder (planner/demo/outcomes.py) writes this version for the same formula.
FORMULA_VERSION = "sunnybrook-1996"
PROVENANCE = (
    "Structure and composite (voluntary - resting - synkinesis) from Ross 1996 "
    "[S41], [S43], [S44]. Item points and the weights x5, x4, x1 are PARTIAL: "
    "corroborated by open-source implementations [S51b], the original form was not "
    "retrieved (clinical reference §4.1). The raw composite ranges -15 to 100; "
    "showing it clamped at 0 is an UNSOURCED convention. Raw answers are stored so "
    "scores can be recomputed."
)
RESTING_WEIGHT = 5
VOLUNTARY_WEIGHT = 4
SYNKINESIS_WEIGHT = 1

# Resting answers and their points, compared with the normal side (§4.1 A).
RESTING_POINTS: dict[str, dict[str, int]] = {
    "eye": {"normal": 0, "narrow": 1, "wide": 1, "eyelid_surgery": 1},
    "cheek": {"normal": 0, "absent": 2, "less_pronounced": 1, "more_pronounced": 1},
    "mouth": {"normal": 0, "corner_drooped": 1, "corner_pulled_up": 1},
}
RESTING_LABELS: dict[str, tuple[str, dict[str, str]]] = {
    "eye": (
        "Eye (palpebral fissure)",
        {
            "normal": "Normal",
            "narrow": "Narrow",
            "wide": "Wide",
            "eyelid_surgery": "Eyelid surgery",
        },
    ),
    "cheek": (
        "Cheek (nasolabial fold)",
        {
            "normal": "Normal",
            "absent": "Absent",
            "less_pronounced": "Less pronounced",
            "more_pronounced": "More pronounced",
        },
    ),
    "mouth": (
        "Mouth",
        {
            "normal": "Normal",
            "corner_drooped": "Corner drooped",
            "corner_pulled_up": "Corner pulled up/out",
        },
    ),
}
# The five standard expressions and the muscles the form names (§4.1 B).
EXPRESSIONS: dict[str, str] = {
    "brow_lift": "Forehead wrinkle / brow lift (frontalis)",
    "gentle_eye_closure": "Gentle eye closure (orbicularis oculi)",
    "open_mouth_smile": "Open-mouth smile (zygomaticus / risorius)",
    "snarl": "Snarl (levator labii superioris / LLSAN)",
    "lip_pucker": "Lip pucker (orbicularis oris)",
}
VOLUNTARY_CHOICES = (
    Choice(1, "Unable to initiate movement"),
    Choice(2, "Initiates slight movement"),
    Choice(3, "Initiated movement with mild excursion"),
    Choice(4, "Movement almost complete"),
    Choice(5, "Movement complete"),
)
SYNKINESIS_CHOICES = (
    Choice(0, "None"),
    Choice(1, "Mild"),
    Choice(2, "Moderate", "Obvious but not disfiguring"),
    Choice(3, "Severe", "Disfiguring, gross mass movement"),
)
RESTING_SECTION = "Resting symmetry"
VOLUNTARY_SECTION = "Symmetry of voluntary movement"
SYNKINESIS_SECTION = "Synkinesis"

ITEMS: tuple[Item, ...] = (
    *(
        Item(
            f"resting.{feature}",
            label,
            RESTING_SECTION,
            choices=tuple(Choice(value, text) for value, text in options.items()),
        )
        for feature, (label, options) in RESTING_LABELS.items()
    ),
    *(
        Item(f"voluntary.{key}", label, VOLUNTARY_SECTION, choices=VOLUNTARY_CHOICES)
        for key, label in EXPRESSIONS.items()
    ),
    *(
        Item(f"synkinesis.{key}", label, SYNKINESIS_SECTION, choices=SYNKINESIS_CHOICES)
        for key, label in EXPRESSIONS.items()
    ),
)


@dataclass(frozen=True)
class SunnybrookScore:
    """Subscores and composite; ``composite`` is raw (-15..100), never clamped."""

    resting: int  # 0-20, 0 is best
    voluntary: int  # 20-100, 100 is best
    synkinesis: int  # 0-15, 0 is best
    composite: int  # -15..100
    composite_display: int  # composite clamped at 0 (UNSOURCED convention)


def score_sunnybrook(items: Mapping[str, Any]) -> SunnybrookScore:
    """Score a Sunnybrook grading from nested or dotted answers.

    :raises ScoringError: naming each missing or invalid item.
    """
    answers = parse_items(TITLE, ITEMS, items)
    resting = RESTING_WEIGHT * sum(
        RESTING_POINTS[feature][answer]
        for feature, answer in answers["resting"].items()
    )
    voluntary = VOLUNTARY_WEIGHT * sum(answers["voluntary"].values())
    synkinesis = SYNKINESIS_WEIGHT * sum(answers["synkinesis"].values())
    composite = voluntary - resting - synkinesis
    return SunnybrookScore(
        resting=resting,
        voluntary=voluntary,
        synkinesis=synkinesis,
        composite=composite,
        composite_display=max(composite, 0),
    )


DEFINITION = define_instrument(
    code=CODE,
    title=TITLE,
    items=ITEMS,
    scorer=score_sunnybrook,
    headline=lambda score: float(score.composite),
    formula_version=FORMULA_VERSION,
    provenance=PROVENANCE,
    higher_is_better=True,
    reference="Ross, Fradet & Nedzelski 1996 [S41]; clinical reference §4.1",
)
