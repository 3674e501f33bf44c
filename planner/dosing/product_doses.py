"""Dose limits and tap defaults for every product, each in that product's own units.

Pure: no flask, no database. Every figure here is written in the units of the
product it belongs to and is never derived from another product's figure by a
conversion ratio: the labels say units "cannot be compared to nor converted into
units of any other botulinum toxin product" (clinical reference §2.1).

What is sourced ships as a fact with its source tag: the Botox table of the clinical
reference (§1.3), each label's glabellar doses per site (§2.2) and Daxxify's maximum
of 40 U per glabellar session [S27]. The other labels give a glabellar *dose*, not a
maximum (§2.2), so their glabellar total used as a limit per session is a clinic
setting, shipped from that dose. Everything else is a clinic setting, labelled as
such, that an admin edits per product. So that no product and no muscle is ever
unchecked, every product also has an absolute ceiling per site, per side and per
session: clinic settings with shipped defaults, worked out within the product from
its own label (a multiple of its label's glabellar dose), never from another
product's units.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from planner.reference import MUSCLE_DOSES
from planner.reference import PRODUCTS

CLINIC_SETTING = "Clinic setting"
GLABELLAR_MUSCLES = frozenset({"corrugator", "procerus"})


@dataclass(frozen=True)
class DoseLimit:
    """The most a rule allows, in the product's units, and where the rule comes from.

    ``clinic_setting`` marks the clinic's own figure (shipped as a default or edited
    by an admin): shown as "clinic setting", never as a fact.
    """

    high: float
    source: str
    clinic_setting: bool

    def __post_init__(self) -> None:
        if not self.high > 0:
            raise ValueError(f"high must be above 0, got {self.high!r}")

    @property
    def label(self) -> str:
        """Say where the limit comes from, marking the clinic's own figures."""
        if self.clinic_setting and not self.source.startswith(CLINIC_SETTING):
            return f"{CLINIC_SETTING}: {self.source}"
        return self.source


@dataclass(frozen=True)
class GroupLimit:
    """A limit on several muscles together in one session, all sides summed.

    ``key`` names the limit among the clinic's settings: ``glabellar``.
    """

    key: str
    name: str
    muscles: frozenset[str]
    limit: DoseLimit


@dataclass(frozen=True)
class ProductDoses:
    """One product's dose rules and tap defaults, all in its own units."""

    product_code: str
    unit_name: str
    site_ceiling: DoseLimit
    side_ceiling: DoseLimit
    session_ceiling: DoseLimit
    per_point: Mapping[str, DoseLimit] = field(default_factory=dict)
    per_muscle_side: Mapping[str, DoseLimit] = field(default_factory=dict)
    groups: tuple[GroupLimit, ...] = ()
    # Tap defaults; a muscle missing here starts empty: the clinician enters the dose.
    defaults: Mapping[str, float] = field(default_factory=dict)

    def with_overrides(
        self,
        *,
        per_point: Mapping[str, DoseLimit] | None = None,
        per_muscle_side: Mapping[str, DoseLimit] | None = None,
        ceilings: Mapping[str, DoseLimit] | None = None,
        groups: Mapping[str, DoseLimit] | None = None,
        defaults: Mapping[str, float] | None = None,
    ) -> "ProductDoses":
        """Return these rules with the clinic's edits laid over the shipped ones.

        ``ceilings`` is keyed ``site``, ``side`` or ``session``; ``groups`` by
        each group's key.
        """
        chosen = dict(ceilings or {})
        unknown = chosen.keys() - {"site", "side", "session"}
        if unknown:
            raise ValueError(f"unknown ceilings {sorted(unknown)}")
        edited = dict(groups or {})
        unknown = edited.keys() - {group.key for group in self.groups}
        if unknown:
            raise ValueError(f"unknown groups {sorted(unknown)}")
        return replace(
            self,
            per_point={**self.per_point, **(per_point or {})},
            per_muscle_side={**self.per_muscle_side, **(per_muscle_side or {})},
            site_ceiling=chosen.get("site", self.site_ceiling),
            side_ceiling=chosen.get("side", self.side_ceiling),
            session_ceiling=chosen.get("session", self.session_ceiling),
            groups=tuple(
                replace(group, limit=edited.get(group.key, group.limit))
                for group in self.groups
            ),
            defaults={**self.defaults, **(defaults or {})},
        )


