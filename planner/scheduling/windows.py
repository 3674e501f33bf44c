"""The toxin cycle's follow-up windows: the review and the re-treatment window.

All arithmetic is on calendar dates, which carry no time zone: "14 days after 31 Jan"
is 14 Feb wherever the clinic is. Turning a moment into the clinic's calendar day is
the one zone-aware step, done by ``planner.clinic_time.local_day``.

Defaults follow the clinical reference §3 (a derived schedule, not a guideline):
review at day 14 ± 3, re-treatment 12 to 16 weeks after the full treatment, never
sooner than 12 weeks (the labels' 3-month minimum interval [S20] [S25] [S26]).

The re-treatment window never opens before the treated product's own minimum
interval, and a re-treatment day is early before it: the caller passes that
interval in days, as the chair's ``interval_short`` check reads it (for Dysport,
whose interval no source gives, the clinic's setting), so the window, the booking
floor and the chair can never disagree.

The window's close is the clinic's estimate of when the effect wears off, and
products are not assumed to last alike (clinical reference §3: Daxxify is
marketed as lasting longer, a low-quality source). So a product may have its own
close, the clinic setting ``retreat_window_end_weeks.<code>``; unset (None or
absent), the clinic-wide close stands (``Rules.from_settings``).
"""

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from datetime import date
from datetime import timedelta

# A hard floor, not a default: no clinic setting may open the window sooner.
MIN_RETREAT_WEEKS = 12

# Clinic setting keys (planner.services.catalogue) for each Rules field.
SETTING_KEYS: Mapping[str, str] = {
    "review_day": "review_day",
    "review_tolerance_days": "review_tolerance_days",
    "retreat_start_weeks": "retreat_window_start_weeks",
    "retreat_end_weeks": "retreat_window_end_weeks",
}
# A product's own close: this prefix and the product's code. A clinic setting.
PRODUCT_CLOSE_PREFIX = "retreat_window_end_weeks."


def product_close_key(product_code: str) -> str:
    """Name the clinic setting that holds a product's own re-treatment close."""
    return PRODUCT_CLOSE_PREFIX + product_code


def _whole_setting(key: str, value: object) -> int:
    """Read a stored setting as a whole number: 12.0 reads as 12; 12.5 is refused."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _require_whole(key, value)


def _require_whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return value


@dataclass(frozen=True)
class Rules:
    """The clinic's follow-up schedule, in days and weeks after a full treatment."""

    review_day: int = 14
    review_tolerance_days: int = 3
    retreat_start_weeks: int = 12
    retreat_end_weeks: int = 16

    def __post_init__(self) -> None:
        for field in fields(self):
            _require_whole(field.name, getattr(self, field.name))
        if self.review_tolerance_days < 0:
            raise ValueError(
                "review_tolerance_days must be 0 or more, "
                f"got {self.review_tolerance_days!r}"
            )
        if self.review_day - self.review_tolerance_days < 1:
            raise ValueError(
                "review_day minus review_tolerance_days must be at least day 1 "
                f"after treatment, got {self.review_day!r} - "
                f"{self.review_tolerance_days!r}"
            )
        if self.retreat_start_weeks < MIN_RETREAT_WEEKS:
            raise ValueError(
                f"retreat_start_weeks must be at least {MIN_RETREAT_WEEKS} "
                "(re-treatment never sooner than 12 weeks), "
                f"got {self.retreat_start_weeks!r}"
            )
        if self.retreat_end_weeks < self.retreat_start_weeks:
            raise ValueError(
                "retreat_end_weeks must not be less than retreat_start_weeks "
                f"({self.retreat_start_weeks!r}), got {self.retreat_end_weeks!r}"
            )
        if self.review_day + self.review_tolerance_days >= 7 * self.retreat_start_weeks:
            raise ValueError(
                "review_day plus review_tolerance_days must fall before the "
                "re-treatment window opens"
            )

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, object], product_code: str | None = None
    ) -> "Rules":
        """Build rules from clinic setting values; missing keys keep the defaults.

        Settings are stored as numbers, so 12.0 reads as 12; 12.5 is rejected.
        With ``product_code``, that product's own close
        (``product_close_key``) replaces the clinic-wide one where it is set; None
        or absent, the clinic-wide close stands.
        """
        values: dict[str, int] = {}
        for name, key in SETTING_KEYS.items():
            if key in settings:
                values[name] = _whole_setting(key, settings[key])
        if product_code is not None:
            key = product_close_key(product_code)
            if settings.get(key) is not None:
                values["retreat_end_weeks"] = _whole_setting(key, settings[key])
        return cls(**values)


DEFAULT_RULES = Rules()


def review_name(review_day: int) -> str:
    """Name the review by its day, as the clinic set it: "review at day 14".

    The 2 weeks of reference §3 [S63] is the shipped default, not a fixed fact,
    so no text says "2-week review".
    """
    return f"review at day {review_day}"


@dataclass(frozen=True)
class Window:
    """Calendar days from ``start`` to ``end`` inclusive, aiming at ``due``."""

    start: date
    due: date
    end: date

    def __post_init__(self) -> None:
        if not self.start <= self.due <= self.end:
            raise ValueError(
                "a window needs start <= due <= end, got "
                f"{self.start.isoformat()}, {self.due.isoformat()}, "
                f"{self.end.isoformat()}"
            )

    def contains(self, day: date) -> bool:
        """Return True when the day lies in the window, both ends included."""
        return self.start <= day <= self.end

    def with_due(self, due: date) -> "Window":
        """Return the same window aiming at another day inside it."""
        return Window(self.start, due, self.end)


