"""The chart keypad's quick-dose chips for a product, in that product's own units.

Pure: no flask, no database. Botox's chips are its tap defaults per muscle, from
the clinical reference's per-point table (§1.3), which is written in
onabotulinumtoxinA units and belongs to Botox alone. For every other product the
reference gives one dose per site, its label's glabellar dose (§2.2: Dysport and
Azzalure 10 U (Speywood), Xeomin, Jeuveau and Letybo 4 U, Daxxify 8 U): one chip.
A few more chips are a clinic setting, labelled as such: shares of that same
label dose (facial-palsy doses are usually lower than aesthetic ones, §1.3
[S9]), worked out within the product and never from Botox's figures by a
conversion ratio (§2.1).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from planner.dosing.product_doses import CLINIC_SETTING
from planner.dosing.product_doses import label_dose_per_site
from planner.dosing.product_doses import label_source

BOTOX = "botox"
# UNSOURCED: the clinic's smaller chips, as shares of the product's own label dose
# per glabellar site (itself a chip, the sourced one).
CHIP_SHARES: tuple[float, ...] = (0.25, 0.5, 0.75)
SHARE_WORDS = "¼, ½ and ¾"
MAX_CHIPS = 8


@dataclass(frozen=True)
class DoseChips:
    """The doses the keypad offers at one tap, and where they come from."""

    units: tuple[float, ...]
    source: str


def dose_chips(
    product_code: str, unit_name: str, defaults: Iterable[float]
) -> DoseChips:
    """Return the keypad's chips for a product, in its own units.

    ``defaults`` are the product's own tap defaults for the chart's muscles. Botox
    offers those (at most :data:`MAX_CHIPS`); any other product offers shares of
    its label's dose per glabellar site, with its tap defaults.

    :raises KeyError: for a product the catalogue does not hold.
    """
    found = set(defaults)
    if product_code == BOTOX:
        units = sorted(found)[:MAX_CHIPS]
        return DoseChips(
            tuple(units),
            "Botox's tap defaults per muscle: the reference's per-point table "
            "(onabotulinumtoxinA units), as the clinic's settings hold it.",
        )
    per_site = label_dose_per_site(product_code)
    shares = {round(per_site * share, 2) for share in CHIP_SHARES}
    return DoseChips(
        tuple(sorted(shares | found | {per_site})[:MAX_CHIPS]),
        f"{per_site:g} {unit_name} is the label's dose per glabellar site "
        f"({label_source(product_code)}); the smaller chips are a "
        f"{CLINIC_SETTING.lower()} (UNSOURCED): {SHARE_WORDS} of it.",
    )
