"""A cycle's recorded time course in order: onset, then peak, then wear-off.

One rule for every path that records it (the clinic's response form, the
patient's diary), so the same values are accepted or refused alike. Each path
words the refusal for its reader. Pure: numbers in, a problem code out.

The toxin takes 2-3 days to act and peaks at 1-2 weeks (clinical reference §3
[S20] [S36] [S37]): the peak cannot come before the onset, and the effect
cannot wear off before it has begun, nor before its peak. A wear-off of 0
weeks is the record of no effect at all (``trends.effect_duration``), and is
left alone.
"""

from planner.comparison.timepoints import FIRST_EFFECT_DAY

PEAK_BEFORE_ONSET = "peak_before_onset"
WEAR_OFF_TOO_EARLY = "wear_off_too_early"
WEAR_OFF_BEFORE_ONSET = "wear_off_before_onset"
WEAR_OFF_BEFORE_PEAK = "wear_off_before_peak"
# The value each problem is reported against.
PROBLEM_FIELDS = {
    PEAK_BEFORE_ONSET: "peak_days",
    WEAR_OFF_TOO_EARLY: "wear_off_weeks",
    WEAR_OFF_BEFORE_ONSET: "wear_off_weeks",
    WEAR_OFF_BEFORE_PEAK: "wear_off_weeks",
}


def time_course_problem(
    onset_days: float | None, peak_days: float | None, wear_off_weeks: float | None
) -> str | None:
    """Return the first problem with the order of the recorded values, or None.

    Days and weeks count from the injection; None is "not recorded". A
    wear-off on or before ``FIRST_EFFECT_DAY`` is too early: the effect had
    not begun.
    """
    if onset_days is not None and peak_days is not None and peak_days < onset_days:
        return PEAK_BEFORE_ONSET
    if not wear_off_weeks:
        return None
    wear_off_days = wear_off_weeks * 7
    if wear_off_days <= FIRST_EFFECT_DAY:
        return WEAR_OFF_TOO_EARLY
    if onset_days is not None and wear_off_days < onset_days:
        return WEAR_OFF_BEFORE_ONSET
    if peak_days is not None and wear_off_days < peak_days:
        return WEAR_OFF_BEFORE_PEAK
    return None
