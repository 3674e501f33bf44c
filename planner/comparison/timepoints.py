"""When in a cycle a score was taken, and which cycle it belongs to.

A cycle's response is its review score against its own pre-treatment score, so
every score is filed by its time point, not only by its date:

- a pre-treatment score (``baseline`` is the first cycle's) belongs to the
  treatment it precedes: the first full treatment on or after its day, signed
  or not, so a score taken on treatment day before the signing files there;
- any other score (review, wear-off, other) belongs to the latest full
  treatment on or before its day.

A review taken after a top-up of its cycle shows the full treatment and the
top-up together: it never judges the full treatment's dose
(``after_top_up``).

Pure: dates in, dates out; the calling service gives the clinic's local days.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime

PRE_TREATMENT = "pre_treatment"
BASELINE = "baseline"
REVIEW = "review"
WEAR_OFF = "wear_off"
OTHER = "other"
# Both mean "before the injections of this cycle"; a baseline is the first one.
PRE_TIMEPOINTS = frozenset({PRE_TREATMENT, BASELINE})
# The toxin takes 2-3 days to act (clinical reference §3 [S20] [S36] [S37]):
# a score taken before day 3 measures nothing of the cycle, so it is never its
# review, whatever the clinic's review window says.
FIRST_EFFECT_DAY = 3


def timepoint_group(code: str) -> str:
    """Return the time point a score is compared under: a baseline is pre-treatment."""
    return PRE_TREATMENT if code in PRE_TIMEPOINTS else code


@dataclass(frozen=True)
class FullTreatment:
    """A full treatment as filing sees it: its session id, its local day and,
    where known, when it was given."""

    session_id: int
    day: date
    performed_at: datetime | None = None


@dataclass(frozen=True)
class FollowUpDays:
    """The clinic's follow-up schedule in days after a full treatment.

    ``review_first`` to ``review_last`` is the review window (both included);
    from ``retreat_first`` on, the patient is due the next cycle.
    """

    review_first: int
    review_last: int
    retreat_first: int

    def __post_init__(self) -> None:
        if not 0 < self.review_first <= self.review_last < self.retreat_first:
            raise ValueError(
                "follow-up days must rise: 0 < review_first <= review_last < "
                f"retreat_first, got {self.review_first}, {self.review_last}, "
                f"{self.retreat_first}"
            )

    @property
    def review_start(self) -> int:
        """Return the window's first day, never before ``FIRST_EFFECT_DAY``."""
        return max(self.review_first, FIRST_EFFECT_DAY)

    def in_review(self, since: int) -> bool:
        """Say whether ``since`` days after treatment is in the review window."""
        return self.review_start <= since <= self.review_last


def file_under(
    day: date,
    timepoint: str,
    treatments: Sequence[FullTreatment],
    *,
    at: datetime | None = None,
) -> FullTreatment | None:
    """Return the full treatment a score taken on ``day`` belongs to, or None.

    ``treatments`` may come in any order. A pre-treatment score goes to the
    first treatment on or after its day (None while that treatment is not
    charted yet); any other score to the latest given before it (None before
    the first treatment). Given the score's time ``at``, a treatment on the
    same day counts only once given: a wear-off taken on the morning of the
    next treatment is the ending cycle's (clinical reference §7).
    """
    ordered = sorted(treatments, key=lambda t: (t.day, t.session_id))
    if timepoint in PRE_TIMEPOINTS:
        return next((t for t in ordered if t.day >= day), None)
    earlier = [t for t in ordered if t.day < day or (t.day == day and _given(t, at))]
    return earlier[-1] if earlier else None


def _given(treatment: FullTreatment, at: datetime | None) -> bool:
    """Say whether a same-day treatment was given by ``at`` (yes when unknown)."""
    if at is None or treatment.performed_at is None:
        return True
    return treatment.performed_at <= at


def after_top_up(assessed_at: datetime, top_ups: Iterable[datetime]) -> bool:
    """Say whether a score was taken after one of its cycle's top-ups.

    Times, not days: a review at 10:00 and a top-up at 11:00 on the same day
    leave the review before the top-up, the score that judges the full
    treatment (clinical reference §3: the top-up follows the 2-week review).
    """
    return any(given < assessed_at for given in top_ups)


def default_timepoint(
    day: date,
    treated_on: Sequence[date],
    follow_up: FollowUpDays,
    *,
    topped_up: bool = False,
) -> str:
    """Suggest the time point of a score taken on ``day``, from the cycle's dates.

    ``treated_on`` holds the days of the patient's full treatments, signed or
    being charted. On a treatment day the score is pre-treatment: the toxin
    takes 2-3 days to act (clinical reference §3 [S20] [S36] [S37]), so nothing
    measured that day shows this cycle's effect. Before any treatment it is the
    baseline (pre-treatment); in the review window (``FollowUpDays.in_review``),
    the review; once the next
    cycle is due, pre-treatment again; otherwise "other", for the clinician to
    say (a wear-off visit, say). Once the cycle has had a top-up
    (``topped_up``, see ``after_top_up``) its review has been taken: a score
    in the window is "other", never a second review.
    """
    if day in treated_on:
        return PRE_TREATMENT
    before = [treated for treated in treated_on if treated < day]
    if not before:
        return PRE_TREATMENT
    since = (day - max(before)).days
    if follow_up.in_review(since):
        return OTHER if topped_up else REVIEW
    if since >= follow_up.retreat_first:
        return PRE_TREATMENT
    return OTHER


def fitting_timepoints(
    since: int | None, follow_up: FollowUpDays, *, treatment_day: bool = False
) -> tuple[str, ...]:
    """Return the time points a score may take: one rule for every path.

    ``since`` counts the clinic days from the latest full treatment given
    before the score (None before the first); ``treatment_day`` says a full
    treatment is given (or charted) that day, so a score may be taken before
    its injections. The clinic's form, its tablet, the API and the patient's
    diary (``self_report_timepoints``) all follow it:

    - a pre-treatment score (or the baseline) before the first treatment, on a
      treatment day, or once the next cycle is due (``retreat_first``);
    - nothing of the cycle before ``FIRST_EFFECT_DAY``: the toxin takes 2-3
      days to act (clinical reference §3 [S20] [S36] [S37]);
    - in the review window, the review, or "other" for a score that is not
      it (one taken after the cycle's top-up, say);
    - outside it, the wear-off or "other".
    """
    before: tuple[str, ...] = ()
    if since is None or treatment_day or since >= follow_up.retreat_first:
        before = (PRE_TREATMENT, BASELINE)
    if since is None or since < FIRST_EFFECT_DAY:
        return before
    if follow_up.in_review(since):
        return (REVIEW, OTHER, *before)
    return (WEAR_OFF, OTHER, *before)


def self_report_timepoints(since: int, follow_up: FollowUpDays) -> tuple[str, ...]:
    """Return the time points a score the patient sends from home may take.

    ``since`` counts the clinic days from the cycle's full treatment. The rule
    is every path's (``fitting_timepoints``), narrowed for the patient: in the
    review window the day decides and the score is the cycle's review,
    nothing else. Outside it the patient says which of two it is: when the
    effect has worn off (the wear-off score), or while it still works
    ("other", kept but compared with nothing). Never a pre-treatment score:
    the patient sends it after this cycle's injections. Before
    ``FIRST_EFFECT_DAY`` none fits: the toxin has not acted yet.
    """
    fitting = fitting_timepoints(since, follow_up)
    if REVIEW in fitting:
        return (REVIEW,)
    return tuple(code for code in fitting if code not in PRE_TIMEPOINTS)
