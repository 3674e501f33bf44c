"""Checks over the patient's cycles: top-ups, and toxin exposure across products.

Pure: no flask, no database. Days are the clinic's calendar days. ``history`` is every
earlier session of the patient, toxin given elsewhere included (kind ``outside``),
not the session being planned.
"""

from collections.abc import Sequence
from datetime import date

from planner.dosing.records import CLINIC_SETTING
from planner.dosing.records import OUTSIDE
from planner.dosing.records import CycleTimes
from planner.dosing.records import PastSession
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.records import format_day
from planner.dosing.timing import interval_rule
from planner.dosing.timing import last_full_session
from planner.dosing.volume import format_units
from planner.dosing.windows import cap_window

BOOSTER_SOURCE = (
    "[S63] several clinics give top-ups only after the full 2 weeks have passed "
    "(clinical reference §3, §6.2); clinical reference §2.4: a top-up within a "
    "cycle is in effect a booster injection, a risk factor for neutralising "
    "antibodies (inference from [S32] [S33]); review day: " + CLINIC_SETTING
)
BOOSTER_INTERVAL_SOURCE = (
    "Clinical reference §2.4 and §7: warn when the interval since the last full "
    "session is under 12 weeks; top-ups count as booster injections, a risk factor "
    "for neutralising antibodies (inference from [S32] [S33])"
)
# Said in the source when the cycle's full treatment's interval holds the top-up.
LONGER_OF_TWO = (
    " (the longer of the two products' intervals in the cycle: the full treatment's)"
)
OUTSIDE_CYCLE_SOURCE = (
    f"Re-treatment window: {CLINIC_SETTING}; it opens no sooner than the minimum "
    "interval of the cycle's full treatment's product"
)
EXPOSURE_SOURCE = (
    "[S26] Jeuveau label: count the cumulative dose if other botulinum toxin products "
    "are used; [S20] cumulative dose across indications; units of different products "
    "cannot be added (clinical reference §2.1)"
)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def top_up_problem(
    cycle_began: date | None, today: date, times: CycleTimes
) -> str | None:
    """Say why a top-up cannot be charted today, or None when it can.

    A top-up belongs to the cycle of the latest full treatment (begun on
    ``cycle_began``), in whatever product; once that cycle's re-treatment window
    has opened (``times.window_opens_day``: the clinic's opening, or the full
    treatment's product's minimum interval if later), today's injections are a
    new full treatment.
    """
    if cycle_began is None:
        return "There is no full treatment to top up: chart a full treatment."
    day = (today - cycle_began).days
    if day >= times.window_opens_day:
        return (
            f"The cycle that began on {format_day(cycle_began)} is on day {day}: "
            f"its re-treatment window opened on day {times.window_opens_day}, so "
            "today's injections are a new full treatment, not a top-up."
            + window_opening(times)
        )
    return None


def window_opening(times: CycleTimes) -> str:
    """Say why the cycle's re-treatment window opens on its day, or "" if unknown.

    It is the later of the clinic's opening day and the minimum interval of the
    cycle's full treatment's product (``scheduling.retreatment_opens_day``); the
    interval is said as the chair's ``interval_short`` says it.
    """
    product = times.full_product
    if product is None:
        return ""
    rule = interval_rule(product)
    if times.window_opens_day <= product.min_interval_days:
        return (
            f" It opens at the minimum interval of the cycle's full treatment: {rule}."
        )
    # Later than the interval, the day is the clinic's opening: whole weeks.
    return (
        f" It opens at {times.window_opens_day // 7} weeks (the clinic's setting), "
        f"later than the minimum interval of the cycle's full treatment: {rule}."
    )


def outside_cycle_source(times: CycleTimes | None) -> str:
    """Name where the re-treatment window's day comes from, as ``top_up_booster``
    names the interval: the clinic's opening day, and the full treatment's
    product's interval source (its label's tag, or "Clinic setting ..." where the
    clinic holds it). Without a cycle (``times`` None) no interval is in play.
    """
    product = None if times is None else times.full_product
    if product is None:
        return OUTSIDE_CYCLE_SOURCE
    return (
        f"{OUTSIDE_CYCLE_SOURCE}; {product.brand}'s minimum interval: "
        f"{product.interval_source}"
    )


def check_top_up(
    kind: str, history: Sequence[PastSession], today: date, times: CycleTimes
) -> list[SafetyWarning]:
    """Warn on a top-up before the review, or one that no open cycle can take."""
    if kind != "top_up":
        return []
    last = last_full_session(history, today)
    began = None if last is None else last.performed_on
    problem = top_up_problem(began, today, times)
    if problem is not None:
        return [
            SafetyWarning(
                code="top_up_outside_cycle",
                severity="warning",
                message=problem,
                source=outside_cycle_source(times if began is not None else None),
            )
        ]
    assert last is not None  # top_up_problem said there is a cycle to top up
    day = (today - last.performed_on).days
    if day >= times.review_day:
        return []
    return [
        SafetyWarning(
            code="top_up_early",
            severity="warning",
            message=(
                f"Top-up on day {day} of the cycle that began on "
                f"{format_day(last.performed_on)}: the response is judged at the "
                f"review on day {times.review_day} (the clinic's review day, "
                f"{_days(times.review_day - day)} from now), and a top-up before "
                "then adds toxin before it can be known whether more is needed."
            ),
            source=BOOSTER_SOURCE,
        )
    ]


