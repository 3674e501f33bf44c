"""Check a chart's doses against its product's limits: per point, muscle, side, session.

Pure: no flask, no database. Every sum adds units of one product only: today's
sites, and for a top-up the same product's earlier sessions of the cycle (top-ups
count towards every total). A product's limits are in its own units, so no figure
here is ever compared with another product's.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from planner.dosing.product_doses import DoseLimit
from planner.dosing.product_doses import ProductDoses
from planner.dosing.records import MuscleSide
from planner.dosing.records import PastSession
from planner.dosing.records import PlannedSite
from planner.dosing.records import SafetyWarning
from planner.dosing.records import muscle_totals
from planner.dosing.volume import format_units

# Float sums of doses such as 0.1 U carry noise far below anything measurable.
TOLERANCE_UNITS = 1e-9
# The warnings a product's dose limits raise: what an amendment judges by the
# limits as they stood at its record's signing.
LIMIT_CODES = frozenset(
    {
        "dose_above_point_limit",
        "dose_above_site_ceiling",
        "muscle_above_limit",
        "side_above_ceiling",
        "group_above_limit",
        "session_above_ceiling",
    }
)


def _muscle_name(muscle: str) -> str:
    return muscle.replace("_", " ")


def _above(value: float, limit: DoseLimit) -> bool:
    return value > limit.high + TOLERANCE_UNITS


@dataclass(frozen=True)
class _Totals:
    """Units per muscle and side, per side and in all, today and earlier this cycle."""

    today: dict[MuscleSide, float]
    earlier: dict[MuscleSide, float]

    def muscle_side(self) -> dict[MuscleSide, float]:
        keys = self.today.keys() | self.earlier.keys()
        return {k: self.today.get(k, 0.0) + self.earlier.get(k, 0.0) for k in keys}

    def side(self) -> dict[str, float]:
        sides: dict[str, float] = {}
        for (_, side), units in self.muscle_side().items():
            sides[side] = sides.get(side, 0.0) + units
        return sides

    def session(self) -> float:
        return sum(self.muscle_side().values(), 0.0)

    def group(self, muscles: frozenset[str]) -> float:
        return sum(
            (u for (muscle, _), u in self.muscle_side().items() if muscle in muscles),
            0.0,
        )


def _earlier_units(
    earlier: Iterable[PastSession], product_code: str
) -> dict[MuscleSide, float]:
    totals: dict[MuscleSide, float] = {}
    for past in earlier:
        if past.product_code != product_code:
            raise ValueError(
                f"earlier sessions must be in {product_code} units, "
                f"got {past.product_code}"
            )
        for key, units in past.muscle_units.items():
            totals[key] = totals.get(key, 0.0) + units
    return totals


EARLIER = "given earlier this cycle"
ELSEWHERE = "given in the rest of this cycle"


def _with_earlier(total: float, earlier: float, unit: str, given: str) -> str:
    if earlier <= TOLERANCE_UNITS:
        return f"{format_units(total)} {unit}"
    return (
        f"{format_units(total)} {unit}, counting {format_units(earlier)} {unit} {given}"
    )


def _warning(
    code: str,
    message: str,
    limit: DoseLimit,
    *,
    muscle: str | None = None,
    side: str | None = None,
    site_number: int | None = None,
) -> SafetyWarning:
    flag = " (clinic setting)" if limit.clinic_setting else ""
    return SafetyWarning(
        code=code,
        severity="warning",
        message=message.replace("{flag}", flag),
        source=limit.label,
        muscle=muscle,
        side=side,
        site_number=site_number,
    )


def check_sites(
    doses: ProductDoses, sites: Sequence[PlannedSite]
) -> list[SafetyWarning]:
    """Warn for each site above its muscle's per-point limit or the site ceiling."""
    unit = doses.unit_name
    warnings = []
    for site in sites:
        where = f"Site {site.number}, {_muscle_name(site.muscle)} ({site.side})"
        point = doses.per_point.get(site.muscle)
        if point is not None and _above(site.units, point):
            warnings.append(
                _warning(
                    "dose_above_point_limit",
                    f"{where}: {format_units(site.units)} {unit} is above "
                    f"{format_units(point.high)} {unit} per point{{flag}}.",
                    point,
                    muscle=site.muscle,
                    side=site.side,
                    site_number=site.number,
                )
            )
        ceiling = doses.site_ceiling
        if _above(site.units, ceiling):
            warnings.append(
                _warning(
                    "dose_above_site_ceiling",
                    f"{where}: {format_units(site.units)} {unit} is above the "
                    f"ceiling of {format_units(ceiling.high)} {unit} for any one "
                    "site{flag}.",
                    ceiling,
                    muscle=site.muscle,
                    side=site.side,
                    site_number=site.number,
                )
            )
    return warnings


