"""Plain inputs to the safety checks, and the warning they return.

Units on a site, a session, a product or a dose limit are always that product's own
units: no figure of one product is ever compared with, or added to, another's.
"""

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import date
from datetime import datetime
from typing import Literal

from planner.clinic_time import require_aware_or_none
from planner.dosing.product_doses import ProductDoses
from planner.dosing.volume import require_non_negative
from planner.dosing.volume import require_positive
from planner.reference import ProductReference
from planner.vocabulary import SESSION_KINDS
from planner.vocabulary import SIDES
from planner.vocabulary import SITE_ROLES
from planner.vocabulary import require_choice

Severity = Literal["caution", "warning"]
# (muscle, anatomical side): the key for per-muscle totals.
MuscleSide = tuple[str, str]

# The reference table (§1.3) is in onabotulinumtoxinA units; only this INN compares.
REFERENCE_INN = "onabotulinumtoxinA"
CLINIC_SETTING = "Clinic setting"


@dataclass(frozen=True)
class ZoneNote:
    """A caution zone a warned site lies in, as the face map names and sources it."""

    title: str
    source: str


@dataclass(frozen=True)
class SafetyWarning:
    """A finding shown at the chair and kept on the record, with its reason.

    A warning needs a reason before the chart is signed, and a hard stop needs an
    injector's named override; a caution informs and asks for nothing.
    """

    code: str
    severity: Severity
    message: str
    # The rule's source tag, or "Clinic setting" when the rule is the clinic's own.
    source: str
    muscle: str | None = None
    side: str | None = None
    site_number: int | None = None
    # A hard stop (a recorded toxin allergy) refuses signing until an injector
    # overrides it by name, with a reason.
    hard_stop: bool = False
    # The vial (``LotInfo.vial_id``) a warning is about, on a chart that drew from
    # several: two vials' same warning are two warnings, each with its reason.
    vial_id: int | None = None
    # The caution zones a site lies in (``site_in_zone``), each named with its
    # source, so the review sheet can name them; none for any other check.
    zones: tuple[ZoneNote, ...] = ()
    # Every warning needs a reason to sign; a caution never does.
    needs_reason: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.hard_stop and self.severity != "warning":
            raise ValueError("only a warning can be a hard stop")
        object.__setattr__(self, "needs_reason", self.severity == "warning")


@dataclass(frozen=True)
class PlannedSite:
    """One planned injection point; ``units`` are the session product's units."""

    number: int
    muscle: str
    side: str
    role: str
    units: float

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"number must be 1 or more, got {self.number!r}")
        require_choice("side", self.side, SIDES)
        require_choice("role", self.role, SITE_ROLES)
        require_positive("units", self.units)


# Toxin given elsewhere (a cosmetic clinic, neurology): it counts towards the
# product's cap and the exposure list, never towards this clinic's cycles.
OUTSIDE = "outside"
PAST_KINDS = SESSION_KINDS | {OUTSIDE}


@dataclass(frozen=True)
class PastSession:
    """A session already given, in its product's units: full, top-up or outside.

    ``where`` names the place for toxin given outside the clinic. ``brand``
    and ``unit_name`` word the product as its row does ("Dysport",
    "U (Speywood)"): a product the dose reference does not list (imported, or
    added by the clinic) has them too.
    """

    performed_on: date
    kind: str
    product_code: str
    units_total: float
    muscle_units: Mapping[MuscleSide, float] = field(default_factory=dict)
    where: str | None = None
    brand: str = field(kw_only=True)
    unit_name: str = field(kw_only=True)

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, PAST_KINDS)
        require_non_negative("units_total", self.units_total)


@dataclass(frozen=True)
class VialShare:
    """What else the chart's vial has given, in its product's units (the chart's).

    ``charted`` is the units on the vial's other signed and draft charts, of which
    there are ``charts``; ``wasted`` the units recorded as waste from it.
    """

    charted: float = 0.0
    charts: int = 0
    wasted: float = 0.0

    def __post_init__(self) -> None:
        require_non_negative("charted", self.charted)
        require_non_negative("wasted", self.wasted)


@dataclass(frozen=True)
class LotInfo:
    """The vial lot in use; ``reconstituted_at`` is timezone-aware or None.

    ``vial_units`` and ``diluent_ml`` say how it was made up, when known;
    ``shared`` what the vial gave outside this chart, when it was looked up.
    ``first_used_at`` is the earliest treatment time of a session charted from
    the vial (aware, or None): the vial was reconstituted by then, so it bounds
    a reconstitution time nobody recorded. ``drawn`` is the units the chart's
    sites took from this vial, when the chart used more than one; None: the
    chart's whole total came from it. ``vial_id`` names the vial (its record's
    id), so that on a chart with several vials each vial's warnings are told
    apart.
    """

    lot_number: str
    expiry_date: date
    reconstituted_at: datetime | None = None
    vial_units: float | None = None
    diluent_ml: float | None = None
    shared: VialShare | None = None
    first_used_at: datetime | None = None
    drawn: float | None = None
    vial_id: int | None = None
    # The brand on the vial's box (Azzalure), when known: its dilution table.
    brand: str | None = None

    def __post_init__(self) -> None:
        require_aware_or_none("reconstituted_at", self.reconstituted_at)
        require_aware_or_none("first_used_at", self.first_used_at)
        if self.drawn is not None:
            require_non_negative("drawn", self.drawn)


@dataclass(frozen=True)
class LabelDilution:
    """One row of a label's dilution table."""

    vial_units: float
    diluent_ml: float
    source: str