def check_booster(
    kind: str,
    product: Product,
    history: Sequence[PastSession],
    today: date,
    times: CycleTimes,
) -> list[SafetyWarning]:
    """Warn on a top-up after the review window, within the minimum interval.

    The top-up belongs at the review (§3); given later it is in effect a booster
    injection within the product's minimum interval of the last full treatment.
    It is held to that interval as ``interval_short`` holds a full treatment: a
    warning, counted in clinic days; in a cycle of two products, to the longer of
    the two products' intervals (:func:`booster_interval`). Once the re-treatment
    window opens, the top-up is ``top_up_outside_cycle``'s.
    """
    if kind != "top_up":
        return []
    last = last_full_session(history, today)
    if last is None:
        return []
    day = (today - last.performed_on).days
    if not times.review_until_day < day < times.window_opens_day:
        return []
    held = booster_interval(product, times)
    if day >= held.min_interval_days:
        return []
    return [
        SafetyWarning(
            code="top_up_booster",
            severity="warning",
            message=(
                f"Top-up on day {day} of the cycle that began on "
                f"{format_day(last.performed_on)}, after its review window closed "
                f"on day {times.review_until_day}: it is in effect a booster "
                f"injection {_days(day)} after the last full treatment, and "
                f"{interval_rule(held)}.{_longer_interval(product, held)}"
            ),
            source=(
                f"{BOOSTER_INTERVAL_SOURCE}; {held.brand}'s minimum interval"
                f"{'' if held is product else LONGER_OF_TWO}: "
                f"{held.interval_source}; review window: {CLINIC_SETTING}"
            ),
        )
    ]


def booster_interval(product: Product, times: CycleTimes) -> Product:
    """Return the product whose minimum interval holds a top-up as a booster.

    In a cycle of two products (a Dysport full treatment, a Botox top-up) it is
    the longer of the two minimum intervals, in days: the safer reading of §2.4,
    since the booster adds toxin within both products' cycles. Only days are
    compared, never the products' units. On a tie, or with the full treatment's
    product unknown, it is the top-up's own.
    """
    full = times.full_product
    if full is None or full.min_interval_days <= product.min_interval_days:
        return product
    return full


def _longer_interval(product: Product, held: Product) -> str:
    """Say that the full treatment's longer interval holds a top-up of another
    product, or "" when the top-up's own does (its words as they always were)."""
    if held is product:
        return ""
    return (
        f" The cycle's full treatment was {held.brand}, whose minimum interval "
        f"({_days(held.min_interval_days)}) is longer than the top-up's "
        f"{product.brand} ({_days(product.min_interval_days)}): in a cycle of two "
        "products the longer interval holds."
    )


def check_exposure(
    product: Product,
    planned_units: float,
    history: Sequence[PastSession],
    today: date,
) -> list[SafetyWarning]:
    """Caution listing every toxin given in the rolling 3 months, product by product.

    Each product's units are added up on their own and never with another
    product's. Speaks only when the window holds another product or toxin given
    elsewhere: this clinic's own cycles of today's product are the cap check's.
    """
    start, end = cap_window(today)
    recent = sorted(
        (s for s in history if start <= s.performed_on <= end),
        key=lambda s: (s.performed_on, s.product_code),
    )
    if all(s.product_code == product.code and s.kind != OUTSIDE for s in recent):
        return []
    lines = [f"{product.brand} {format_units(planned_units)} {product.unit_name} today"]
    for past in recent:
        elsewhere = f", given elsewhere ({past.where})" if past.kind == OUTSIDE else ""
        lines.append(
            f"{past.brand} {format_units(past.units_total)} "
            f"{past.unit_name} on {format_day(past.performed_on)}{elsewhere}"
        )
    totals: dict[str, float] = {product.code: planned_units}
    words = {product.code: (product.brand, product.unit_name)}
    for past in recent:
        words.setdefault(past.product_code, (past.brand, past.unit_name))
        totals[past.product_code] = (
            totals.get(past.product_code, 0.0) + past.units_total
        )
    per_product = "; ".join(
        f"{words[code][0]} {format_units(units)} {words[code][1]}"
        for code, units in totals.items()
    )
    return [
        SafetyWarning(
            code="recent_exposure",
            severity="caution",
            message=(
                f"Botulinum toxin from {format_day(start)} to {format_day(today)}: "
                + "; ".join(lines)
                + f". In all, by product: {per_product}. Units of different products "
                "are not added together."
            ),
            source=EXPOSURE_SOURCE,
        )
    ]
