"""The clinic's follow-up schedule, read from its settings.

The review day and its tolerance, the re-treatment window and each product's
minimum interval are clinic settings (some of them labelled clinic choices, not
facts); the follow-up proposals, the chart's cycle times, the score time points,
reminders and calendar entries all read them here, the same way.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import comparison
from planner import scheduling
from planner.errors import Conflict
from planner.models import ClinicSetting
from planner.models import Product
from planner.services.product_rules import checked_product
from planner.services.settings_history import scalar_settings_as_of


def clinic_settings(session: Session) -> dict[str, Any]:
    """Return the clinic's scalar settings by key (doses excluded)."""
    rows = session.exec(
        select(ClinicSetting.key, ClinicSetting.value).where(
            col(ClinicSetting.key).not_like("dose.%")
        )
    ).all()
    return dict(rows)


def scheduling_rules(
    session: Session,
    *,
    as_of: datetime | None = None,
    product_code: str | None = None,
) -> scheduling.Rules:
    """Return the clinic's follow-up schedule from its settings (as they stood at
    ``as_of``, if given: an amendment's, at its record's signing).

    With ``product_code``, the re-treatment window closes at that product's own
    close where the clinic set one (``scheduling.product_close_key``), else at the
    clinic-wide close; without, at the clinic-wide close.

    The settings page refuses pairs that do not fit together, but a value stored
    some other way (an older version, a hand-edited database) must not turn every
    chart into a server error: it is reported, naming the settings to correct.

    :raises Conflict: the stored follow-up settings do not fit together.
    """
    settings = (
        clinic_settings(session)
        if as_of is None
        else scalar_settings_as_of(session, as_of)
    )
    try:
        return scheduling.Rules.from_settings(settings, product_code)
    except ValueError as exc:
        keys = [*scheduling.SETTING_KEYS.values()]
        if product_code is not None:
            keys.append(scheduling.product_close_key(product_code))
        stored = {key: settings[key] for key in keys if key in settings}
        raise Conflict(
            "The clinic's follow-up settings do not fit together, so no follow-up "
            f"can be worked out: {exc}. An administrator can correct them on the "
            "Settings page.",
            fields={key: f"stored as {value!r}" for key, value in stored.items()},
        ) from None


def review_day(session: Session) -> int:
    """Return the clinic's review day, for naming the review in words.

    Read on its own, not through ``scheduling_rules``: a reminder or a calendar
    entry can name the day even while other follow-up settings need correcting.
    """
    value = clinic_settings(session).get("review_day")
    default = scheduling.DEFAULT_RULES.review_day
    return int(value) if isinstance(value, int | float) else default


def follow_up_days(
    session: Session, full_product: Product | None
) -> comparison.FollowUpDays:
    """Return a cycle's review window and the day its next cycle is due, in days.

    The next cycle is due where the re-treatment window of the cycle's full
    treatment, given in ``full_product``, opens (``retreatment_window``); with
    no full treatment yet (None), on the clinic's opening day.
    """
    rules = scheduling_rules(session)
    interval = (
        0
        if full_product is None
        else checked_product(session, full_product).min_interval_days
    )
    return comparison.FollowUpDays(
        review_first=rules.review_day - rules.review_tolerance_days,
        review_last=rules.review_day + rules.review_tolerance_days,
        retreat_first=scheduling.retreatment_opens_day(
            rules, min_interval_days=interval
        ),
    )
