"""The corrected reference figures and wording, at the chair, from a real database.

The clinic's Botox reference doses are seeded from the reference: a 3.5 U DAO
point is above [S64]'s 3 U; a Dysport DAO point meets no Botox figure. A vial
off its product's table is not said to be off "the label's table".
"""

import pytest

from planner.errors import InvalidInput
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair

DAO_POINT = {"botox": (3.5, True), "dysport": (8.75, False)}


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_dao_point_is_held_to_2_to_3_botox_units(chair, make_patient, product):
    units, warned = DAO_POINT[product]
    record, version = chair.open(make_patient(), DAY0, product=product)
    chair.tap(record, version, "depressor_anguli_oris", "left", units)
    found = [
        w for w in chair.warnings(record, DAY0) if w["code"] == "dose_above_point_limit"
    ]
    assert bool(found) is warned
    if warned:
        assert "above 3 U per point" in found[0]["message"]
        assert found[0]["source"].startswith("[S64] 2–3 U at one point")


@pytest.mark.parametrize(
    ("product", "vial", "diluent"),
    [("botox", 100, 3.0), ("dysport", 500, 3.0), ("daxxify", 100, 2.0)],
)
def test_a_vial_off_its_table_is_not_said_to_be_off_the_label(
    chair, make_patient, product, vial, diluent
):
    with pytest.raises(InvalidInput) as info:
        chair.open(
            make_patient(), DAY0, product=product, vial_units=vial, diluent_ml=diluent
        )
    assert "label" not in info.value.message
    assert "dilution table" in info.value.fields["dilution_confirmed"]
    assert "label" not in info.value.fields["dilution_confirmed"]
