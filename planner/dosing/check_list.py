"""Every safety check, as the README's table lists it: severity, products, source.

Pure: no flask, no database. ``safety_checks_markdown`` writes the table between the
README's markers; a test fails when the README, this list or the checks drift apart.
"""

from dataclasses import dataclass

from planner.dosing.checks import CONTRAINDICATIONS
from planner.dosing.checks import HARD_STOPS
from planner.dosing.checks import UNITS_NOT_INTERCHANGEABLE_SOURCE
from planner.dosing.cycle_checks import BOOSTER_INTERVAL_SOURCE
from planner.dosing.cycle_checks import BOOSTER_SOURCE
from planner.dosing.cycle_checks import EXPOSURE_SOURCE
from planner.dosing.cycle_checks import OUTSIDE_CYCLE_SOURCE
from planner.dosing.dose_limits import UNLIMITED_SOURCE
from planner.dosing.records import CLINIC_SETTING
from planner.dosing.timing import LOT_EXPIRY_SOURCE
from planner.dosing.timing import LOT_TRACE_SOURCE
from planner.dosing.treated_muscles import CODE as TREATED_CODE
from planner.dosing.treated_muscles import SOURCE as TREATED_SOURCE
from planner.dosing.vial_content import CODE as VIAL_CODE
from planner.dosing.vial_content import SOURCE as VIAL_SOURCE
from planner.reference import PRODUCTS

EVERY_PRODUCT = "every product"
WARNING = "warning: needs a reason to sign"
CAUTION = "caution: informs"
LABEL_INTERVALS = "label's interval ([S20] [S25] [S26] [S27] [S28])"
HARD_STOP = "warning, hard stop: needs the injector's named override and a reason"


@dataclass(frozen=True)
class CheckInfo:
    """One check as the README's table shows it."""

    code: str
    what: str
    severity: str
    products: str
    source: str


def _capped() -> str:
    return ", ".join(p.brand for p in PRODUCTS if p.cap_units_3_months is not None)


def _clinic_intervals() -> str:
    """Name the products whose interval no source gives: the clinic's setting."""
    brands = [p.brand for p in PRODUCTS if p.interval_source.startswith("UNSOURCED")]
    if not brands:
        return ""
    return (
        f"; {', '.join(brands)}: {CLINIC_SETTING} (shipped default, UNSOURCED; "
        "editable on the settings page)"
    )


def _contraindications() -> list[CheckInfo]:
    return [
        CheckInfo(
            code,
            f"The patient's record flags {flag.replace('_', ' ')}.",
            HARD_STOP if code in HARD_STOPS else WARNING,
            EVERY_PRODUCT,
            source,
        )
        for flag, code, _message, source in CONTRAINDICATIONS
    ]


_PRODUCT_RULES = (
    "Each product's own figures, in its own units: sourced (the Botox table, "
    "each label's glabellar dose per site) or a labelled clinic setting"
)