def _sourced(high: float, source: str) -> DoseLimit:
    return DoseLimit(high, source, clinic_setting=False)


def _setting(high: float, why: str) -> DoseLimit:
    return DoseLimit(high, why, clinic_setting=True)


@dataclass(frozen=True)
class _Label:
    """A label's glabellar dose: units per site at 5 sites (2 per corrugator).

    ``maximum``: the label makes the glabellar total a maximum per session
    (Daxxify only, §2.2); otherwise it is the label's dose.
    """

    per_site: float
    source: str
    maximum: bool = False


# Each label's glabellar dose (clinical reference §2.2 and §1.3 "other facts": the
# glabellar complex is 2 points per corrugator and 1 procerus, 5 sites in all).
_LABELS: dict[str, _Label] = {
    "botox": _Label(4, "[S22] Botox Cosmetic label: glabellar 20 U = 5 × 4 U"),
    "dysport": _Label(10, "[S23] Dysport label: glabellar 50 U = 5 × 10 U"),
    "xeomin": _Label(4, "[S25] Xeomin label: glabellar 20 U = 5 × 4 U"),
    "jeuveau": _Label(4, "[S26] Jeuveau label: glabellar 20 U = 5 × 4 U"),
    "daxxify": _Label(8, "[S27] Daxxify label: glabellar 40 U = 5 × 8 U", True),
    "letybo": _Label(4, "[S28] Letybo label: glabellar 20 U = 5 × 4 U"),
}
# Shipped ceilings, as multiples of the product's own label per-site and glabellar
# doses. UNSOURCED: a clinic's starting point, to be reviewed by its clinicians.
SITE_CEILING_TIMES_LABEL_SITE = 2.5
SESSION_CEILING_TIMES_LABEL_GLABELLAR = 5
SIDE_CEILING_SHARE_OF_SESSION = 0.5

# Botox totals per muscle per side (clinical reference §1.3 "Total/side"). A total
# with no source tag in the reference is a clinic setting.
_BOTOX_PER_SIDE: dict[str, DoseLimit] = {
    "frontalis": _setting(10, "UNSOURCED: facial palsy 4–10 U per side (§1.3)"),
    "corrugator": _sourced(8, "[S22] [S25] glabellar label: 2 sites × 4 U"),
    "procerus": _sourced(4, "[S22] [S25] glabellar label: 4 U at 1 site"),
    "orbicularis_oculi_pretarsal_upper": _setting(
        5, "UNSOURCED: 2 points × 2.5 U, from the per-point range [S20]"
    ),
    "orbicularis_oculi_pretarsal_lower": _setting(
        2.5, "UNSOURCED: 1 lateral point × 2.5 U, from the per-point range [S20]"
    ),
    "orbicularis_oculi_orbital": _sourced(
        12, "[S22] Botox Cosmetic label: lateral canthal 12 U per side"
    ),
    "nasalis": _setting(3, "UNSOURCED: 1–3 U (§1.3, no source tag)"),
    "levator_labii_superioris_alaeque_nasi": _setting(
        4, "UNSOURCED: 1–4 U for palsy (§1.3)"
    ),
    "levator_labii_superioris": _setting(4, "UNSOURCED: 1–4 U for palsy (§1.3)"),
    "zygomaticus_major": _setting(2, "UNSOURCED: 1–2 U (§1.3)"),
    "zygomaticus_minor": _setting(2, "UNSOURCED: 1–2 U (§1.3)"),
    "risorius": _setting(2, "UNSOURCED: 1–2 U (§1.3)"),
    "buccinator": _setting(10, "UNSOURCED: 2 points × 5 U (§1.3 gives no total)"),
    "orbicularis_oris_upper": _setting(4, "UNSOURCED: 2–4 U (§1.3, no source tag)"),
    "orbicularis_oris_lower": _setting(4, "UNSOURCED: 2–4 U (§1.3, no source tag)"),
    "depressor_anguli_oris": _sourced(4, "[S65] about 3–4 U per side"),
    "depressor_labii_inferioris": _setting(2, "UNSOURCED: 1–2 U for palsy (§1.3)"),
    "mentalis": _setting(6, "UNSOURCED: 2–6 U for palsy (§1.3)"),
    "platysma": _setting(30, "UNSOURCED: synkinesis 10–30 U per side (§1.3)"),
}


