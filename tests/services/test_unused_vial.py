"""Review rV, V4: a vial switched to and never drawn from gave the patient nothing.

On a signed session the vials used are those its sites came from: recall does
not list the patient for the unused vial and the FHIR export does not name it.
A draft's vial in use still counts, as about to be used, and the chart still
shows it as in use.
"""

import pytest

from planner.services.chart_state import chart_state
from tests.services.test_no_vial_sites import exported_resources
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_second_vial import DOSE
from tests.services.test_second_vial import SIZE
from tests.services.test_second_vial import found
from tests.services.test_second_vial import new_vial
from tests.services.test_second_vial import switch
from tests.services.test_vial_overdraw import LATER
from tests.services.test_vial_overdraw import VialChair


@pytest.fixture
def chair(session, injector):
    return VialChair(session, injector)


def switched_unused(chair, make_patient, product):
    """Chart a site from lot USED1, then switch to lot NEVER2 and chart nothing."""
    patient = make_patient(affected_side="left")
    record, version = chair.open(
        patient, LATER, product=product, lot_number="USED1", vial_units=SIZE[product]
    )
    version, _ = chair.tap(record, version, "mentalis", "left", DOSE[product], LATER)
    version, _ = switch(chair, record, new_vial(version, product, "NEVER2"))
    return patient, record, version


def exported_lots(chair, patient):
    resources = exported_resources(chair, patient)
    lots = {
        url: resource["batch"]["lotNumber"]
        for url, resource in resources.items()
        if resource["resourceType"] == "Medication" and "batch" in resource
    }
    (procedure,) = [r for r in resources.values() if r["resourceType"] == "Procedure"]
    used = [lots.get(ref["reference"]) for ref in procedure["usedReference"]]
    return sorted(lots.values()), used


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_signed_session_is_not_recalled_or_exported_for_a_vial_it_never_drew_from(
    session, chair, make_patient, product
):
    patient, record, version = switched_unused(chair, make_patient, product)
    chair.sign_with_reasons(record, version, LATER)
    assert found(chair, product, "NEVER2").rows == []
    (row,) = found(chair, product, "USED1").rows
    assert row.patient_id == patient.id
    assert exported_lots(chair, patient) == (["USED1"], ["USED1"])


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_drafts_vial_in_use_still_counts_and_shows_in_use(
    session, chair, make_patient, product
):
    patient, record, _ = switched_unused(chair, make_patient, product)
    (row,) = found(chair, product, "NEVER2").rows
    assert row.patient_id == patient.id
    assert exported_lots(chair, patient) == (["NEVER2", "USED1"], ["USED1", "NEVER2"])
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=LONDON, now=LATER)
    in_use = [vial.lot_number for vial in state.session.vials if vial.in_use]
    assert in_use == ["NEVER2"]
