"""Reference data from the clinical reference, each value with its source.

Values flagged ``unsourced`` could not be confirmed in any retrieved source. They
ship only as clinic-editable settings, labelled as the clinic's choice, never as
facts. A product's dilution table is not editable: a row in it that no label gives
says so (``UNSOURCED_DILUTION``). Source tags ([S20] ...) refer to
docs/clinical-reference sources, listed in the README.
"""

from dataclasses import dataclass
from dataclasses import field

# The source of a dilution no label gives: shown with the row, never as a fact.
UNSOURCED_DILUTION = "UNSOURCED: not in the label; check with the supplier"


@dataclass(frozen=True)
class Dilution:
    vial_units: int
    diluent_ml: float
    source: str


@dataclass(frozen=True)
class BrandReference:
    """Another brand of the same product: the same substance and units, its own
    box (vial sizes and dilution rows, where the reference gives them)."""

    name: str
    vial_sizes: tuple[int, ...]
    dilutions: tuple[Dilution, ...]


@dataclass(frozen=True)
class ProductReference:
    code: str
    brand: str
    inn: str
    unit_name: str
    vial_sizes: tuple[int, ...]
    dilutions: tuple[Dilution, ...]
    in_use_hours: int
    in_use_source: str
    min_interval_days: int
    interval_source: str
    colour: str
    cap_units_3_months: float | None = None
    cap_source: str | None = None
    # Brands besides ``brand`` under which the same product is sold.
    other_brands: tuple[BrandReference, ...] = ()


def _dilutions(source: str, *volumes: tuple[int, float]) -> tuple[Dilution, ...]:
    """Return the dilutions one source gives, each as (vial units, diluent mL)."""
    return tuple(Dilution(vial, diluent, source) for vial, diluent in volumes)


