"""Safety checks on a planned session: one list of warnings, the same on every path.

Nothing here raises for a clinical reason; ValueError means malformed input. Every
product is checked against its own dose rules, in its own units
(``planner.dosing.product_doses``); a warning needs a reason to sign, a caution does
not, and a recorded toxin allergy is a hard stop that only an injector's named
override lifts.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from datetime import datetime

from planner.clinic_time import require_aware
from planner.dosing.cycle_checks import check_booster
from planner.dosing.cycle_checks import check_exposure
from planner.dosing.cycle_checks import check_top_up
from planner.dosing.dilution import check_lot_dilution
from planner.dosing.dose_limits import check_dose_limits
from planner.dosing.dose_limits import check_muscles_without_limit
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
from planner.dosing.timing import LOT_TRACE_SOURCE
from planner.dosing.timing import TOLERANCE_UNITS
from planner.dosing.timing import check_cumulative_cap
from planner.dosing.timing import check_interval
from planner.dosing.timing import check_lot
from planner.dosing.timing import last_cycle_sessions
from planner.dosing.timing import last_full_session
from planner.dosing.vial_content import check_vial_content
from planner.dosing.volume import format_units

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
# Hypersensitivity is a contraindication on every label: signing waits for an
# injector's named override with a reason.
HARD_STOPS = frozenset({"toxin_allergy"})
_SEVERITY_ORDER: dict[Severity, int] = {"warning": 0, "caution": 1}


def _muscle_name(muscle: str) -> str:
    return muscle.replace("_", " ")


def _above(value: float, limit: float) -> bool:
    return value > limit + TOLERANCE_UNITS


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
        SafetyWarning(
            code=code,
            severity="warning",
            message=message,
            source=source,
            hard_stop=code in HARD_STOPS,
        )
        for flag, code, message, source in CONTRAINDICATIONS
        if getattr(flags, flag)
    ]


def check_product_change(
    product: Product, history: Sequence[PastSession], today: date
) -> list[SafetyWarning]:
    """Warn when today's product differs from the last full treatment's."""
    last = last_full_session(history, today)
    if last is None or last.product_code == product.code:
        return []
    return [
        SafetyWarning(
            code="product_changed",
            severity="warning",
            message=(
                f"Last cycle ({format_day(last.performed_on)}) used "
                f"{last.brand}; today's product is {product.brand}. "
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
    the top-ups since) in today's product: a top-up in another product is left out,
    its units never added to these. A muscle new this cycle, or dropped from it, is
    reported without asking for a reason. Skipped when the last full treatment used
    another product (``product_changed`` says so), or when nothing is charted yet.
    """
    if plan.kind != "full" or not plan.sites:
        return []
    cycle = last_cycle_sessions(history, today)
    if not cycle or cycle[0].product_code != plan.product.code:
        return []
    before: dict[tuple[str, str], float] = {}
    for session in (s for s in cycle if s.product_code == plan.product.code):
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
    severity: Severity
    if before <= 0:
        code, severity = "muscle_added", "caution"
        message = f"{name}: {format_units(now)} {unit} today, not injected last cycle."
    elif now <= 0:
        code, severity = "muscle_removed", "caution"
        message = f"{name}: {format_units(before)} {unit} last cycle, none today."
    elif _above(abs(now - before), share * before):
        code, severity = "dose_changed", "warning"
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
        severity=severity,
        message=message,
        source=CLINIC_SETTING,
        muscle=muscle,
        side=side,
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


def cycle_so_far(
    plan: PlannedSession, history: Sequence[PastSession], today: date
) -> tuple[PastSession, ...]:
    """Return, for a top-up, the same product's sessions of its cycle so far.

    Another product's sessions are left out: their units cannot be added to today's
    (the product change is its own warning).
    """
    if plan.kind != "top_up":
        return ()
    return tuple(
        s
        for s in last_cycle_sessions(history, today)
        if s.product_code == plan.product.code
    )


def rest_of_cycle(
    plan: PlannedSession, history: Sequence[PastSession], today: date
) -> tuple[PastSession, ...]:
    """Return the same product's top-ups given after ``today`` in this chart's cycle.

    For a chart whose cycle went on before it was signed (a top-up signed before
    its full treatment) or amended: the top-ups after its day and before the next
    full treatment. Another product's are left out.
    """
    next_full = min(
        (
            s.performed_on
            for s in history
            if s.kind == "full" and s.performed_on > today
        ),
        default=None,
    )
    return tuple(
        s
        for s in history
        if s.kind == "top_up"
        and s.product_code == plan.product.code
        and today < s.performed_on
        and (next_full is None or s.performed_on < next_full)
    )


