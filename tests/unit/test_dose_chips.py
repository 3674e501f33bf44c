"""The keypad's quick-dose chips lie within each product's own reference figures.

Botox's come from the reference's per-point table (§1.3, onabotulinumtoxinA
units). Every other product has one per-site figure in the reference, its
label's glabellar dose (§2.2): that is its top chip, and the smaller ones are
shares of it (a labelled clinic setting), never Botox's figures converted.
"""

import pytest

from planner.dosing.dose_chips import dose_chips
from planner.dosing.product_doses import label_dose_per_site
from planner.dosing.product_doses import shipped_doses
from planner.reference import MUSCLE_DOSES
from planner.reference import PRODUCTS

OTHERS = [product for product in PRODUCTS if product.code != "botox"]
# The label's glabellar dose per site, read off the clinical reference §2.2.
LABEL_PER_SITE = {
    "dysport": 10,
    "xeomin": 4,
    "jeuveau": 4,
    "daxxify": 8,
    "letybo": 4,
}


def _chips(product):
    return dose_chips(
        product.code, product.unit_name, shipped_doses(product.code).defaults.values()
    )


def test_every_product_but_botox_is_listed():
    assert {product.code for product in OTHERS} == set(LABEL_PER_SITE)


@pytest.mark.parametrize("product", OTHERS, ids=lambda product: product.code)
def test_each_products_chips_lie_within_its_own_label_dose(product):
    chips = _chips(product)
    top = LABEL_PER_SITE[product.code]
    assert label_dose_per_site(product.code) == top
    assert 3 <= len(chips.units) <= 5, chips.units
    assert list(chips.units) == sorted(set(chips.units))
    assert all(0 < units <= top for units in chips.units), chips.units
    assert chips.units[-1] == top
    # Within the product's own per-point limits and site ceiling too.
    doses = shipped_doses(product.code)
    for muscle in ("corrugator", "procerus"):
        assert chips.units[-1] <= doses.per_point[muscle].high
    assert chips.units[-1] <= doses.site_ceiling.high
    # Sourced where sourced, a clinic setting where not, and said so.
    assert f"{top:g} {product.unit_name} is the label's dose" in chips.source
    assert "clinic setting (UNSOURCED)" in chips.source


def test_dysport_offers_its_own_speywood_doses_not_botox_doses_converted():
    dysport = next(product for product in PRODUCTS if product.code == "dysport")
    chips = _chips(dysport)
    assert chips.units == (2.5, 5, 7.5, 10)
    assert "[S23]" in chips.source
    assert "Botox" not in chips.source
    # Botox's figures, however the clinic edits them, never reach Dysport's chips.
    assert dose_chips("dysport", dysport.unit_name, []).units == chips.units


def test_botox_chips_lie_within_the_reference_per_point_table():
    botox = PRODUCTS[0]
    assert botox.code == "botox"
    chips = _chips(botox)
    low = min(dose.low for dose in MUSCLE_DOSES)
    high = max(dose.high for dose in MUSCLE_DOSES)
    assert 3 <= len(chips.units) <= 5, chips.units
    assert all(low <= units <= high for units in chips.units), chips.units
