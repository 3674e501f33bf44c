"""Safety checks on a planned session: each returns warnings and never blocks.

Nothing here raises for a clinical reason; ValueError means malformed input. Doses are
compared with the clinic's reference ranges only when the session's product is
onabotulinumtoxinA, the units the ranges are written in.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date
from datetime import datetime

from planner.clinic_time import require_aware
from planner.dosing.records import CLINIC_SETTING
from planner.dosing.records import ClinicRules
from planner.dosing.records import Contraindications
from planner.dosing.records import PastSession
from planner.dosing.records import PlannedSession
from planner.dosing.records import PlannedSite
from planner.dosing.records import Product
from planner.dosing.records import SafetyWarning
from planner.dosing.records import Severity
from planner.dosing.records import format_day
from planner.dosing.records import muscle_totals
from planner.dosing.timing import TOLERANCE_UNITS
from planner.dosing.timing import check_cumulative_cap
from planner.dosing.timing import check_interval
from planner.dosing.timing import check_lot
from planner.dosing.timing import last_cycle_sessions
from planner.dosing.timing import last_full_session
from planner.dosing.volume import format_units
from planner.reference import PRODUCTS

UNITS_NOT_INTERCHANGEABLE_SOURCE = (
    "[S21] [S22] [S23] [S26] [S27] [S28] labels: units cannot be compared to nor "
    "converted into units of any other product (clinical reference §2.1)"
)
_SMILE_RULE = (
    "Clinical reference §1.3: zygomaticus and risorius, "
    '"avoid on the affected side (it is the smile)"; smile weakening [S-cba]'
)
_LEVATOR_RULE = (
    "Clinical reference §1.3: levator labii, upper-lip ptosis and smile weakening [S76]"
)
# Smile muscles on the affected side. The levators are also a recognised
# affected-side target for nasolabial hypertonicity (§1.2), so they get a caution.
SMILE_MUSCLES: dict[str, tuple[Severity, str]] = {
    "zygomaticus_major": ("warning", _SMILE_RULE),
    "zygomaticus_minor": ("warning", _SMILE_RULE),
    "risorius": ("warning", _SMILE_RULE),
    "levator_labii_superioris": ("caution", _LEVATOR_RULE),
    "levator_labii_superioris_alaeque_nasi": ("caution", _LEVATOR_RULE),
}
_LABEL_CAUTION = "[S27] [S28] [S35] labels (clinical reference §5)"
# (flag, code, message, source) in the order they are shown.
CONTRAINDICATIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "pregnant",
        "pregnant",
        "Patient is recorded as pregnant. There is no known risk, but some "
        "patients prefer to wait: confirm and record the decision to treat.",
        "[S14] [S15] Moorfields patient information; [S61] pre-treatment checks",
    ),
    (
        "breastfeeding",
        "breastfeeding",
        "Patient is recorded as breastfeeding: advise expressing breast milk for "
        "use during the 24–48 h after injection.",
        "[S14] [S15] Moorfields patient information",
    ),
    (
        "neuromuscular_disease",
        "neuromuscular_disease",
        "Patient has a recorded neuromuscular disease: the labels advise caution "
        "with neuromuscular disorders.",
        _LABEL_CAUTION,
    ),
    (
        "aminoglycosides",
        "aminoglycosides",
        "Patient is recorded as taking aminoglycosides: the labels advise caution.",
        _LABEL_CAUTION,
    ),
    (
        "toxin_allergy",
        "toxin_allergy",
        "Patient has a recorded allergy to botulinum toxin: hypersensitivity is a "
        "contraindication on the labels.",
        "[S35] labels; [S27] [S28] (clinical reference §5)",
    ),
)
_SEVERITY_ORDER: dict[Severity, int] = {"warning": 0, "caution": 1}


def _muscle_name(muscle: str) -> str:
    return muscle.replace("_", " ")


def _brand(code: str) -> str:
    return next((p.brand for p in PRODUCTS if p.code == code), code)


def _above(value: float, limit: float) -> bool:
    return value > limit + TOLERANCE_UNITS


def check_reference_units(
    product: Product, sites: Sequence[PlannedSite], rules: ClinicRules
) -> list[SafetyWarning]:
    """Caution that the onabotulinumtoxinA ranges do not apply to another product."""
    has_ranges = bool(rules.dose_ranges or rules.muscle_limits)
    if product.uses_reference_units or not sites or not has_ranges:
        return []
    return [
        SafetyWarning(
            code="ranges_not_applicable",
            severity="caution",
            message=(
                "The clinic's reference ranges are in onabotulinumtoxinA (Botox) "
                f"units and do not apply to {product.brand} ({product.inn}): units "
                "are specific to each product and cannot be converted, so doses "
                "were not compared with them."
            ),
            source=UNITS_NOT_INTERCHANGEABLE_SOURCE,
        )
    ]


def check_site_doses(
    product: Product, sites: Sequence[PlannedSite], rules: ClinicRules
) -> list[SafetyWarning]:
    """Warn for each site above the clinic's reference range per point."""
    if not product.uses_reference_units:
        return []
    warnings = []
    for site in sites:
        dose_range = rules.dose_ranges.get(site.muscle)
        if dose_range is None or not _above(site.units, dose_range.high):
            continue
        flag = " (clinic setting, unsourced)" if dose_range.unsourced else ""
        warnings.append(
            SafetyWarning(
                code="dose_above_range",
                severity="warning",
                message=(
                    f"Site {site.number}, {_muscle_name(site.muscle)} ({site.side}): "
                    f"{format_units(site.units)} U is above the clinic's reference "
                    f"range of {format_units(dose_range.low)}–"
                    f"{format_units(dose_range.high)} U per point{flag}."
                ),
                source=dose_range.source,
                muscle=site.muscle,
                side=site.side,
                site_number=site.number,
            )
        )
    return warnings


