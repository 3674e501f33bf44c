"""Checks over time: re-treatment interval, rolling 3-month cap, vial lot and history.

``history`` is every earlier session of the patient (full treatments and top-ups, any
product), not including the session being planned. Sessions dated after ``today`` are
ignored as data errors.
"""

from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime

from planner.clinic_time import require_aware
from planner.dosing.records import CLINIC_SETTING
from planner.dosing.records import OUTSIDE
from planner.dosing.records import LotInfo
from planner.dosing.records import PastSession
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.records import format_day
from planner.dosing.volume import format_units
from planner.dosing.windows import cap_window

# Float sums of doses such as 0.1 U carry noise far below anything measurable.
TOLERANCE_UNITS = 1e-9
LOT_EXPIRY_SOURCE = "[S61] [S62] record expiry with the batch (clinical reference §5)"
LOT_TRACE_SOURCE = "[S58] [S59] brand and batch traceability (clinical reference §5)"
RECONSTITUTION_RECORD_SOURCE = "[S38] record the date and time of reconstitution"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def last_full_session(
    history: Sequence[PastSession], today: date
) -> PastSession | None:
    """Return the latest full treatment on or before today, or None."""
    full = [s for s in history if s.kind == "full" and s.performed_on <= today]
    return max(full, key=lambda s: s.performed_on, default=None)


def last_cycle_sessions(
    history: Sequence[PastSession], today: date
) -> tuple[PastSession, ...]:
    """Return the last full treatment and the top-ups given since, up to today."""
    last = last_full_session(history, today)
    if last is None:
        return ()
    top_ups = tuple(
        s
        for s in history
        if s.kind == "top_up" and last.performed_on <= s.performed_on <= today
    )
    return (last, *top_ups)


def interval_rule(product: Product) -> str:
    """Say how far apart the product's sessions should be: "Botox should be given
    at least 84 days (12 weeks) apart".

    A product whose interval no source gives (``interval_source`` UNSOURCED, as
    Dysport's, or the clinic's setting that holds it) is said to follow the
    clinic's setting, never a rule.
    """
    days = product.min_interval_days
    span = f"{days} days ({format_units(days / 7)} weeks)"
    if product.interval_source.startswith(("UNSOURCED", CLINIC_SETTING)):
        return (
            f"the clinic's setting is at least {span} between {product.brand} "
            f"treatments (no source gives {product.brand} an interval)"
        )
    return f"{product.brand} should be given at least {span} apart"


def last_exposure(history: Sequence[PastSession], today: date) -> PastSession | None:
    """Return the latest full treatment here or toxin given elsewhere, up to today.

    A dose another clinic gave is exposure as this clinic's own is (§2.4), of
    whatever product: only its day is used, never its units. It opens no cycle
    here (``last_full_session`` keeps to this clinic's full treatments).
    """
    given = [
        s for s in history if s.kind in ("full", OUTSIDE) and s.performed_on <= today
    ]
    # On one day, this clinic's own treatment is the one named.
    return max(given, key=lambda s: (s.performed_on, s.kind == "full"), default=None)


def check_interval(
    kind: str, product: Product, history: Sequence[PastSession], today: date
) -> list[SafetyWarning]:
    """Warn when a full treatment comes sooner than the product's minimum interval
    after the last full treatment, or after toxin given elsewhere.

    Top-ups do not reset the interval, and a planned top-up is not checked here: it
    belongs to the cycle its full treatment opened (it still counts towards the
    3-month cap), and one given after the review window is
    ``cycle_checks.check_booster``'s.
    """
    if kind != "full":
        return []
    last = last_exposure(history, today)
    if last is None:
        return []
    days = (today - last.performed_on).days
    if days >= product.min_interval_days:
        return []
    since = f"the last full treatment on {format_day(last.performed_on)}"
    if last.kind == OUTSIDE:
        given = ", ".join(part for part in (last.brand, last.where) if part)
        since = f"toxin given elsewhere on {format_day(last.performed_on)} ({given})"
    return [
        SafetyWarning(
            code="interval_short",
            severity="warning",
            message=f"{_days(days)} since {since}; {interval_rule(product)}.",
            source=product.interval_source,
        )
    ]


def units_in_cap_window(
    product_code: str, history: Sequence[PastSession], today: date
) -> float:
    """Return this product's units given in the rolling 3 months, top-ups included."""
    start, end = cap_window(today)
    return sum(
        (
            s.units_total
            for s in history
            if s.product_code == product_code and start <= s.performed_on <= end
        ),
        0.0,
    )


