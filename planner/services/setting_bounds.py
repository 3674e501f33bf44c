"""The range each scalar clinic setting may take, checked when it is saved."""

from dataclasses import dataclass

from planner.services.product_close import close_keys
from planner.services.product_rules import interval_settings


@dataclass(frozen=True)
class Bounds:
    """The range a scalar setting may take; ``whole`` for day and week counts."""

    low: float
    high: float
    unit: str
    whole: bool = True
    # Blank is allowed and means unset: a product's own close, where the
    # clinic-wide one then stands.
    optional: bool = False


SCALAR_BOUNDS: dict[str, Bounds] = {
    "review_day": Bounds(7, 28, "days"),
    "review_tolerance_days": Bounds(0, 7, "days"),
    # Never before 12 weeks: the labels' 3-month minimum interval [S20] [S25] [S26].
    "retreat_window_start_weeks": Bounds(12, 24, "weeks"),
    "retreat_window_end_weeks": Bounds(12, 30, "weeks"),
    "reminder_days_before": Bounds(0, 14, "days"),
    "dose_change_reason_share": Bounds(0.05, 2.0, "", whole=False),
    "slot_minutes_treatment": Bounds(5, 120, "minutes"),
    "slot_minutes_review": Bounds(5, 120, "minutes"),
    "slot_minutes_assessment": Bounds(5, 120, "minutes"),
    "slot_minutes_other": Bounds(5, 120, "minutes"),
    "stock_expiry_alert_days": Bounds(0, 365, "days"),
    "stock_low_vials": Bounds(0, 100, "vials"),
    "diary_link_weeks": Bounds(2, 52, "weeks"),
    "diary_weekly_invite_days": Bounds(0, 28, "days"),
    "consent_valid_months": Bounds(1, 60, "months"),
    # A product's minimum interval no source gives (Dysport's), in whole clinic
    # days: at least 4 weeks, since sooner is a booster injection on any reading
    # (clinical reference §2.4, §7); at most a year, well past the 3–4 months the
    # effect lasts [S16], so a typing slip cannot silence the warning for good.
    **{key: Bounds(28, 365, "days") for key, *_ in interval_settings()},
    # A product's own close, bounded as the clinic-wide one is.
    **{key: Bounds(12, 30, "weeks", optional=True) for key in close_keys()},
}