def check_muscle_doses(
    product: Product, sites: Sequence[PlannedSite], rules: ClinicRules
) -> list[SafetyWarning]:
    """Warn for each muscle and side whose total is above the clinic's limit."""
    if not product.uses_reference_units:
        return []
    warnings = []
    for (muscle, side), total in muscle_totals(sites).items():
        limit = rules.muscle_limits.get(muscle)
        if limit is None or not _above(total, limit.high):
            continue
        numbers = ", ".join(
            str(s.number) for s in sites if (s.muscle, s.side) == (muscle, side)
        )
        flag = " (clinic setting, unsourced)" if limit.unsourced else ""
        warnings.append(
            SafetyWarning(
                code="muscle_above_limit",
                severity="warning",
                message=(
                    f"{_muscle_name(muscle).capitalize()} ({side}): "
                    f"{format_units(total)} U in total (sites {numbers}) is above "
                    f"the clinic's limit of {format_units(limit.high)} U per "
                    f"side{flag}."
                ),
                source=limit.source,
                muscle=muscle,
                side=side,
            )
        )
    return warnings


def check_smile_muscles(sites: Sequence[PlannedSite]) -> list[SafetyWarning]:
    """Warn for smile muscles injected on the affected side."""
    warnings = []
    for site in sites:
        rule = SMILE_MUSCLES.get(site.muscle)
        if rule is None or site.role != "affected":
            continue
        severity, source = rule
        warnings.append(
            SafetyWarning(
                code="smile_muscle_affected_side",
                severity=severity,
                message=(
                    f"Site {site.number}, {_muscle_name(site.muscle)} on the "
                    f"affected side ({site.side}): this may weaken the smile."
                ),
                source=source,
                muscle=site.muscle,
                side=site.side,
                site_number=site.number,
            )
        )
    return warnings


def check_contraindications(flags: Contraindications) -> list[SafetyWarning]:
    """Warn for each contraindication or caution flag set on the patient."""
    return [
        SafetyWarning(code=code, severity="warning", message=message, source=source)
        for flag, code, message, source in CONTRAINDICATIONS
        if getattr(flags, flag)
    ]


