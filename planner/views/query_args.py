"""Dates, months, numbers and choices read from a page's query string, refused by name
when wrong.

A mistyped or hand-edited date must never show another day's records under a
heading that looks like the answer, nor end in a 500 at the ends of the
calendar; a mistyped number or choice (a page, an instrument) must never be
quietly read as the default: each is a 400 that names the parameter and what it must be.
"""

from collections.abc import Iterable
from datetime import date

from flask import request

from planner.errors import InvalidInput
from planner.validation import ascii_number
from planner.views.context import face_map
from planner.vocabulary import SIDES
from planner.vocabulary import Side

# The pages step a week or a year either side and convert clinic midnights to
# UTC: far from the ends of Python's calendar, and wide for any clinic record.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def query_day(name: str) -> date | None:
    """Read ``?name=YYYY-MM-DD``: None when absent or empty."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        reason = (
            f"must be a date as YYYY-MM-DD between {EARLIEST.isoformat()} and "
            f"{LATEST.isoformat()}"
        )
        raise InvalidInput(
            "The page's address holds a date it cannot show.", fields={name: reason}
        )
    return day


def query_month(name: str) -> date | None:
    """Read ``?name=YYYY-MM`` as the month's first day: None when absent or empty."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        month = date.fromisoformat(f"{raw}-01") if len(raw) == 7 else None
    except ValueError:
        month = None
    if month is None or not EARLIEST <= month <= LATEST:
        reason = (
            f"must be a month as YYYY-MM between {EARLIEST:%Y-%m} and {LATEST:%Y-%m}"
        )
        raise InvalidInput(
            "The page's address holds a month it cannot show.", fields={name: reason}
        )
    return month


def query_choice(
    name: str,
    choices: Iterable[str],
    *,
    default: str,
    message: str,
    why: str = "",
) -> str:
    """Read ``?name=`` as one of ``choices``: ``default`` when absent or empty.

    :param why: said after the list of choices, to tell what they are.
    """
    known = list(choices)
    raw = request.args.get(name, "")
    if not raw:
        return default
    if raw in known:
        return raw
    reason = "must be one of " + ", ".join(known) + (f": {why}" if why else "")
    raise InvalidInput(message, fields={name: reason})


def query_number(name: str, *, what: str, max_digits: int = 9) -> int | None:
    """Read ``?name=`` as a whole number from 1: None when absent or empty.

    :param what: what the number counts, as "a page number".
    """
    raw = request.args.get(name, "")
    if not raw:
        return None
    number = ascii_number(raw, max_digits)
    if number is None or number < 1:
        raise InvalidInput(
            f"The page's address holds {what} it cannot show.",
            fields={
                name: f"must be {what}: a whole number from 1 to {'9' * max_digits}"
            },
        )
    return number


def chosen_muscle(value: str | None) -> tuple[str, str] | None:
    """Read ``?muscle=code:side``: None when absent or empty.

    :raises InvalidInput: naming ``muscle``, for anything else: read as no
        choice, a mistyped link showed no muscle under the page's heading.
    """
    if not value:
        return None
    muscle, _, side = value.partition(":")
    if not muscle or side not in SIDES:
        sides = " or ".join(f"muscle:{side}" for side in Side)
        reason = f"must be a muscle and its side, as {sides}"
    elif muscle not in {m.code for m in face_map().muscles}:
        reason = "names no muscle of the face map"
    else:
        return (muscle, side)
    raise InvalidInput(
        "The page's address names a muscle it cannot show.", fields={"muscle": reason}
    )