@dataclass(frozen=True)
class CycleWindows:
    """The follow-up windows of one cycle, opened by its full treatment."""

    treated_on: date
    review: Window
    retreatment: Window
    # Top-ups given in this cycle, oldest first; they never move the windows.
    top_ups: tuple[date, ...] = ()


def review_window(treated_on: date, rules: Rules = DEFAULT_RULES) -> Window:
    """Return the review window: due on ``review_day``, ± the tolerance in days."""
    due = treated_on + timedelta(days=rules.review_day)
    tolerance = timedelta(days=rules.review_tolerance_days)
    return Window(due - tolerance, due, due + tolerance)


def retreatment_opens_day(rules: Rules, *, min_interval_days: int) -> int:
    """Return the day after a full treatment its re-treatment window opens.

    The clinic's opening day, or the product's minimum interval in days if that is
    later. From it a top-up no longer joins the treatment's cycle: its injections
    are a new full treatment, and one given that day is not early.
    """
    return max(7 * rules.retreat_start_weeks, min_interval_days)


def retreatment_window(
    treated_on: date, rules: Rules = DEFAULT_RULES, *, min_interval_days: int
) -> Window:
    """Return the re-treatment window; it is due on its first day by default.

    It opens on the clinic's opening day or on the product's minimum interval
    (``min_interval_days`` after treatment), whichever is later, so that no day in
    it is early (``early_retreatment``). It closes on the clinic's close, or on
    its opening day when the interval passes the close: the close is the clinic's
    estimate of when the effect wears off (reference §3), not a limit.
    """
    start = treated_on + timedelta(
        days=retreatment_opens_day(rules, min_interval_days=min_interval_days)
    )
    end = max(treated_on + timedelta(weeks=rules.retreat_end_weeks), start)
    return Window(start, start, end)


def cycle_windows(
    full_treated_on: date,
    top_ups: Sequence[date] = (),
    rules: Rules = DEFAULT_RULES,
    *,
    min_interval_days: int,
) -> CycleWindows:
    """Return a cycle's windows, counted from its full treatment only.

    A top-up is part of the cycle its full treatment opened (clinical reference §3):
    it neither restarts the review nor moves the re-treatment window.

    :raises ValueError: a top-up dated before the full treatment (it belongs to an
        earlier cycle, so the caller has grouped the sessions wrongly).
    """
    for top_up in top_ups:
        if top_up < full_treated_on:
            raise ValueError(
                f"top-up on {top_up.isoformat()} is before the full treatment on "
                f"{full_treated_on.isoformat()}"
            )
    return CycleWindows(
        treated_on=full_treated_on,
        review=review_window(full_treated_on, rules),
        retreatment=retreatment_window(
            full_treated_on, rules, min_interval_days=min_interval_days
        ),
        top_ups=tuple(sorted(top_ups)),
    )


@dataclass(frozen=True)
class EarlyRetreatment:
    """A re-treatment day before the product's minimum interval after the last
    full treatment.

    Booking one is a clinical decision: only an injector makes it, with a clinical
    reason (services.appointments).
    """

    last_full_on: date
    day: date
    floor: date

    @property
    def days_after(self) -> int:
        """Return the days from the last full treatment to the planned day."""
        return (self.day - self.last_full_on).days

    @property
    def interval(self) -> str:
        """Name the interval the floor keeps: "12 weeks", or "100 days"."""
        return interval_span((self.floor - self.last_full_on).days)

    def describe(self) -> str:
        """Say how early the day is, in weeks and days after the last treatment."""
        weeks, days = divmod(self.days_after, 7)
        span = f"{weeks} week{'s' if weeks != 1 else ''}"
        if days:
            span += f" {days} day{'s' if days != 1 else ''}"
        return (
            f"{span} after the last full treatment on {_day(self.last_full_on)}; "
            f"re-treatment is due no sooner than {_day(self.floor)} "
            f"({self.interval})"
        )


def _day(value: date) -> str:
    # As people read a date on the chart and the booking page: "25 May 2026".
    return f"{value.day} {value:%b %Y}"


def interval_span(days: int) -> str:
    """Say a minimum interval as the clinic counts it: whole weeks, else days."""
    weeks, rest = divmod(days, 7)
    if rest:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{weeks} week{'s' if weeks != 1 else ''}"


def retreatment_floor(last_full_on: date, min_interval_days: int) -> date:
    """Return the first day a full treatment may follow one given on that day.

    ``min_interval_days`` is that treatment's product's minimum interval, as the
    chair's ``interval_short`` check holds a chart to it.
    """
    return last_full_on + timedelta(days=min_interval_days)


def early_retreatment(
    last_full_on: date | None, day: date, min_interval_days: int
) -> EarlyRetreatment | None:
    """Return how ``day`` falls short of the product's interval, or None if it does not.

    ``last_full_on`` is the calendar day of the last full treatment on or before
    ``day`` (None: no full treatment yet, so nothing to be early after), and
    ``min_interval_days`` its product's minimum interval. The floor is its day plus
    that many days; that day itself is not early, as it is not for the chair.
    """
    if last_full_on is None or day < last_full_on:
        return None
    floor = retreatment_floor(last_full_on, min_interval_days)
    if day >= floor:
        return None
    return EarlyRetreatment(last_full_on, day, floor)
