"""What a vial has left: a chart that takes more from it is overdrawn.

Pure: the safety service looks up what the vial's other charts and its recorded
waste took (``records.VialShare``); a vial no one else drew from has its size
left. Units are the vial's product's, which are the chart's: a vial holds one
product, and no other product's units come in.
"""

from datetime import datetime

from planner.dosing.records import LotInfo
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.timing import TOLERANCE_UNITS
from planner.dosing.volume import format_dose
from planner.dosing.volume import format_units

CODE = "vial_overdrawn"
SOURCE = (
    "[S58] [S59] brand and batch traceability; [S62] document any waste "
    "(clinical reference §5)"
)


def _charts(count: int) -> str:
    return "1 other chart" if count == 1 else f"{count} other charts"


def check_vial_content(
    lot: LotInfo | None, product: Product, total_units: float, now: datetime
) -> list[SafetyWarning]:
    """Warn when a chart takes more from a vial than the records leave in it.

    Each site records the vial it was drawn from, so a vial gives no more than
    its size, even when no other chart drew from it: a further vial opened for
    the rest is switched to, and its sites record its lot. What the vial has
    left is its size less the other signed and draft charts' units and the
    waste recorded; what this chart's sites drawn from it take (``total_units``)
    beyond that came from no vial on record: the wrong vial was chosen, or
    another was opened and the chart not switched to it. ``now`` is on the
    clinic's clock.
    """
    if lot is None or lot.shared is None or lot.vial_units is None:
        return []
    shared = lot.shared
    taken = shared.charted + shared.wasted
    left = lot.vial_units - taken
    if total_units <= left + TOLERANCE_UNITS:
        return []
    unit = product.unit_name
    made = (
        "reconstitution time not recorded"
        if lot.reconstituted_at is None
        else "reconstituted "
        + lot.reconstituted_at.astimezone(now.tzinfo)
        .strftime("%d %b %Y %H:%M")
        .lstrip("0")
    )
    what = []
    if shared.charts:
        charted = format_dose(shared.charted, unit)
        what.append(f"{charted} is charted on {_charts(shared.charts)}")
    if shared.wasted > TOLERANCE_UNITS:
        what.append(f"{format_dose(shared.wasted, unit)} is recorded as waste")
    over = total_units - max(left, 0.0)
    if not what:
        return [_warning(lot.lot_number, lot.vial_units, unit, made, total_units, over)]
    has = (
        f"{format_dose(left, unit)} left" if left > TOLERANCE_UNITS else "nothing left"
    )
    return [
        SafetyWarning(
            code="vial_overdrawn",
            severity="warning",
            message=(
                f"Vial of lot {lot.lot_number}, {format_units(lot.vial_units)} "
                f"{unit}, {made}, has {has}: {' and '.join(what)}. This chart "
                f"takes {format_dose(total_units, unit)} from it, "
                f"{format_dose(over, unit)} more than is left. Check the vial "
                "chosen; if another vial was opened for the rest, switch the "
                "chart to it, so that the sites drawn from it record its lot."
            ),
            source=SOURCE,
        )
    ]


def _warning(
    lot_number: str,
    vial_units: float,
    unit: str,
    made: str,
    total_units: float,
    over: float,
) -> SafetyWarning:
    """Say that the chart alone took more from its vial than the vial holds."""
    return SafetyWarning(
        code=CODE,
        severity="warning",
        message=(
            f"Vial of lot {lot_number}, {format_units(vial_units)} {unit}, {made}, "
            f"holds {format_dose(vial_units, unit)}. This chart takes "
            f"{format_dose(total_units, unit)} from it, {format_dose(over, unit)} "
            "more than it holds. Check the doses and the vial chosen; if another "
            "vial was opened for the rest, switch the chart to the next vial, so "
            "that the sites drawn from it record its lot."
        ),
        source=SOURCE,
    )