def check_cumulative_cap(
    product: Product,
    planned_units: float,
    history: Sequence[PastSession],
    today: date,
    near_cap_share: float,
) -> list[SafetyWarning]:
    """Warn above the product's 3-month cap; caution from ``near_cap_share`` of it.

    Only the same product's units are summed: units of other products cannot be
    converted into this product's units.
    """
    cap = product.cap_units_3_months
    if cap is None:
        return []
    start, _ = cap_window(today)
    earlier = units_in_cap_window(product.code, history, today)
    total = earlier + planned_units
    unit = product.unit_name
    summary = (
        f"{product.brand}: {format_units(total)} {unit} from {format_day(start)} to "
        f"{format_day(today)}: today {format_units(planned_units)} {unit}, earlier "
        f"sessions including top-ups {format_units(earlier)} {unit}"
    )
    cap_source = product.cap_source or CLINIC_SETTING
    if total > cap + TOLERANCE_UNITS:
        return [
            SafetyWarning(
                code="cap_exceeded",
                severity="warning",
                message=f"{summary}, above the {format_units(cap)} {unit} cap "
                "for 3 months.",
                source=cap_source,
            )
        ]
    if total >= near_cap_share * cap - TOLERANCE_UNITS:
        share = round(100 * total / cap)
        return [
            SafetyWarning(
                code="cap_near",
                severity="caution",
                message=f"{summary}: {share} % of the {format_units(cap)} {unit} cap "
                "for 3 months.",
                source=f"{cap_source}; caution level "
                f"{round(100 * near_cap_share)} %: {CLINIC_SETTING}",
            )
        ]
    return []


def _local(moment: datetime, now: datetime) -> str:
    return moment.astimezone(now.tzinfo).strftime("%d %b %Y %H:%M").lstrip("0")


def _hours_since(moment: datetime, now: datetime) -> float:
    # In UTC: Python ignores the offsets of two moments that share a tzinfo, so
    # across a clock change wall-clock hours would be off by one.
    elapsed = now.astimezone(UTC) - moment.astimezone(UTC)
    return elapsed.total_seconds() / 3600


def _unrecorded_reconstitution(
    lot: LotInfo, product: Product, now: datetime
) -> SafetyWarning:
    """Caution on a vial with no reconstitution time, or warn once it is too old.

    The vial was reconstituted by the first session charted from it, so once that
    session is more than the product's in-use time ago, so is the reconstitution.
    """
    limit = format_units(product.in_use_hours)
    source = f"{product.in_use_source}; {RECONSTITUTION_RECORD_SOURCE}"
    first = lot.first_used_at
    if first is not None and _hours_since(first, now) > product.in_use_hours:
        return SafetyWarning(
            code="reconstitution_expired",
            severity="warning",
            message=f"Lot {lot.lot_number} has no recorded time of reconstitution, "
            f"but it was first used {format_units(_hours_since(first, now))} h ago "
            f"({_local(first, now)}), so it was reconstituted at least that long "
            f"ago; {product.brand} must be used within {limit} h of "
            "reconstitution.",
            source=source,
        )
    return SafetyWarning(
        code="reconstitution_unrecorded",
        severity="caution",
        message=f"Time of reconstitution not recorded for lot "
        f"{lot.lot_number}; {product.brand} must be used within {limit} h "
        "of reconstitution.",
        source=source,
    )


def check_lot(
    lot: LotInfo | None, product: Product, now: datetime
) -> list[SafetyWarning]:
    """Warn on an expired lot or one past its in-use time; caution on missing data.

    ``now`` is on the clinic's wall clock (``clinic_time.clinic_now``), so its
    date is the clinic's today. A lot
    expiring today is still in date. A reconstitution exactly ``in_use_hours`` ago
    is still within the limit.
    """
    require_aware("now", now)
    if lot is None:
        return [
            SafetyWarning(
                code="lot_missing",
                severity="caution",
                message="No vial lot recorded: the brand and batch number are needed "
                "to trace this treatment.",
                source=LOT_TRACE_SOURCE,
            )
        ]
    warnings = []
    today = now.date()
    if lot.expiry_date < today:
        days = (today - lot.expiry_date).days
        warnings.append(
            SafetyWarning(
                code="lot_expired",
                severity="warning",
                message=f"Lot {lot.lot_number} expired on "
                f"{format_day(lot.expiry_date)} ({_days(days)} ago).",
                source=LOT_EXPIRY_SOURCE,
            )
        )
    limit = format_units(product.in_use_hours)
    if lot.reconstituted_at is None:
        warnings.append(_unrecorded_reconstitution(lot, product, now))
    # Compared in UTC, as ``_hours_since`` subtracts.
    elif lot.reconstituted_at.astimezone(UTC) > now.astimezone(UTC):
        warnings.append(
            SafetyWarning(
                code="reconstitution_in_future",
                severity="warning",
                message=f"Lot {lot.lot_number} is recorded as reconstituted at "
                f"{_local(lot.reconstituted_at, now)}, later than now "
                f"({_local(now, now)}): check the entry.",
                source=product.in_use_source,
            )
        )
    else:
        hours = _hours_since(lot.reconstituted_at, now)
        if hours > product.in_use_hours:
            warnings.append(
                SafetyWarning(
                    code="reconstitution_expired",
                    severity="warning",
                    message=f"Lot {lot.lot_number} was reconstituted "
                    f"{format_units(hours)} h ago "
                    f"({_local(lot.reconstituted_at, now)}); {product.brand} must "
                    f"be used within {limit} h of reconstitution.",
                    source=product.in_use_source,
                )
            )
    return warnings
