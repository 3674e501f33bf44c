"""Compare treatment cycles: dose matrices, diffs, responses, ledger, durations.

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
from planner.comparison.ledger import LedgerDoses
from planner.comparison.ledger import full_treatment
from planner.comparison.ledger import ledger_doses
from planner.comparison.matrix import DoseMatrix
from planner.comparison.matrix import FloatArray
from planner.comparison.matrix import cycle_totals
from planner.comparison.matrix import dose_matrix
from planner.comparison.matrix import muscles_treated
from planner.comparison.muscle_dose import SMALL_N
from planner.comparison.muscle_dose import MuscleResponse
from planner.comparison.muscle_dose import muscle_responses
from planner.comparison.muscle_dose import treated_muscles
from planner.comparison.records import CycleResponse
from planner.comparison.records import CycleSites
from planner.comparison.records import ScorePoint
from planner.comparison.records import Side
from planner.comparison.records import SitePoint
from planner.comparison.response import ScoreCourse
from planner.comparison.response import TimePointScores
from planner.comparison.response import score_course
from planner.comparison.response import time_point_scores
from planner.comparison.time_course import PROBLEM_FIELDS
from planner.comparison.time_course import time_course_problem
from planner.comparison.timepoints import FIRST_EFFECT_DAY
from planner.comparison.timepoints import PRE_TIMEPOINTS
from planner.comparison.timepoints import FollowUpDays
from planner.comparison.timepoints import FullTreatment
from planner.comparison.timepoints import after_top_up
from planner.comparison.timepoints import default_timepoint
from planner.comparison.timepoints import file_under
from planner.comparison.timepoints import fitting_timepoints
from planner.comparison.timepoints import self_report_timepoints
from planner.comparison.timepoints import timepoint_group
from planner.comparison.trends import MIN_PAIRS_FOR_FIT
from planner.comparison.trends import DoseResponse
from planner.comparison.trends import EffectDuration
from planner.comparison.trends import Trend
from planner.comparison.trends import dose_response
from planner.comparison.trends import effect_duration
from planner.comparison.trends import pick_score
from planner.comparison.trends import score_trend
from planner.vocabulary import SIDES

__all__ = [
    "DEFAULT_MOVED_TOLERANCE",
    "FIRST_EFFECT_DAY",
    "MIN_PAIRS_FOR_FIT",
    "PRE_TIMEPOINTS",
    "PROBLEM_FIELDS",
    "SIDES",
    "SMALL_N",
    "ChangeKind",
    "CycleResponse",
    "CycleSites",
    "DoseMatrix",
    "DoseResponse",
    "EffectDuration",
    "FloatArray",
    "FollowUpDays",
    "FullTreatment",
    "LedgerDoses",
    "MuscleDoseChange",
    "MuscleResponse",
    "ScoreCourse",
    "ScorePoint",
    "Side",
    "SiteChange",
    "SitePoint",
    "TimePointScores",
    "Trend",
    "after_top_up",
    "cycle_diff",
    "cycle_totals",
    "default_timepoint",
    "dose_matrix",
    "dose_response",
    "effect_duration",
    "file_under",
    "fitting_timepoints",
    "full_treatment",
    "ledger_doses",
    "muscle_dose_changes",
    "muscle_responses",
    "muscles_treated",
    "pair_nearest",
    "pick_score",
    "score_course",
    "score_trend",
    "self_report_timepoints",
    "time_course_problem",
    "time_point_scores",
    "timepoint_group",
    "treated_muscles",
]
