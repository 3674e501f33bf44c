"""Pure scheduling: follow-up windows, personalised re-treatment timing, free slots.

No flask, no database: inputs are plain values and frozen dataclasses, and time comes
in as explicit dates, aware datetimes and a clinic zone (``zoneinfo.ZoneInfo``).
Windows are calendar dates; slots are UTC intervals.
"""

from planner.clinic_time import local_day
from planner.scheduling.intervals import BookedIndex
from planner.scheduling.intervals import Interval
from planner.scheduling.intervals import conflict_mask
from planner.scheduling.intervals import conflicts
from planner.scheduling.intervals import conflicts_many
from planner.scheduling.intervals import epoch_micros
from planner.scheduling.personal import MIN_CYCLES
from planner.scheduling.personal import RECENT_CYCLES
from planner.scheduling.personal import Suggestion
from planner.scheduling.personal import suggest_retreatment
from planner.scheduling.personal import valid_wear_off_weeks
from planner.scheduling.reminder_time import reminder_due
from planner.scheduling.slots import DEFAULT_SLOT_MINUTES
from planner.scheduling.slots import ClosedDay
from planner.scheduling.slots import ScanOrder
from planner.scheduling.slots import WorkingHours
from planner.scheduling.slots import closed_dates
from planner.scheduling.slots import first_free_slot
from planner.scheduling.slots import free_slots
from planner.scheduling.slots import slot_length
from planner.scheduling.slots import slot_lengths_from_settings
from planner.scheduling.slots import window_days
from planner.scheduling.slots import within_window
from planner.scheduling.windows import DEFAULT_RULES
from planner.scheduling.windows import MIN_RETREAT_WEEKS
from planner.scheduling.windows import PRODUCT_CLOSE_PREFIX
from planner.scheduling.windows import SETTING_KEYS
from planner.scheduling.windows import CycleWindows
from planner.scheduling.windows import EarlyRetreatment
from planner.scheduling.windows import Rules
from planner.scheduling.windows import Window
from planner.scheduling.windows import cycle_windows
from planner.scheduling.windows import early_retreatment
from planner.scheduling.windows import interval_span
from planner.scheduling.windows import product_close_key
from planner.scheduling.windows import retreatment_floor
from planner.scheduling.windows import retreatment_opens_day
from planner.scheduling.windows import retreatment_window
from planner.scheduling.windows import review_name
from planner.scheduling.windows import review_window

__all__ = [
    "DEFAULT_RULES",
    "DEFAULT_SLOT_MINUTES",
    "MIN_CYCLES",
    "MIN_RETREAT_WEEKS",
    "PRODUCT_CLOSE_PREFIX",
    "RECENT_CYCLES",
    "SETTING_KEYS",
    "BookedIndex",
    "ClosedDay",
    "CycleWindows",
    "EarlyRetreatment",
    "Interval",
    "Rules",
    "ScanOrder",
    "Suggestion",
    "Window",
    "WorkingHours",
    "closed_dates",
    "conflict_mask",
    "conflicts",
    "conflicts_many",
    "cycle_windows",
    "early_retreatment",
    "epoch_micros",
    "first_free_slot",
    "free_slots",
    "interval_span",
    "product_close_key",
    "local_day",
    "reminder_due",
    "retreatment_floor",
    "retreatment_opens_day",
    "retreatment_window",
    "review_name",
    "review_window",
    "slot_length",
    "slot_lengths_from_settings",
    "suggest_retreatment",
    "valid_wear_off_weeks",
    "window_days",
    "within_window",
]