def _botox_per_point() -> dict[str, DoseLimit]:
    return {
        dose.muscle: DoseLimit(dose.high, dose.source, clinic_setting=dose.unsourced)
        for dose in MUSCLE_DOSES
    }


def _glabellar(label: _Label) -> tuple[dict[str, DoseLimit], dict[str, DoseLimit]]:
    """Return per-point limits, per-side limits and defaults from a glabellar label."""
    point = _sourced(label.per_site, label.source)
    per_point = {"corrugator": point, "procerus": point}
    per_side = {
        "corrugator": _sourced(
            2 * label.per_site, f"{label.source}; 2 of its sites per corrugator"
        ),
        "procerus": _sourced(label.per_site, f"{label.source}; 1 procerus site"),
    }
    return per_point, per_side


def _glabellar_session(label: _Label, unit_name: str) -> DoseLimit:
    """Return the limit on the glabellar total in one session.

    Only a label that gives a maximum makes it a sourced limit; any other
    label's glabellar dose is a dose, so using it as a limit is the clinic's
    choice.
    """
    total = 5 * label.per_site
    if label.maximum:
        return _sourced(
            total, f"{label.source}: the label's maximum per glabellar session"
        )
    return _setting(
        total,
        f"from the label's glabellar dose of {total:g} {unit_name}, not a maximum "
        f"({label.source})",
    )


def _ceilings(label: _Label) -> tuple[DoseLimit, DoseLimit, DoseLimit]:
    site = label.per_site * SITE_CEILING_TIMES_LABEL_SITE
    session = 5 * label.per_site * SESSION_CEILING_TIMES_LABEL_GLABELLAR
    side = session * SIDE_CEILING_SHARE_OF_SESSION
    return (
        _setting(
            site,
            f"shipped default, {SITE_CEILING_TIMES_LABEL_SITE:g} × the label's "
            "dose per glabellar site (UNSOURCED)",
        ),
        _setting(
            side,
            "shipped default, half the session ceiling (UNSOURCED)",
        ),
        _setting(
            session,
            f"shipped default, {SESSION_CEILING_TIMES_LABEL_GLABELLAR} × the label's "
            "glabellar dose (UNSOURCED)",
        ),
    )


def _shipped(code: str, unit_name: str) -> ProductDoses:
    label = _LABELS[code]
    per_point, per_side = _glabellar(label)
    defaults = {"corrugator": label.per_site, "procerus": label.per_site}
    if code == "botox":
        per_point = {**_botox_per_point(), **per_point}
        per_side = {**_BOTOX_PER_SIDE, **per_side}
        defaults = {dose.muscle: dose.default for dose in MUSCLE_DOSES}
    site, side, session = _ceilings(label)
    group = GroupLimit(
        "glabellar",
        "glabellar complex (corrugators and procerus)",
        GLABELLAR_MUSCLES,
        _glabellar_session(label, unit_name),
    )
    return ProductDoses(
        product_code=code,
        unit_name=unit_name,
        site_ceiling=site,
        side_ceiling=side,
        session_ceiling=session,
        per_point=per_point,
        per_muscle_side=per_side,
        groups=(group,),
        defaults=defaults,
    )


SHIPPED_DOSES: Mapping[str, ProductDoses] = {
    product.code: _shipped(product.code, product.unit_name) for product in PRODUCTS
}


def has_dose_reference(product_code: str) -> bool:
    """Say whether the shipped reference has dose rules for the product.

    A product without them cannot be charted: no limit, default or step of
    another product stands in for its own.
    """
    return product_code in SHIPPED_DOSES


def shipped_doses(product_code: str) -> ProductDoses:
    """Return the shipped dose rules for a product of the catalogue.

    :raises KeyError: for a product the catalogue does not hold.
    """
    return SHIPPED_DOSES[product_code]


def label_dose_per_site(product_code: str) -> float:
    """Return the product's label dose per glabellar site, in its own units.

    :raises KeyError: for a product the catalogue does not hold.
    """
    return _LABELS[product_code].per_site


def label_source(product_code: str) -> str:
    """Return the source of the product's label glabellar dose.

    :raises KeyError: for a product the catalogue does not hold.
    """
    return _LABELS[product_code].source
