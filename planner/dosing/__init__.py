"""Pure dosing: units to volume within one product, and the chair's safety checks.

No flask, no database: inputs are plain values and frozen dataclasses, and time comes
in as an explicit ``now`` or date. Units are never converted between products.
"""

from planner.dosing.checks import HARD_STOPS
from planner.dosing.checks import check_contraindications
from planner.dosing.checks import check_dose_changes
from planner.dosing.checks import check_open_drafts
from planner.dosing.checks import check_product_change
from planner.dosing.checks import check_smile_muscles
from planner.dosing.checks import cycle_so_far
from planner.dosing.checks import run_all_checks
from planner.dosing.checks import sort_warnings
from planner.dosing.cycle_checks import check_booster
from planner.dosing.cycle_checks import check_exposure
from planner.dosing.cycle_checks import check_top_up
from planner.dosing.cycle_checks import top_up_problem
from planner.dosing.cycle_checks import window_opening
from planner.dosing.dilution import DilutionCheck
from planner.dosing.dilution import brand_dilutions
from planner.dosing.dilution import check_dilution
from planner.dosing.dilution import check_lot_dilution
from planner.dosing.dilution import diluent_problem
from planner.dosing.dose_limits import check_dose_limits
from planner.dosing.dose_steps import DoseStep
from planner.dosing.dose_steps import dose_step
from planner.dosing.marker_scale import marker_largest_units
from planner.dosing.product_doses import SHIPPED_DOSES
from planner.dosing.product_doses import DoseLimit
from planner.dosing.product_doses import ProductDoses
from planner.dosing.product_doses import has_dose_reference
from planner.dosing.product_doses import shipped_doses
from planner.dosing.records import CLINIC_SETTING
from planner.dosing.records import ClinicRules
from planner.dosing.records import Contraindications
from planner.dosing.records import CycleTimes
from planner.dosing.records import LabelDilution
from planner.dosing.records import LotInfo
from planner.dosing.records import PastSession
from planner.dosing.records import PlannedSession
from planner.dosing.records import PlannedSite
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.records import VialShare
from planner.dosing.records import muscle_totals
from planner.dosing.records import product_from_reference
from planner.dosing.table import DilutionRow
from planner.dosing.table import DoseVolume
from planner.dosing.table import dilution_table
from planner.dosing.timing import check_cumulative_cap
from planner.dosing.timing import check_interval
from planner.dosing.timing import check_lot
from planner.dosing.timing import last_cycle_sessions
from planner.dosing.timing import last_full_session
from planner.dosing.timing import units_in_cap_window
from planner.dosing.vial_content import check_vial_content
from planner.dosing.volume import MIN_DOSE_UNITS
from planner.dosing.volume import SyringeDraw
from planner.dosing.volume import concentration
from planner.dosing.volume import format_dose
from planner.dosing.volume import format_draw
from planner.dosing.volume import format_marks
from planner.dosing.volume import format_units
from planner.dosing.volume import format_volume_ml
from planner.dosing.volume import remaining_units
from planner.dosing.volume import syringe_draw
from planner.dosing.volume import syringe_marks
from planner.dosing.volume import syringe_size_ml
from planner.dosing.volume import units_per_tenth_ml
from planner.dosing.volume import vials_used
from planner.dosing.volume import volume_ml
from planner.dosing.windows import cap_window
from planner.dosing.windows import months_before

__all__ = [
    "CLINIC_SETTING",
    "HARD_STOPS",
    "CycleTimes",
    "DilutionCheck",
    "LabelDilution",
    "DoseLimit",
    "ProductDoses",
    "SHIPPED_DOSES",
    "brand_dilutions",
    "check_dilution",
    "check_lot_dilution",
    "check_dose_limits",
    "check_exposure",
    "check_open_drafts",
    "check_booster",
    "check_top_up",
    "cycle_so_far",
    "diluent_problem",
    "has_dose_reference",
    "shipped_doses",
    "top_up_problem",
    "window_opening",
    "ClinicRules",
    "Contraindications",
    "DilutionRow",
    "DoseStep",
    "DoseVolume",
    "LotInfo",
    "MIN_DOSE_UNITS",
    "PastSession",
    "PlannedSession",
    "PlannedSite",
    "Product",
    "SafetyWarning",
    "SyringeDraw",
    "VialShare",
    "cap_window",
    "check_contraindications",
    "check_cumulative_cap",
    "check_dose_changes",
    "check_interval",
    "check_lot",
    "check_vial_content",
    "check_product_change",
    "check_smile_muscles",
    "concentration",
    "dilution_table",
    "dose_step",
    "format_units",
    "format_dose",
    "format_draw",
    "format_marks",
    "format_volume_ml",
    "marker_largest_units",
    "last_cycle_sessions",
    "last_full_session",
    "months_before",
    "muscle_totals",
    "product_from_reference",
    "remaining_units",
    "run_all_checks",
    "sort_warnings",
    "syringe_draw",
    "syringe_marks",
    "syringe_size_ml",
    "units_in_cap_window",
    "units_per_tenth_ml",
    "vials_used",
    "volume_ml",
]
