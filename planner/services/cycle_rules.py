"""When a treatment cycle's times fall, and whose product sets them.

A cycle is counted from its full treatment: its review day, the review window's
last day and the day the re-treatment window opens come from the clinic's
follow-up schedule and the full treatment's product's minimum interval. A top-up
in another product joins that cycle all the same. The chart's checks
(``safety.check_chart``) and opening a top-up (``sessions``) read them here.
"""

from datetime import date
from datetime import datetime

from sqlmodel import Session
from sqlmodel import select

from planner import dosing
from planner import scheduling
from planner.models import Product
from planner.services.product_rules import checked_product
from planner.services.schedule_settings import scheduling_rules


def cycle_times(
    session: Session, full_product: Product, *, as_of: datetime | None = None
) -> dosing.CycleTimes:
    """Return the review day, the review window's last day, and the day the
    re-treatment window opens, for a cycle whose full treatment was ``full_product``.

    Read as the follow-up schedule reads them
    (``schedule_settings.scheduling_rules``). The window opens where the signed
    treatment's proposal opens it
    (``scheduling.retreatment_opens_day``): on the clinic's opening day, or at the
    full treatment's product's minimum interval as ``interval_short`` reads it
    (``checked_product``), if later; a top-up in another product joins that cycle
    all the same. The review's tolerance is for booking the visit; it does not
    bring a top-up forward. ``as_of``: the settings as they stood then.
    """
    rules = scheduling_rules(session, as_of=as_of, product_code=full_product.code)
    checked = checked_product(session, full_product, as_of=as_of)
    return dosing.CycleTimes(
        review_day=rules.review_day,
        review_until_day=rules.review_day + rules.review_tolerance_days,
        window_opens_day=scheduling.retreatment_opens_day(
            rules, min_interval_days=checked.min_interval_days
        ),
        full_product=checked,
    )


def cycle_product(
    session: Session, product: Product, history: list[dosing.PastSession], day: date
) -> Product:
    """Return the product of the full treatment whose cycle a chart on ``day`` is in.

    It is the full treatment the top-up checks count the cycle from
    (``dosing.last_full_session``), whatever the chart's own product; a chart with
    none before it opens its own cycle, in its own product.
    """
    last = dosing.last_full_session(history, day)
    if last is None or last.product_code == product.code:
        return product
    found = session.exec(select(Product).where(Product.code == last.product_code))
    return found.one()
