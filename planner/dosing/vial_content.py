"""What a shared vial has left: a chart that takes more from it is overdrawn.

Pure: the safety service looks up what the vial's other charts and its recorded
waste took (``records.VialShare``). Units are the vial's product's, which are the
chart's: a vial holds one product, and no other product's units come in.
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
    """Warn when a chart takes more from a shared vial than the records leave in it.

    A vial that no other chart drew from and none of which was wasted is the
    chart's own: a total above its size is made up with further whole vials of
    the lot (the chart's "vials used"), so nothing is said. Once the vial is
    shared, what it has left is its size less the other signed and draft charts'
    units and the waste recorded; what this chart's sites drawn from it take
    (``total_units``) beyond that came from no vial on record: the wrong vial was
    chosen, or another was opened and the chart not switched to it. ``now`` is
    on the clinic's clock.
    """
    if lot is None or lot.shared is None or lot.vial_units is None:
        return []
    shared = lot.shared
    taken = shared.charted + shared.wasted
    left = lot.vial_units - taken
    if taken <= TOLERANCE_UNITS or total_units <= left + TOLERANCE_UNITS:
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
    has = (
        f"{format_dose(left, unit)} left" if left > TOLERANCE_UNITS else "nothing left"
    )
    over = total_units - max(left, 0.0)
    return [
        SafetyWarning(
            code="vial_overdrawn",
            severity="warning",
            message=(
                f"Vial of lot {lot.lot_number} ({format_units(lot.vial_units)} "
                f"{unit}, {made}) has {has}: {' and '.join(what)}. This chart "
                f"takes {format_dose(total_units, unit)} from it, "
                f"{format_dose(over, unit)} more than is left. Check the vial "
                "chosen; if another vial was opened for the rest, switch the "
                "chart to it, so that the sites drawn from it record its lot."
            ),
            source=SOURCE,
        )
    ]