def check_open_drafts(drafts: Sequence[date]) -> list[SafetyWarning]:
    """Caution when the patient has other charts started but never signed."""
    if not drafts:
        return []
    days = ", ".join(format_day(day) for day in sorted(drafts))
    count = "another unsigned chart" if len(drafts) == 1 else "other unsigned charts"
    return [
        SafetyWarning(
            code="open_drafts",
            severity="caution",
            message=f"This patient has {count} (started {days}): its doses are not "
            "in the checks until it is signed or discarded.",
            source=CLINIC_SETTING,
        )
    ]


def check_vials(plan: PlannedSession, now: datetime) -> list[SafetyWarning]:
    """Check every vial the chart draws from: in date, in use, made up, not overdrawn.

    The vial in use and each earlier vial of the chart are checked alike; a
    vial's content counts only the units its own sites took (``LotInfo.drawn``).
    With several vials, each vial's warnings name it (``vial_id``), so the same
    finding on two vials is two warnings. A chart with no vial is said once, and
    so are sites drawn from no vial on a chart that has one.
    """
    product = plan.product
    found = check_lot(None, product, now) if plan.lot is None else []
    if plan.lot is not None and plan.no_vial_sites:
        found += _no_vial_sites(plan.no_vial_sites)
    lots = [lot for lot in (plan.lot, *plan.earlier_lots) if lot is not None]
    for lot in lots:
        drawn = plan.total_units if lot.drawn is None else lot.drawn
        mine = [
            *check_lot(lot, product, now),
            *check_lot_dilution(lot, product),
            *check_vial_content(lot, product, drawn, now),
        ]
        # One vial keeps its warnings as they always were (signed records match
        # them word for word); several tell theirs apart.
        if len(lots) > 1:
            mine = [replace(warning, vial_id=lot.vial_id) for warning in mine]
        found += mine
    return found


def _no_vial_sites(numbers: Sequence[int]) -> list[SafetyWarning]:
    """Caution that some sites name no vial (charted before one was required)."""
    listed = ", ".join(str(number) for number in numbers)
    which = f"site {listed}" if len(numbers) == 1 else f"sites {listed}"
    return [
        SafetyWarning(
            code="lot_missing",
            severity="caution",
            message=f"No vial lot recorded for {which}, charted before a vial was "
            "chosen: the brand and batch number are needed to trace this treatment.",
            source=LOT_TRACE_SOURCE,
        )
    ]


def run_all_checks(
    plan: PlannedSession,
    *,
    history: Sequence[PastSession],
    contraindications: Contraindications,
    rules: ClinicRules,
    now: datetime,
    open_drafts: Sequence[date] = (),
) -> list[SafetyWarning]:
    """Run every check on a chart as of ``now`` and return the warnings, sorted.

    ``now`` is the treatment's time, timezone-aware and in the clinic's time zone;
    its date is the treatment's day. ``history`` holds the patient's earlier
    sessions, toxin given elsewhere included, not the one being checked;
    ``open_drafts`` the days of the patient's other unsigned charts. The dose
    limits count the whole cycle: the same product's sessions of it so far (for a
    top-up) and its top-ups given after the chart's day, signed before it was (a
    full treatment signed late, an amendment): top-ups count towards every total,
    so signing, the chart and an amendment judge one chart alike.
    """
    require_aware("now", now)
    if rules.doses.product_code != plan.product.code:
        raise ValueError(
            f"the dose rules are {rules.doses.product_code}'s, not "
            f"{plan.product.code}'s: one product's figures never check another's"
        )
    today = now.date()
    sites = plan.sites
    product = plan.product
    return sort_warnings(
        [
            *check_contraindications(contraindications),
            *check_vials(plan, now),
            *check_interval(plan.kind, product, history, today),
            *check_top_up(plan.kind, history, today, rules.cycle_times),
            *check_booster(plan.kind, product, history, today, rules.cycle_times),
            *check_cumulative_cap(
                product, plan.total_units, history, today, rules.near_cap_share
            ),
            *check_exposure(product, plan.total_units, history, today),
            *check_product_change(product, history, today),
            *check_dose_limits(
                rules.doses,
                sites,
                cycle_so_far(plan, history, today),
                rest_of_cycle(plan, history, today),
            ),
            *check_muscles_without_limit(
                rules.doses,
                product.brand,
                [
                    muscle
                    for _, muscle in sorted(
                        [*((s.number, s.muscle) for s in sites), *plan.undosed_sites]
                    )
                ],
            ),
            *check_smile_muscles(sites),
            *check_dose_changes(plan, history, today, rules.dose_change_share),
            *check_open_drafts(open_drafts),
        ]
    )
