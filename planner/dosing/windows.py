"""Calendar arithmetic for the rolling 3-month dose window."""

import calendar
from datetime import date

CAP_WINDOW_MONTHS = 3


def months_before(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months earlier, clamped to month end.

    2026-05-31 minus 3 months is 2026-02-28; in a leap year, 2028-05-31 gives
    2028-02-29.
    """
    if months < 0:
        raise ValueError(f"months must be 0 or more, got {months!r}")
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def cap_window(today: date) -> tuple[date, date]:
    """Return the first and last day of the rolling 3 months ending today, inclusive.

    Both ends count: a session exactly 3 calendar months ago is still in the window,
    the cautious reading of the label's "in a 3-month interval".
    """
    return months_before(today, CAP_WINDOW_MONTHS), today