_XEOMIN_DILUTIONS = _dilutions(
    "[S25b] low-quality secondary source, not label text; arithmetic "
    "matches 4 U/0.1 mL",
    (50, 1.25),
    (100, 2.5),
)

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PRODUCTS: tuple[ProductReference, ...] = (
    ProductReference(
        code="botox",
        brand="Botox",
        inn="onabotulinumtoxinA",
        unit_name="U",
        vial_sizes=(50, 100, 200),
        dilutions=_dilutions(
            "[S21] Botox label dilution table",
            (100, 1.0),
            (100, 2.0),
            (100, 2.5),
            (100, 4.0),
            (100, 8.0),
            (100, 10.0),
            (50, 1.25),
        ),
        in_use_hours=24,
        in_use_source="[S21] Botox label: administer within 24 h of reconstitution",
        min_interval_days=84,
        interval_source="[S20] Botox label: more often than every 3 months may cause "
        "tolerance",
        colour="#0072B2",
        cap_units_3_months=400,
        cap_source="[S20] Botox label: at most 400 U cumulative in 3 months",
    ),
    ProductReference(
        code="dysport",
        brand="Dysport",
        inn="abobotulinumtoxinA",
        unit_name="U (Speywood)",
        vial_sizes=(300, 500),
        dilutions=(
            *_dilutions("[S23] Dysport label, glabellar", (300, 1.5), (300, 2.5)),
            *_dilutions(
                "[S23b] distributor copy, not label text",
                (500, 1.0),
                (500, 2.5),
                (500, 5.0),
            ),
        ),
        in_use_hours=24,
        in_use_source="[S24] SmPC in-use stability 24 h at 2–8 °C",
        min_interval_days=84,
        interval_source="UNSOURCED: 3 months assumed as for the other products",
        colour="#D55E00",
        other_brands=(
            BrandReference(
                "Azzalure",
                (125,),
                _dilutions(
                    "[S24] Azzalure SmPC: 0.63 mL gives 10 U (Speywood) per 0.05 mL",
                    (125, 0.63),
                ),
            ),
        ),
    ),
    ProductReference(
        code="xeomin",
        brand="Xeomin",
        inn="incobotulinumtoxinA",
        unit_name="U",
        vial_sizes=(50, 100),
        dilutions=_XEOMIN_DILUTIONS,
        in_use_hours=24,
        in_use_source="[S25] Xeomin: use within 24 h, keep at 2–8 °C",
        min_interval_days=84,
        interval_source="[S25] Xeomin: no more often than every 3 months",
        colour="#009E73",
        # The reference gives Xeomin and Bocouture one row: the same vials [S25]
        # and the same secondary-source dilutions [S25b].
        other_brands=(BrandReference("Bocouture", (50, 100), _XEOMIN_DILUTIONS),),
    ),
    ProductReference(
        code="jeuveau",
        brand="Jeuveau",
        inn="prabotulinumtoxinA-xvfs",
        unit_name="U",
        vial_sizes=(100,),
        dilutions=_dilutions("[S26] Jeuveau label: 4 U per 0.1 mL", (100, 2.5)),
        in_use_hours=24,
        in_use_source="[S26] Jeuveau label: use within 24 h",
        min_interval_days=84,
        interval_source="[S26] Jeuveau label: no more often than every 3 months",
        colour="#CC79A7",
    ),
    ProductReference(
        code="daxxify",
        brand="Daxxify",
        inn="daxibotulinumtoxinA-lanm",
        unit_name="U",
        vial_sizes=(50, 100),
        # The label gives the strength, not the volume; no page edits a dilution
        # table, so the volume is shown as UNSOURCED, not as a clinic setting.
        dilutions=_dilutions(
            f"{UNSOURCED_DILUTION}; the volume is worked out to give [S27]'s 8 U "
            "per 0.1 mL",
            (50, 0.625),
            (100, 1.25),
        ),
        in_use_hours=72,
        in_use_source="[S27b] Daxxify: labelled in-use shelf life 72 h",
        min_interval_days=84,
        interval_source="[S27] Daxxify: no more often than every 3 months",
        colour="#E69F00",
    ),
    ProductReference(
        code="letybo",
        brand="Letybo",
        inn="letibotulinumtoxinA-wlbg",
        unit_name="U",
        vial_sizes=(50, 100),
        dilutions=_dilutions(
            "[S28] Letybo label: 4 U per 0.1 mL; the volumes by arithmetic",
            (50, 1.25),
            (100, 2.5),
        ),
        in_use_hours=24,
        in_use_source="[S28] Letybo: use within 24 h of reconstitution",
        min_interval_days=84,
        interval_source="[S28] Letybo: no more often than every 3 months",
        colour="#56B4E9",
    ),
)


@dataclass(frozen=True)
class MuscleDose:
    """Reference dose per injection point, in onabotulinumtoxinA units."""

    muscle: str
    low: float
    high: float
    default: float
    source: str
    unsourced: bool = False
    # Usual side in synkinesis practice, for realistic demo data.
    usual_roles: tuple[str, ...] = field(default=("affected",))


