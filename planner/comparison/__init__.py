"""Compare treatment cycles: dose matrices, cycle diffs, score trends, durations.

Pure: no Flask and no database. The calling service turns rows into the frozen
dataclasses in ``records`` and gets numpy arrays and small dataclasses back.
Units are never converted or compared across products; results say where the
product changed so the page can mark it.
"""

from planner.comparison.diff import DEFAULT_MOVED_TOLERANCE
from planner.comparison.diff import ChangeKind
from planner.comparison.diff import MuscleDoseChange
from planner.comparison.diff import SiteChange
from planner.comparison.diff import cycle_diff
from planner.comparison.diff import muscle_dose_changes
from planner.comparison.diff import pair_nearest
from planner.comparison.matrix import DoseMatrix
from planner.comparison.matrix import FloatArray
from planner.comparison.matrix import cycle_totals
from planner.comparison.matrix import dose_matrix
from planner.comparison.matrix import muscles_treated
from planner.comparison.records import CycleResponse
from planner.comparison.records import CycleSites
from planner.comparison.records import ScorePoint
from planner.comparison.records import Side
from planner.comparison.records import SitePoint
from planner.comparison.trends import MIN_PAIRS_FOR_FIT
from planner.comparison.trends import DoseResponse
from planner.comparison.trends import EffectDuration
from planner.comparison.trends import Trend
from planner.comparison.trends import dose_response
from planner.comparison.trends import effect_duration
from planner.comparison.trends import score_trend
from planner.vocabulary import SIDES

__all__ = [
    "DEFAULT_MOVED_TOLERANCE",
    "MIN_PAIRS_FOR_FIT",
    "SIDES",
    "ChangeKind",
    "CycleResponse",
    "CycleSites",
    "DoseMatrix",
    "DoseResponse",
    "EffectDuration",
    "FloatArray",
    "MuscleDoseChange",
    "ScorePoint",
    "Side",
    "SiteChange",
    "SitePoint",
    "Trend",
    "cycle_diff",
    "cycle_totals",
    "dose_matrix",
    "dose_response",
    "effect_duration",
    "muscle_dose_changes",
    "muscles_treated",
    "pair_nearest",
    "score_trend",
]
