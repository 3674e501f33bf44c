"""Reference figures say exactly what the clinical reference supports.

The DAO's per-point limit is [S64]'s 2–3 U at one point ([S65]'s 3–4 U is per
side), and a dilution table is called a label's only where it is label text:
Dysport's 500 U rows are a distributor's copy [S23b] and Daxxify's volumes are
UNSOURCED: in no label, to be checked with the supplier.
"""

from datetime import date

import pytest

from planner.dosing import PlannedSite
from planner.dosing import product_from_reference
from planner.dosing import shipped_doses
from planner.dosing.dilution import check_dilution
from planner.dosing.dilution import check_lot_dilution
from planner.dosing.dilution import label_dilutions
from planner.dosing.dose_limits import check_sites
from planner.dosing.records import LotInfo
from planner.reference import PRODUCTS
from planner.reference import UNSOURCED_DILUTION
from planner.reference import product_reference


def test_the_dao_per_point_limit_is_2_to_3_u_at_one_point():
    doses = shipped_doses("botox")
    point = doses.per_point["depressor_anguli_oris"]
    assert point.high == 3
    assert point.source.startswith("[S64] 2–3 U at one point")
    assert not point.clinic_setting
    # [S65]'s figure is the total per side, and stays the per-side limit.
    assert doses.per_muscle_side["depressor_anguli_oris"].high == 4


@pytest.mark.parametrize(
    ("code", "units", "warned"),
    [("botox", 3, False), ("botox", 3.5, True), ("dysport", 8.75, False)],
)
def test_a_dao_point_above_3_botox_units_is_warned(code, units, warned):
    """Dysport has no DAO figure of its own and borrows none of Botox's."""
    site = PlannedSite(1, "depressor_anguli_oris", "left", "affected", units)
    found = [
        w
        for w in check_sites(shipped_doses(code), [site])
        if w.code == "dose_above_point_limit"
    ]
    assert bool(found) is warned


def test_every_unsourced_dilution_says_to_check_with_the_supplier():
    for product in PRODUCTS:
        for row in product.dilutions:
            if "UNSOURCED" in row.source:
                assert row.source.startswith(UNSOURCED_DILUTION), product.code


@pytest.mark.parametrize(
    ("code", "vial", "diluent", "source"),
    [
        ("botox", 100, 3.0, "[S21] Botox label dilution table"),
        ("dysport", 500, 3.0, "[S23b] distributor copy, not label text"),
        ("daxxify", 100, 2.0, UNSOURCED_DILUTION),
    ],
)
def test_an_off_table_dilution_is_not_said_to_be_off_the_label(
    code, vial, diluent, source
):
    reference = product_reference(code)
    check = check_dilution(
        reference.brand,
        label_dilutions(reference),
        vial,
        diluent,
        unit_name=reference.unit_name,
    )
    (warning,) = check.warnings
    assert "label's table" not in warning.message
    assert f"not in the {reference.brand} dilution table (" in warning.message
    assert source in warning.source
    lot = LotInfo("L7", date(2027, 1, 1), None, vial, diluent)
    product = product_from_reference(reference)
    (at_chair,) = check_lot_dilution(lot, product)
    assert "label's table" not in at_chair.message
    assert source in at_chair.source
