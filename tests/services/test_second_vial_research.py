"""The research export names the vial each site was drawn from.

A chart that switched vial: each sites.csv row carries its own vial's lot, expiry
and dilution, and its volume at that dilution; the sessions.csv row lists every
lot its sites came from, fills a vial column only when its vials agree on it, and
adds each vial's volume at its own dilution. Botox and Dysport, in their units.
"""

import csv
import io

import pytest

from planner.dosing import volume_ml
from tests.factories import consent_to_research
from tests.factories import research_csv
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import SIZE
from tests.services.test_second_vial import new_vial
from tests.services.test_second_vial import switch
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair

# The second vial, made up stronger than the first (2.5 mL) and of a later expiry.
SECOND_DILUENT = {"botox": 1.0, "dysport": 1.5}
SECOND_EXPIRY = "2028-06-30"


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def switched_chart(chair, make_patient, product):
    """Two sites from lot FIRST1, a switch to lot SECOND2, one more site; signed."""
    dose = DOSE[product]
    patient = make_patient(affected_side="left")
    record, version = chair.open(
        patient, LATER, product=product, lot_number="FIRST1", vial_units=SIZE[product]
    )
    version, _ = chair.tap(record, version, "mentalis", "left", dose, LATER)
    version, _ = chair.tap(record, version, "platysma", "left", dose, LATER)
    second = new_vial(
        version,
        product,
        "SECOND2",
        diluent_ml=SECOND_DILUENT[product],
        expiry_date=SECOND_EXPIRY,
    )
    version, _ = switch(chair, record, second)
    version, _ = chair.tap(
        record, version, "depressor_anguli_oris", "right", dose, LATER
    )
    chair.sign_with_reasons(record, version, LATER)
    consent_to_research(chair.session, chair.injector, [patient.id])
    return record


def rows_of(chair, name, session_id):
    text = research_csv(chair.session, chair.injector, name)
    rows = csv.DictReader(io.StringIO(text))
    return [row for row in rows if int(row["session_id"]) == session_id]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_each_site_row_carries_the_vial_it_was_drawn_from(chair, make_patient, product):
    record = switched_chart(chair, make_patient, product)
    rows = sorted(rows_of(chair, "sites", record.id), key=lambda r: r["site_number"])
    size, dose = SIZE[product], DOSE[product]
    second = SECOND_DILUENT[product]
    shown = [(r["lot_number"], r["lot_expiry"], float(r["diluent_ml"])) for r in rows]
    assert shown == [
        ("FIRST1", "2028-01-31", 2.5),
        ("FIRST1", "2028-01-31", 2.5),
        ("SECOND2", SECOND_EXPIRY, second),
    ]
    volumes = [float(r["volume_ml"]) for r in rows]
    first = volume_ml(dose, size, 2.5)
    assert volumes == pytest.approx(
        [first, first, volume_ml(dose, size, second)], abs=1e-4
    )
    assert {r["product"] for r in rows} == {product}


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_session_row_lists_every_lot_its_sites_came_from(
    chair, make_patient, product
):
    record = switched_chart(chair, make_patient, product)
    [row] = rows_of(chair, "sessions", record.id)
    size, dose = SIZE[product], DOSE[product]
    assert row["lot_number"] == "FIRST1; SECOND2"
    # The vials differ in expiry and dilution, not in size.
    assert (row["lot_expiry"], row["diluent_ml"], row["units_per_ml"]) == ("", "", "")
    assert row["vial_units"] == str(size)
    drawn = 2 * volume_ml(dose, size, 2.5) + volume_ml(
        dose, size, SECOND_DILUENT[product]
    )
    assert float(row["total_volume_ml"]) == pytest.approx(drawn, abs=1e-4)
    assert float(row["total_units"]) == 3 * dose