CHECKS: tuple[CheckInfo, ...] = (
    *_contraindications(),
    CheckInfo(
        "dose_above_point_limit",
        "A site's dose is above its muscle's dose per point.",
        WARNING,
        EVERY_PRODUCT + " (muscles it has a figure for)",
        _PRODUCT_RULES,
    ),
    CheckInfo(
        "dose_above_site_ceiling",
        "A site's dose is above the product's ceiling for any one site.",
        WARNING,
        EVERY_PRODUCT + ", every muscle",
        f"{CLINIC_SETTING} (shipped default, UNSOURCED)",
    ),
    CheckInfo(
        "muscle_above_limit",
        "A muscle's total on one side, top-ups of the cycle included, is above "
        "its limit per side.",
        WARNING,
        EVERY_PRODUCT + " (muscles it has a figure for)",
        _PRODUCT_RULES,
    ),
    CheckInfo(
        "muscle_without_limit",
        "The chart has sites in muscles with no per-point or per-side limit of "
        "their own for its product (shipped or set by the clinic): said once, "
        "naming the muscles and the ceilings that still apply.",
        CAUTION,
        "Dysport, Xeomin, Jeuveau, Daxxify, Letybo (all but the glabellar "
        "muscles); any product where the clinic cleared a figure",
        UNLIMITED_SOURCE,
    ),
    CheckInfo(
        "side_above_ceiling",
        "One side's total, top-ups of the cycle included, is above the "
        "product's ceiling per side.",
        WARNING,
        EVERY_PRODUCT,
        f"{CLINIC_SETTING} (shipped default, UNSOURCED)",
    ),
    CheckInfo(
        "group_above_limit",
        "The glabellar complex's total is above its limit per session.",
        WARNING,
        EVERY_PRODUCT,
        "Daxxify: the label's maximum of 40 U per glabellar session [S27]. Other "
        "products: a clinic setting from the label's glabellar dose, which is not a "
        "maximum ([S22] [S23] [S25] [S26] [S28])",
    ),
    CheckInfo(
        "session_above_ceiling",
        "The session's total, top-ups of the cycle included, is above the "
        "product's ceiling per session.",
        WARNING,
        EVERY_PRODUCT,
        f"{CLINIC_SETTING} (shipped default, UNSOURCED)",
    ),
    CheckInfo(
        "smile_muscle_affected_side",
        "Zygomaticus or risorius (warning), or a levator of the lip (caution), "
        "on the affected side, as the patient's affected side is now.",
        WARNING + "; caution for the levators",
        EVERY_PRODUCT,
        "Clinical reference §1.3 [S-cba] [S76]",
    ),
    CheckInfo(
        "site_in_zone",
        "A site lies in a caution zone of its session's face map, for its muscle "
        "and role (central upper lid, medial lower lid, central brow, frontalis "
        "near the brow or on the affected side, DAO towards the DLI or the mouth "
        "corner): one per site, naming each zone. A tap in a no-go zone (the eye) "
        "places nothing.",
        WARNING + "; caution where the zone says so",
        EVERY_PRODUCT,
        "Each zone's own, in the face map (face_maps/front-v2.json)",
    ),
    CheckInfo(
        TREATED_CODE,
        "A site on a muscle-side that a recorded procedure (DAO excision, "
        "selective myectomy, selective neurolysis) excised or denervated on or "
        "before the treatment's day. A tap there places nothing until confirmed; "
        "copy last cycle and templates leave such sites out and name them.",
        WARNING,
        EVERY_PRODUCT,
        TREATED_SOURCE,
    ),
    CheckInfo(
        "interval_short",
        "A full treatment sooner than the product's minimum interval after the "
        "last, counted in clinic days as of the treatment's day.",
        WARNING,
        EVERY_PRODUCT,
        f"Each {LABEL_INTERVALS}{_clinic_intervals()}",
    ),
    CheckInfo(
        "top_up_early",
        "A top-up before the clinic's review day (day 14 as shipped); the review "
        "visit's booking tolerance does not bring it forward.",
        WARNING,
        EVERY_PRODUCT,
        BOOSTER_SOURCE,
    ),
    CheckInfo(
        "top_up_booster",
        "A top-up after the review window closed (day 17 as shipped) and sooner "
        "than the minimum interval after the last full treatment: in effect a "
        "booster injection. In a cycle of two products the longer interval "
        "holds, the top-up's product's or the full treatment's, and the warning "
        "names it. Counted in clinic days, as `interval_short`.",
        WARNING,
        EVERY_PRODUCT,
        f"{BOOSTER_INTERVAL_SOURCE}; each {LABEL_INTERVALS}{_clinic_intervals()}; "
        f"review window: {CLINIC_SETTING}",
    ),
    CheckInfo(
        "top_up_outside_cycle",
        "A top-up with no cycle to join, or after its cycle's re-treatment window "
        "opened: on the clinic's opening day (12 weeks as shipped) or at the "
        "minimum interval of the full treatment's product, whichever is later, "
        "whatever product the top-up is (a new top-up is refused outright).",
        WARNING,
        EVERY_PRODUCT,
        f"{OUTSIDE_CYCLE_SOURCE}: each {LABEL_INTERVALS}{_clinic_intervals()}",
    ),
    CheckInfo(
        "cap_exceeded",
        "The product's units in the rolling 3 months, top-ups and toxin given "
        "elsewhere included, are above its label cap.",
        WARNING,
        _capped(),
        "[S20] Botox label: 400 U in 3 months",
    ),
    CheckInfo(
        "cap_near",
        "The same, at or above the clinic's caution share of the cap.",
        CAUTION,
        _capped(),
        f"[S20]; caution share: {CLINIC_SETTING}",
    ),
    CheckInfo(
        "recent_exposure",
        "Toxin of another product, or given elsewhere, in the rolling 3 months: "
        "listed product by product, never added together.",
        CAUTION,
        EVERY_PRODUCT,
        EXPOSURE_SOURCE,
    ),
    CheckInfo(
        "product_changed",
        "Today's product differs from the last cycle's: its doses cannot be "
        "carried over unit for unit.",
        WARNING,
        EVERY_PRODUCT,
        UNITS_NOT_INTERCHANGEABLE_SOURCE,
    ),
    CheckInfo(
        "dose_changed",
        "A muscle's dose per side moved by more than the clinic's share since "
        "the last cycle of the same product.",
        WARNING,
        EVERY_PRODUCT,
        CLINIC_SETTING,
    ),
    CheckInfo(
        "muscle_added",
        "A muscle injected today that was not last cycle.",
        CAUTION,
        EVERY_PRODUCT,
        CLINIC_SETTING,
    ),
    CheckInfo(
        "muscle_removed",
        "A muscle injected last cycle that is not today.",
        CAUTION,
        EVERY_PRODUCT,
        CLINIC_SETTING,
    ),
    CheckInfo(
        "lot_missing",
        "No vial lot recorded.",
        CAUTION,
        EVERY_PRODUCT,
        LOT_TRACE_SOURCE,
    ),
    CheckInfo(
        "lot_expired",
        "The lot's expiry date has passed on the treatment's day.",
        WARNING,
        EVERY_PRODUCT,
        LOT_EXPIRY_SOURCE,
    ),
    CheckInfo(
        "reconstitution_unrecorded",
        "The vial's reconstitution time is not recorded (and its first charted "
        "use is within the product's in-use time).",
        CAUTION,
        EVERY_PRODUCT,
        "Each label's in-use time; [S38]",
    ),
    CheckInfo(
        "reconstitution_in_future",
        "The vial is recorded as reconstituted after the treatment time.",
        WARNING,
        EVERY_PRODUCT,
        "Each label's in-use time",
    ),
    CheckInfo(
        "reconstitution_expired",
        "The vial was reconstituted longer ago than the product's in-use time "
        "(real hours, across clock changes); with no time recorded, its first "
        "charted use was.",
        WARNING,
        EVERY_PRODUCT,
        "Each label's in-use time (Daxxify 72 h, the others 24 h); [S38]",
    ),
    CheckInfo(
        "dilution_off_label",
        "A vial's diluent volume is not in the product's dilution table (a volume "
        "no label or practice uses is refused outright).",
        WARNING,
        EVERY_PRODUCT,
        "Each product's dilution table: label text [S21] [S23] [S26] [S28]; "
        "Dysport 500 U distributor copy [S23b]; Xeomin secondary source [S25b]; "
        "Daxxify volumes UNSOURCED (not in the label; check with the supplier), "
        "worked out from [S27]",
    ),
    CheckInfo(
        VIAL_CODE,
        "A chart takes more from a shared vial than it has left: its size less "
        "the units of its other signed and draft charts and the waste recorded "
        "(a vial that is the chart's alone is made up with whole vials).",
        WARNING,
        EVERY_PRODUCT,
        VIAL_SOURCE,
    ),
    CheckInfo(
        "open_drafts",
        "The patient has other charts started and never signed.",
        CAUTION,
        EVERY_PRODUCT,
        CLINIC_SETTING,
    ),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def safety_checks_markdown() -> str:
    """Return the README's safety-checks table, one row per check."""
    lines = [
        "| Check | What it flags | Severity | Products | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{c.code}` | {_cell(c.what)} | {_cell(c.severity)} | "
        f"{_cell(c.products)} | {_cell(c.source)} |"
        for c in CHECKS
    ]
    return "\n".join(lines) + "\n"