@dataclass(frozen=True)
class Product:
    """A toxin product's limits as the clinic holds them, each with its source."""

    code: str
    brand: str
    inn: str
    in_use_hours: float
    in_use_source: str
    min_interval_days: int
    interval_source: str
    cap_units_3_months: float | None = None
    cap_source: str | None = None
    unit_name: str = "U"
    # The label's dilution table: a vial made up off it is a warning at the chair.
    dilutions: tuple[LabelDilution, ...] = ()

    def __post_init__(self) -> None:
        require_positive("in_use_hours", self.in_use_hours)
        require_non_negative("min_interval_days", self.min_interval_days)
        if self.cap_units_3_months is not None:
            require_positive("cap_units_3_months", self.cap_units_3_months)

    @property
    def uses_reference_units(self) -> bool:
        """Return whether this product's units are the reference table's units."""
        return self.inn == REFERENCE_INN


@dataclass(frozen=True)
class Contraindications:
    """The patient's recorded contraindication and caution flags."""

    pregnant: bool = False
    breastfeeding: bool = False
    neuromuscular_disease: bool = False
    aminoglycosides: bool = False
    toxin_allergy: bool = False


@dataclass(frozen=True)
class PlannedSession:
    """Today's chart: session kind, product, lot and sites.

    ``lot`` is the vial in use; ``earlier_lots`` the other vials of the product
    the chart's sites were drawn from (the first ran out, another was opened);
    ``no_vial_sites`` the numbers of dosed sites drawn from no vial on record
    (charted before a vial was required); ``undosed_sites`` the number and
    muscle of each site whose dose is not entered yet (in no total, but charted).
    """

    kind: str
    product: Product
    sites: tuple[PlannedSite, ...] = ()
    lot: LotInfo | None = None
    earlier_lots: tuple[LotInfo, ...] = ()
    no_vial_sites: tuple[int, ...] = ()
    undosed_sites: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        require_choice("kind", self.kind, SESSION_KINDS)

    @property
    def total_units(self) -> float:
        """Return the session total in the product's units."""
        return sum((site.units for site in self.sites), 0.0)


@dataclass(frozen=True)
class CycleTimes:
    """The clinic's cycle settings, in days since the cycle's full treatment."""

    # The clinic's review day (setting "review_day", day 14 as shipped): a top-up
    # before it comes before the response can be judged. The review's booking
    # tolerance does not move it: top-ups only after the full 2 weeks [S63].
    review_day: int = 14
    # The review window's last day (review day plus its tolerance, day 17 as
    # shipped): a top-up after it is a booster within the cycle, not the review's.
    review_until_day: int = 17
    # From this day the re-treatment window is open: a new cycle, not a top-up.
    # The clinic's opening day, or the full treatment's product's minimum interval
    # if later (scheduling.retreatment_opens_day); 84 days is Botox's as shipped.
    window_opens_day: int = 84
    # The cycle's full treatment's product as the interval check reads it, so a
    # refusal can say why the window opens on its day (None: not said).
    full_product: Product | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.review_day <= self.review_until_day < self.window_opens_day:
            raise ValueError(
                "need 0 <= review_day <= review_until_day < window_opens_day, got "
                f"{self.review_day!r}, {self.review_until_day!r} and "
                f"{self.window_opens_day!r}"
            )
        interval = self.full_product and self.full_product.min_interval_days
        if interval and self.window_opens_day < interval:
            raise ValueError(
                "the re-treatment window cannot open before the full treatment's "
                f"min_interval_days ({interval!r}), got {self.window_opens_day!r}"
            )


@dataclass(frozen=True)
class ClinicRules:
    """The clinic's settings the checks use; shares are fractions (0.5 = 50 %).

    ``doses`` are the dose rules of the product being charted, in its own units.
    """

    doses: ProductDoses
    cycle_times: CycleTimes = field(default_factory=CycleTimes)
    # Default of the clinic setting "dose_change_reason_share".
    dose_change_share: float = 0.5
    near_cap_share: float = 0.8

    def __post_init__(self) -> None:
        require_positive("dose_change_share", self.dose_change_share)
        require_positive("near_cap_share", self.near_cap_share)
        if self.near_cap_share > 1:
            raise ValueError(
                f"near_cap_share must be at most 1, got {self.near_cap_share!r}"
            )


def muscle_totals(sites: Iterable[PlannedSite]) -> dict[MuscleSide, float]:
    """Return total units per (muscle, anatomical side)."""
    totals: dict[MuscleSide, float] = {}
    for site in sites:
        key = (site.muscle, site.side)
        totals[key] = totals.get(key, 0.0) + site.units
    return totals


def _label_dilution(row: object) -> LabelDilution:
    """Read one dilution row: a stored product's dict, or the reference's record."""
    values = row if isinstance(row, Mapping) else vars(row)
    return LabelDilution(
        float(values["vial_units"]), float(values["diluent_ml"]), str(values["source"])
    )


def product_from(source: object) -> Product:
    """Return the checks' view of a product from any record holding its fields.

    The shipped reference (``ProductReference``) and the stored product row both
    carry every field of :class:`Product` under the same name; their dilution
    tables differ only in form (records or dicts).
    """
    values = {
        f.name: getattr(source, f.name)
        for f in fields(Product)
        if f.name != "dilutions"
    }
    rows: Sequence[object] = getattr(source, "dilutions", ())
    return Product(**values, dilutions=tuple(_label_dilution(row) for row in rows))


def product_from_reference(reference: ProductReference) -> Product:
    """Return the checks' view of a product from the shipped reference data."""
    return product_from(reference)


def format_day(day: date) -> str:
    """Write a date as people read it on the chart: '21 Nov 2026'."""
    return f"{day.day} {day:%b %Y}"
