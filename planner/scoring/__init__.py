"""Pure scoring of the outcome instruments: Sunnybrook, eFACE, House-Brackmann, SAQ
and FDI (clinical reference §4).

No flask, no database: answers come in as plain mappings (nested JSON or a form's
dotted fields) and scores go out as frozen dataclasses or a :class:`ScoreResult`
ready for ``Assessment.scores``/``total``/``formula_version``. Every formula carries
its source tag and a ``FORMULA_VERSION``; where the clinical reference marks wording
or a formula PARTIAL or UNSOURCED, the instrument's ``provenance`` says so.
"""

from planner.scoring.definition import InstrumentDefinition
from planner.scoring.definition import ScoreResult
from planner.scoring.definition import ScoreValue
from planner.scoring.eface import EFaceScore
from planner.scoring.eface import score_eface
from planner.scoring.eface import static_item_score
from planner.scoring.fdi import FDIScore
from planner.scoring.fdi import score_fdi
from planner.scoring.house_brackmann import HouseBrackmannScore
from planner.scoring.house_brackmann import score_house_brackmann
from planner.scoring.items import Choice
from planner.scoring.items import Item
from planner.scoring.items import ScoringError
from planner.scoring.items import Slider
from planner.scoring.registry import INSTRUMENTS
from planner.scoring.registry import get_instrument
from planner.scoring.registry import score_items
from planner.scoring.registry import validate_items
from planner.scoring.saq import SAQScore
from planner.scoring.saq import score_saq
from planner.scoring.sunnybrook import SunnybrookScore
from planner.scoring.sunnybrook import score_sunnybrook

__all__ = [
    "INSTRUMENTS",
    "Choice",
    "EFaceScore",
    "FDIScore",
    "HouseBrackmannScore",
    "InstrumentDefinition",
    "Item",
    "SAQScore",
    "ScoreResult",
    "ScoreValue",
    "ScoringError",
    "Slider",
    "SunnybrookScore",
    "get_instrument",
    "score_eface",
    "score_fdi",
    "score_house_brackmann",
    "score_items",
    "score_saq",
    "score_sunnybrook",
    "static_item_score",
    "validate_items",
]
