"""Whether a follow-up setting fits the others: the rules, without the database.

Each follow-up setting is saved on its own, so each is checked against the
others' stored values: two saves that are each in range must not together make
an empty review window or a re-treatment window that closes before it opens.
"""

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from planner.scheduling.windows import PRODUCT_CLOSE_PREFIX
from planner.scheduling.windows import SETTING_KEYS
from planner.scheduling.windows import Rules
from planner.scheduling.windows import interval_span


def _number(stored: Mapping[str, Any], key: str) -> float | None:
    value = stored.get(key)
    return value if isinstance(value, int | float) else None


def _retreat_window_problem(
    key: str, value: float, stored: Mapping[str, Any], label: Callable[[str], str]
) -> str | None:
    """Keep the re-treatment window's opening no later than its close, the
    clinic-wide one and each product's own (``stored`` keys
    ``retreat_window_end_weeks.<code>``)."""
    if key == "retreat_window_end_weeks":
        start = _number(stored, "retreat_window_start_weeks")
        if start is not None and value < start:
            return f"must not be before the window opens ({start:g} weeks)"
    elif key == "retreat_window_start_weeks":
        end = _number(stored, "retreat_window_end_weeks")
        if end is not None and value > end:
            return f"must not be after the window closes ({end:g} weeks)"
        for name in sorted(stored):
            close = (
                _number(stored, name) if name.startswith(PRODUCT_CLOSE_PREFIX) else None
            )
            if close is not None and value > close:
                return (
                    f"must not be after a product's window closes "
                    f"({label(name)}: {close:g} weeks)"
                )
    return None


def product_close_problem(weeks: float, *, opens_day: int, brand: str) -> str | None:
    """Say why a product's own close of ``weeks`` cannot stand, or None if it can.

    ``opens_day`` is the day after a full treatment the product's window opens
    (``retreatment_opens_day``: the clinic's opening, or the product's minimum
    interval if later); the close may not come before it.
    """
    if 7 * weeks < opens_day:
        return (
            f"must not be before {brand}'s re-treatment window opens "
            f"({interval_span(opens_day)} after treatment)"
        )
    return None


def _review_window_problem(
    key: str, value: float, stored: Mapping[str, Any], label: Callable[[str], str]
) -> str | None:
    """Keep the review window's first day at least day 1 after treatment."""
    if key == "review_day":
        tolerance = _number(stored, "review_tolerance_days")
        if tolerance is not None and value - tolerance < 1:
            return (
                f"must be more than the review window's ± days "
                f"({label('review_tolerance_days')}: {tolerance:g}), so the "
                "window opens at least 1 day after treatment"
            )
    elif key == "review_tolerance_days":
        review_day = _number(stored, "review_day")
        if review_day is not None and review_day - value < 1:
            return (
                f"must be less than the review day "
                f"({label('review_day')}: {review_day:g}), so the window "
                "opens at least 1 day after treatment"
            )
    return None


def follow_up_problem(
    key: str, value: float, stored: Mapping[str, Any], label: Callable[[str], str]
) -> str | None:
    """Say why ``value`` for setting ``key`` does not fit the ``stored`` follow-up
    settings (by key), or None if it fits; ``label`` names a setting as the
    settings page does."""
    if key not in SETTING_KEYS.values():
        return None
    problem = _retreat_window_problem(
        key, value, stored, label
    ) or _review_window_problem(key, value, stored, label)
    if problem is not None:
        return problem
    prospective = {
        name: number
        for name, number in {**stored, key: value}.items()
        if isinstance(number, int | float)
    }
    try:
        Rules.from_settings(prospective)
    except ValueError as exc:
        # Any other pair the schedule cannot hold, said in the schedule's words.
        return f"does not fit the other follow-up settings: {exc}"
    return None