MUSCLE_DOSES: tuple[MuscleDose, ...] = (
    MuscleDose(
        "frontalis",
        1,
        4,
        2,
        "UNSOURCED: facial-palsy range",
        True,
        ("contralateral", "affected"),
    ),
    MuscleDose(
        "corrugator",
        2,
        4,
        4,
        "[S22] [S25] glabellar label: 4 U per site (lower bound UNSOURCED)",
    ),
    MuscleDose(
        "depressor_supercilii",
        1,
        2,
        1,
        "UNSOURCED: conservative 1–2 U; [S26] names it a brow depressor, no dose",
        True,
        ("contralateral", "affected"),
    ),
    MuscleDose(
        "procerus",
        2,
        4,
        4,
        "[S22] [S25] glabellar label: 4 U at 1 site (lower bound UNSOURCED)",
        usual_roles=("midline",),
    ),
    MuscleDose(
        "orbicularis_oculi_pretarsal_upper",
        1.25,
        2.5,
        1.25,
        "[S20] blepharospasm label: 1.25–2.5 U per site",
    ),
    MuscleDose(
        "orbicularis_oculi_pretarsal_lower",
        1.25,
        2.5,
        1.25,
        "[S20] blepharospasm label: 1.25–2.5 U per site",
    ),
    MuscleDose(
        "orbicularis_oculi_preseptal_upper",
        1,
        2,
        1,
        "UNSOURCED: conservative 1–2 U, below the pretarsal 1.25–2.5 U of [S20]",
        True,
    ),
    MuscleDose(
        "orbicularis_oculi_preseptal_lower",
        1,
        2,
        1,
        "[S70] 2–4 U per lower eyelid, aesthetic (low-quality source); per point "
        "UNSOURCED",
        True,
    ),
    MuscleDose(
        "orbicularis_oculi_orbital",
        2,
        5,
        2.5,
        "[S37] atlas, aesthetic: 2–5 U per site",
        usual_roles=("affected", "contralateral"),
    ),
    MuscleDose("nasalis", 1, 2, 1, "[S66] aesthetic: 2 U central, 1 U lateral"),
    MuscleDose(
        "levator_labii_superioris_alaeque_nasi",
        1,
        4,
        2,
        "[S66] aesthetic: 2–4 U (palsy range UNSOURCED)",
        True,
    ),
    MuscleDose(
        "levator_labii_superioris",
        1,
        4,
        2,
        "[S66] aesthetic: 2–4 U (palsy range UNSOURCED)",
        True,
        ("contralateral",),
    ),
    MuscleDose(
        "zygomaticus_major", 1, 2, 1, "UNSOURCED: 1–2 U", True, ("contralateral",)
    ),
    MuscleDose(
        "zygomaticus_minor", 1, 2, 1, "UNSOURCED: 1–2 U", True, ("contralateral",)
    ),
    MuscleDose("risorius", 1, 2, 1, "UNSOURCED: 1–2 U", True, ("contralateral",)),
    MuscleDose("buccinator", 2.5, 5, 2.5, "UNSOURCED: 2.5–5 U per point", True),
    MuscleDose("orbicularis_oris_upper", 0.5, 1, 1, "[S66] aesthetic: 1 U per point"),
    MuscleDose("orbicularis_oris_lower", 0.5, 1, 1, "[S66] aesthetic: 1 U per point"),
    MuscleDose(
        "depressor_anguli_oris",
        2,
        3,
        2,
        "[S64] 2–3 U at one point ([S65]'s 3–4 U is per side, over 3 points)",
    ),
    MuscleDose(
        "depressor_labii_inferioris",
        1,
        2,
        1,
        "[S66] aesthetic 2 U (palsy range UNSOURCED)",
        True,
        ("contralateral",),
    ),
    MuscleDose("mentalis", 2, 3, 2, "[S66] aesthetic: 2–3 U"),
    MuscleDose(
        "platysma",
        1,
        5,
        2,
        "UNSOURCED: 2–5 U per point for synkinesis; [S66] ~1 U aesthetic",
        True,
    ),
)


def product_reference(code: str) -> ProductReference:
    for product in PRODUCTS:
        if product.code == code:
            return product
    raise KeyError(code)


def other_brand(code: str, name: str) -> BrandReference | None:
    """Return another brand of a product by name, or None if it has no such one."""
    try:
        others = product_reference(code).other_brands
    except KeyError:
        return None
    return next((other for other in others if other.name == name), None)


def brand_names(code: str, brand: str) -> tuple[str, ...]:
    """Return the brands a product is sold under, its main ``brand`` first.

    A product the reference does not list has its one brand.
    """
    try:
        others = product_reference(code).other_brands
    except KeyError:
        others = ()
    return (brand, *(other.name for other in others))