def check_product_change(
    product: Product, history: Sequence[PastSession], today: date
) -> list[SafetyWarning]:
    """Caution when today's product differs from the last full treatment's."""
    last = last_full_session(history, today)
    if last is None or last.product_code == product.code:
        return []
    return [
        SafetyWarning(
            code="product_changed",
            severity="caution",
            message=(
                f"Last cycle ({format_day(last.performed_on)}) used "
                f"{_brand(last.product_code)}; today's product is {product.brand}. "
                "Units are not interchangeable: do not carry last cycle's doses "
                "over unit for unit."
            ),
            source=UNITS_NOT_INTERCHANGEABLE_SOURCE,
        )
    ]


def check_dose_changes(
    plan: PlannedSession,
    history: Sequence[PastSession],
    today: date,
    share: float,
) -> list[SafetyWarning]:
    """Ask for a reason when a muscle's dose per side moves by more than ``share``.

    Compares a planned full treatment with the last cycle (its full treatment plus
    the top-ups since). A muscle new this cycle, or dropped from it, is reported
    without asking for a reason. Skipped when the last cycle used another product,
    whose units cannot be compared, or when nothing is charted yet.
    """
    if plan.kind != "full" or not plan.sites:
        return []
    cycle = last_cycle_sessions(history, today)
    if not cycle or any(s.product_code != plan.product.code for s in cycle):
        return []
    before: dict[tuple[str, str], float] = {}
    for session in cycle:
        for key, units in session.muscle_units.items():
            before[key] = before.get(key, 0.0) + units
    now = muscle_totals(plan.sites)
    warnings = []
    for key in sorted(before.keys() | now.keys()):
        warning = _dose_change(
            key, before.get(key, 0.0), now.get(key, 0.0), share, plan.product.unit_name
        )
        if warning is not None:
            warnings.append(warning)
    return warnings


def _dose_change(
    key: tuple[str, str], before: float, now: float, share: float, unit: str
) -> SafetyWarning | None:
    muscle, side = key
    name = f"{_muscle_name(muscle).capitalize()} ({side})"
    if before <= 0 and now <= 0:
        return None
    if before <= 0:
        code, needs_reason = "muscle_added", False
        message = f"{name}: {format_units(now)} {unit} today, not injected last cycle."
    elif now <= 0:
        code, needs_reason = "muscle_removed", False
        message = f"{name}: {format_units(before)} {unit} last cycle, none today."
    elif _above(abs(now - before), share * before):
        code, needs_reason = "dose_changed", True
        change = round(100 * (now - before) / before)
        message = (
            f"{name}: {format_units(now)} {unit} today against "
            f"{format_units(before)} {unit} last cycle ({change:+d} %), more than "
            f"the clinic's {round(100 * share)} %: give a reason."
        )
    else:
        return None
    return SafetyWarning(
        code=code,
        severity="caution",
        message=message,
        source=CLINIC_SETTING,
        muscle=muscle,
        side=side,
        needs_reason=needs_reason,
    )


def sort_warnings(warnings: Iterable[SafetyWarning]) -> list[SafetyWarning]:
    """Sort warnings before cautions; session-wide first, then by site number."""
    return sorted(
        warnings,
        key=lambda w: (
            _SEVERITY_ORDER[w.severity],
            w.site_number is not None,
            w.site_number or 0,
        ),
    )


def run_all_checks(
    plan: PlannedSession,
    *,
    history: Sequence[PastSession],
    contraindications: Contraindications,
    rules: ClinicRules,
    now: datetime,
) -> list[SafetyWarning]:
    """Run every check on today's plan and return the warnings, sorted.

    ``now`` is on the clinic's wall clock (``clinic_time.clinic_now``), so its
    date is the clinic's today.
    ``history`` holds the patient's earlier sessions, not the one being planned.
    """
    require_aware("now", now)
    today = now.date()
    sites = plan.sites
    product = plan.product
    return sort_warnings(
        [
            *check_contraindications(contraindications),
            *check_lot(plan.lot, product, now),
            *check_interval(plan.kind, product, history, today),
            *check_cumulative_cap(
                product, plan.total_units, history, today, rules.near_cap_share
            ),
            *check_product_change(product, history, today),
            *check_reference_units(product, sites, rules),
            *check_site_doses(product, sites, rules),
            *check_muscle_doses(product, sites, rules),
            *check_smile_muscles(sites),
            *check_dose_changes(plan, history, today, rules.dose_change_share),
        ]
    )
