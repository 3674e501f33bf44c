"""FHIR doses and strengths carry a UCUM code bound to their product.

Review rP finding P6: doses and strength numerators had no system or code, and
Botox, Xeomin and Daxxify all exported a bare "U", which a receiver mapping unit
strings to UCUM reads as the enzyme unit. Each product's units now have their own
UCUM annotation, ``{<product code>_U}``, and keep their readable unit name.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from planner.interop.fhir_export import ExportContext
from planner.interop.fhir_export import build_patient_bundle
from planner.interop.fhir_export import bundle_json
from planner.interop.fhir_export import clinic_namespace
from planner.interop.fhir_records import LotRecord
from planner.interop.fhir_records import MuscleInfo
from planner.interop.fhir_records import PatientExport
from planner.interop.fhir_records import PatientRecord
from planner.interop.fhir_records import PractitionerRecord
from planner.interop.fhir_records import ProductRecord
from planner.interop.fhir_records import SessionRecord
from planner.interop.fhir_records import SiteRecord
from planner.reference import PRODUCTS

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UCUM = "http://unitsofmeasure.org"
# product code: (dose, the code its units carry); every other product doses 4.
CASES = {
    "botox": (4, "{botox_U}"),
    "dysport": (10, "{dysport_U}"),
    "xeomin": (3, "{xeomin_U}"),
    "daxxify": (5, "{daxxify_U}"),
}


def export_of_each_product() -> PatientExport:
    """One signed session in every product of the catalogue, each from its vial."""
    products, lots, sessions = [], [], []
    for number, ref in enumerate(PRODUCTS, 1):
        product = ProductRecord(number, ref.code, ref.brand, ref.inn, ref.unit_name)
        dilution = ref.dilutions[0]
        dose = CASES.get(ref.code, (4, ""))[0]
        products.append(product)
        lots.append(
            LotRecord(
                number,
                number,
                f"LOT{number}",
                date(2027, 1, 31),
                dilution.vial_units,
                dilution.diluent_ml,
            )
        )
        sessions.append(
            SessionRecord(
                id=number,
                kind="full",
                cycle_number=number,
                performed_at=AT + timedelta(days=91 * number),
                status="signed",
                injector_id=7,
                product_id=number,
                lot_id=number,
                sites=(
                    SiteRecord(
                        number,
                        1,
                        "mentalis",
                        "left",
                        "affected",
                        250,
                        450,
                        dose,
                        lot_id=number,
                    ),
                ),
            )
        )
    return PatientExport(
        patient=PatientRecord(1, "MRN1", "Ada", "Okafor", date(1971, 5, 14), "female"),
        practitioners=(PractitionerRecord(7, "Dr Injector"),),
        products=tuple(products),
        lots=tuple(lots),
        sessions=tuple(sessions),
        assessments=(),
        appointments=(),
    )


@pytest.fixture(name="bundle")
def bundle_fixture() -> dict[str, Any]:
    context = ExportContext(
        namespace=clinic_namespace("Facial Palsy Clinic"),
        timestamp=AT,
        face_map="front-v1",
        muscles={"mentalis": MuscleInfo("mentalis", "Mentalis", "MEN")},
    )
    return build_patient_bundle(export_of_each_product(), context)


def of_kind(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == kind
    ]


def product_of(bundle: dict[str, Any]) -> dict[str, str]:
    """Each Medication's product code by its full URL."""
    return {
        entry["fullUrl"]: entry["resource"]["code"]["coding"][0]["code"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Medication"
    }


def doses(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each product's one dose Quantity, by product code."""
    products = product_of(bundle)
    found = {}
    for administration in of_kind(bundle, "MedicationAdministration"):
        product = products[administration["medicationReference"]["reference"]]
        found[product] = administration["dosage"]["dose"]
    return found


def numerators(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each product's vial strength numerator, by product code."""
    found = {}
    for medication in of_kind(bundle, "Medication"):
        [ingredient] = medication["ingredient"]
        product = medication["code"]["coding"][0]["code"]
        found[product] = ingredient["strength"]["numerator"]
    return found


def test_every_dose_is_ucum_coded_by_its_product(bundle: dict[str, Any]) -> None:
    Bundle.model_validate_json(bundle_json(bundle))
    found = doses(bundle)

    assert {code: found[code] for code in CASES} == {
        "botox": {"value": 4, "unit": "U", "system": UCUM, "code": "{botox_U}"},
        "dysport": {
            "value": 10,
            "unit": "U (Speywood)",
            "system": UCUM,
            "code": "{dysport_U}",
        },
        "xeomin": {"value": 3, "unit": "U", "system": UCUM, "code": "{xeomin_U}"},
        "daxxify": {"value": 5, "unit": "U", "system": UCUM, "code": "{daxxify_U}"},
    }


def test_every_strength_numerator_is_ucum_coded_by_its_product(
    bundle: dict[str, Any],
) -> None:
    found = numerators(bundle)

    assert found["botox"] == {
        "value": 100,
        "unit": "U",
        "system": UCUM,
        "code": "{botox_U}",
    }
    assert found["dysport"] == {
        "value": 300,
        "unit": "U (Speywood)",
        "system": UCUM,
        "code": "{dysport_U}",
    }
    for code, (_, unit) in CASES.items():
        assert found[code]["code"] == unit


def test_no_two_products_share_a_unit_code(bundle: dict[str, Any]) -> None:
    by_product = doses(bundle)
    strengths = numerators(bundle)

    assert set(by_product) == {ref.code for ref in PRODUCTS}
    codes = [quantity["code"] for quantity in by_product.values()]
    assert len(set(codes)) == len(codes)
    for product, quantity in by_product.items():
        # The same product's dose and vial strength are in the same units.
        assert strengths[product]["code"] == quantity["code"]
        assert quantity["system"] == UCUM
        # A UCUM annotation: braces round printable ASCII that holds no brace.
        annotation = quantity["code"]
        assert annotation.startswith("{")
        assert annotation.endswith("}")
        assert all(33 <= ord(char) <= 126 for char in annotation[1:-1])
        assert not {"{", "}"} & set(annotation[1:-1])


def test_a_code_that_cannot_name_units_is_refused() -> None:
    with pytest.raises(ValueError, match="not a plain product code"):
        ProductRecord(1, "botox}", "Botox", "onabotulinumtoxinA", "U")


def test_two_products_with_one_code_are_refused() -> None:
    export = export_of_each_product()
    twin = ProductRecord(99, "botox", "Botox", "onabotulinumtoxinA", "U")

    with pytest.raises(ValueError, match="a code appears twice"):
        PatientExport(**(vars(export) | {"products": (*export.products, twin)}))
