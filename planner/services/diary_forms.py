"""What the patient's diary asks, in plain words, and how its answers are checked.

The side effects and the advice for the urgent ones follow the clinical
reference, section 6.3 ("When to seek help"): difficulty swallowing, speaking or
breathing is the labels' boxed warning on distant spread of toxin effect, and
means seek medical help immediately [S35] [S27] [S28]; eyelid droop, an eye that
does not close fully and drooling mean contact the clinic [S13] [S63].
"""

from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic import model_validator

from planner import comparison
from planner.clinic_time import day_text
from planner.validation import blank_as_none
from planner.validation import strip_or_none

# The reference's tags for the emergency advice, shown with it on the page.
EMERGENCY_SOURCE = (
    "Clinical reference §6.3: the medicine labels' boxed warning on spread of "
    "the toxin [S35] [S27] [S28]."
)
CALL_SOURCE = "Clinical reference §6.3 [S13] [S63]."


class SideEffect(StrEnum):
    EYELID_DROOP = "eyelid_droop"
    EYE_NOT_CLOSING = "eye_not_closing"
    DROOLING = "drooling"
    DIFFICULTY_SWALLOWING = "difficulty_swallowing"
    DIFFICULTY_SPEAKING_BREATHING = "difficulty_speaking_breathing"
    OTHER = "other"


SIDE_EFFECT_WORDS: dict[SideEffect, str] = {
    SideEffect.EYELID_DROOP: "My eyelid droops",
    SideEffect.EYE_NOT_CLOSING: "My eye does not close fully",
    SideEffect.DROOLING: "I drool, or drinks leak from my mouth",
    SideEffect.DIFFICULTY_SWALLOWING: "It is hard to swallow",
    SideEffect.DIFFICULTY_SPEAKING_BREATHING: "It is hard to speak or to breathe",
    SideEffect.OTHER: "Something else",
}
URGENT = frozenset(
    {SideEffect.DIFFICULTY_SWALLOWING, SideEffect.DIFFICULTY_SPEAKING_BREATHING}
)


class FaceThisWeek(StrEnum):
    RELAXED = "relaxed"
    SAME = "same"
    TIGHTER = "tighter"
    LIKE_BEFORE = "like_before"


WEEKLY_WORDS: dict[FaceThisWeek, str] = {
    FaceThisWeek.RELAXED: "More relaxed than last week",
    FaceThisWeek.SAME: "About the same as last week",
    FaceThisWeek.TIGHTER: "Tighter than last week",
    FaceThisWeek.LIKE_BEFORE: "Back to how it was before the injections",
}

SAQ_WHEN_WORDS = {
    "two_weeks": "About 2 weeks after the injections",
    "wear_off": "Now that the effect has worn off",
    "still_working": "While the injections are still working",
}
# The time point each answer files the SAQ under (``comparison.timepoints``).
SAQ_WHEN_TIMEPOINTS = {
    "two_weeks": "review",
    "wear_off": "wear_off",
    "still_working": "other",
}


class DayIn(BaseModel):
    """A day the patient noticed something: the onset, or the day it wore off."""

    model_config = ConfigDict(extra="ignore")

    day: date

    _blank = field_validator("day", mode="before")(blank_as_none)


class SideEffectIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    effects: list[SideEffect] = Field(min_length=1, max_length=len(SideEffect))
    other: str | None = Field(default=None, max_length=500)
    day: date

    _blank = field_validator("day", mode="before")(blank_as_none)
    _strip = field_validator("other", mode="before")(strip_or_none)

    @model_validator(mode="after")
    def _other_described(self) -> "SideEffectIn":
        if SideEffect.OTHER in self.effects and not self.other:
            raise ValueError("other: say what you noticed")
        return self

    @property
    def urgent(self) -> bool:
        return any(effect in URGENT for effect in self.effects)


class WeeklyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    face: FaceThisWeek


class SaqWhenIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    when: Literal["two_weeks", "wear_off", "still_working"]


def cycle_timepoint(days: int) -> str:
    """Say when in the cycle a day falls: "day 3", "week 2", "week 14"."""
    if days < 14:
        return f"day {days}"
    return f"week {days // 7}"


@dataclass(frozen=True)
class SaqTiming:
    """Which "when" answers fit the day the patient fills in the SAQ.

    ``choices`` follow from the clinic day (``comparison.self_report_timepoints``):
    none before the toxin acts, "two_weeks" alone in the review window
    (``review_from`` to ``review_to``), else "wear_off" or "still_working".
    """

    since: int
    choices: tuple[str, ...]
    review_from: date
    review_to: date

    @property
    def is_review(self) -> bool:
        """Say whether today is the review: the day decides, the page does not ask."""
        return self.choices == ("two_weeks",)

    @property
    def window(self) -> str:
        return f"{day_text(self.review_from)} to {day_text(self.review_to)}"


def saq_timing(
    treated_on: date, today: date, follow_up: comparison.FollowUpDays
) -> SaqTiming:
    """Say which "when" answers fit ``today``, days counted from ``treated_on``."""
    since = (today - treated_on).days
    allowed = comparison.self_report_timepoints(since, follow_up)
    return SaqTiming(
        since=since,
        choices=tuple(
            when for when, point in SAQ_WHEN_TIMEPOINTS.items() if point in allowed
        ),
        review_from=treated_on + timedelta(days=follow_up.review_start),
        review_to=treated_on + timedelta(days=follow_up.review_last),
    )


def saq_when(timing: SaqTiming, when: str) -> str:
    """Return the answer the SAQ is filed by, or raise ValueError saying why not.

    In the review window the day decides: the answer is "two_weeks" whatever
    was sent (a page opened the day before). The message is the patient's.
    """
    if not timing.choices:
        raise ValueError(
            "It is too early for these questions. The injections take 2 to 3 "
            "days to start working. Please answer them about 2 weeks after your "
            f"injections, from {timing.window}."
        )
    if timing.is_review:
        return "two_weeks"
    if when not in timing.choices:
        raise ValueError(
            "Today is not about 2 weeks after your injections (that is "
            f"{timing.window}). Please say whether the effect has worn off."
        )
    return when


def _after(treated_on: date, days: float) -> str:
    return day_text(treated_on + timedelta(days=int(days)))


def time_course_words(
    problem: str,
    *,
    sent: str,
    treated_on: date,
    onset_days: float | None,
    peak_days: float | None,
    wear_off_weeks: float | None,
) -> str:
    """Say to the patient why the day sent (``sent``: its field) is out of order.

    ``problem`` is ``comparison.time_course_problem``'s, on the cycle's values
    with the patient's in place.
    """
    if problem == "wear_off_too_early":
        return (
            "The injections take 2 to 3 days to start working, so they cannot "
            "have worn off by then. If you noticed no change at all, please "
            "call the clinic."
        )
    if problem == "peak_before_onset" and peak_days is not None:
        return (
            "The clinic noted your injections working at their best by "
            f"{_after(treated_on, peak_days)}, so they started before then. "
            "Please check the date."
        )
    if problem == "wear_off_before_peak" and peak_days is not None:
        return (
            "This is before the clinic noted your injections working at their "
            f"best ({_after(treated_on, peak_days)}). Please check the date."
        )
    if sent == "onset_days" and wear_off_weeks is not None:
        return (
            "This is after the day the effect wore off "
            f"({_after(treated_on, wear_off_weeks * 7)}). Please check the date."
        )
    if onset_days is not None:
        return (
            "This is before the day your injections started working "
            f"({_after(treated_on, onset_days)}). Please check the date."
        )
    return "Please check the date."