def check_totals(
    doses: ProductDoses,
    sites: Sequence[PlannedSite],
    earlier: Sequence[PastSession] = (),
    given: str = EARLIER,
) -> list[SafetyWarning]:
    """Warn for each total above its limit: muscle and side, side, group, session.

    ``earlier`` holds, for a top-up, the cycle's full treatment and earlier top-ups;
    they must be in this product's units (the caller keeps other products out).
    ``given`` says when they were given, in the messages.
    """
    unit = doses.unit_name
    totals = _Totals(muscle_totals(sites), _earlier_units(earlier, doses.product_code))
    warnings = []
    for (muscle, side), total in sorted(totals.muscle_side().items()):
        limit = doses.per_muscle_side.get(muscle)
        if limit is None or not _above(total, limit):
            continue
        earlier_units = totals.earlier.get((muscle, side), 0.0)
        warnings.append(
            _warning(
                "muscle_above_limit",
                f"{_muscle_name(muscle).capitalize()} ({side}): "
                f"{_with_earlier(total, earlier_units, unit, given)} is above "
                f"{format_units(limit.high)} {unit} per side{{flag}}.",
                limit,
                muscle=muscle,
                side=side,
            )
        )
    earlier_sides = _Totals({}, totals.earlier).side()
    for side, total in sorted(totals.side().items()):
        if side == "midline" or not _above(total, doses.side_ceiling):
            continue
        warnings.append(
            _warning(
                "side_above_ceiling",
                f"{side.capitalize()} side: "
                f"{_with_earlier(total, earlier_sides.get(side, 0.0), unit, given)} in "
                "all "
                f"is above the ceiling of {format_units(doses.side_ceiling.high)} "
                f"{unit} per side{{flag}}.",
                doses.side_ceiling,
                side=side,
            )
        )
    earlier_all = _Totals({}, totals.earlier)
    for group in doses.groups:
        total = totals.group(group.muscles)
        if not _above(total, group.limit):
            continue
        warnings.append(
            _warning(
                "group_above_limit",
                f"{group.name.capitalize()}: "
                f"{_with_earlier(total, earlier_all.group(group.muscles), unit, given)}"
                " is "
                f"above {format_units(group.limit.high)} {unit} per "
                "session{flag}.",
                group.limit,
            )
        )
    session_total = totals.session()
    if _above(session_total, doses.session_ceiling):
        warnings.append(
            _warning(
                "session_above_ceiling",
                "This session: "
                f"{_with_earlier(session_total, earlier_all.session(), unit, given)} "
                "in all "
                f"is above the ceiling of {format_units(doses.session_ceiling.high)} "
                f"{unit} per session{{flag}}.",
                doses.session_ceiling,
            )
        )
    return warnings


UNLIMITED_SOURCE = (
    "Clinical reference §2.1: no product's figure is converted into another's "
    "units; the ceilings: Clinic setting"
)


def check_muscles_without_limit(
    doses: ProductDoses, brand: str, muscles: Iterable[str]
) -> list[SafetyWarning]:
    """Caution once for the chart's muscles that have no limit of their own.

    A muscle has one when the product has a per-point or a per-side limit for it,
    shipped or set by the clinic. The others are checked only against the
    product's ceilings: the caution says so, naming them and their figures.
    ``muscles`` are the chart's sites' muscles, dosed or not.
    """
    unlimited = [
        muscle
        for muscle in dict.fromkeys(muscles)
        if muscle not in doses.per_point and muscle not in doses.per_muscle_side
    ]
    if not unlimited:
        return []
    unit = doses.unit_name
    ceilings = ", ".join(
        f"{format_units(limit.high)} {unit} a {what}"
        for what, limit in (
            ("site", doses.site_ceiling),
            ("side", doses.side_ceiling),
            ("session", doses.session_ceiling),
        )
    )
    named = ", ".join(_muscle_name(muscle) for muscle in unlimited)
    return [
        SafetyWarning(
            code="muscle_without_limit",
            severity="caution",
            message=f"No dose limit of its own for {brand} in: {named}. Only the "
            f"clinic's ceilings apply: {ceilings} (clinic settings). An admin can "
            "set a limit on the dose limits page.",
            source=UNLIMITED_SOURCE,
        )
    ]


def check_dose_limits(
    doses: ProductDoses,
    sites: Sequence[PlannedSite],
    earlier: Sequence[PastSession] = (),
    later: Sequence[PastSession] = (),
) -> list[SafetyWarning]:
    """Run every dose-limit check on a chart of one product.

    ``later`` holds the cycle's sessions given after the chart's day, signed first;
    the totals count them with ``earlier``.
    """
    given = ELSEWHERE if later else EARLIER
    return [
        *check_sites(doses, sites),
        *check_totals(doses, sites, [*earlier, *later], given),
    ]
