"""Injection sites as FHIR R4 ``MedicationAdministration`` resources.

Pure: no flask, no database. One MedicationAdministration per injection site of a
signed session, ``partOf`` its session's Procedure (an unsigned draft has none: its
doses may never be given):

- Doses are each product's own units, never converted. Botulinum toxin units are
  manufacturer assay units that differ between products, so neither UCUM's ``U``
  (the enzyme unit, µmol/min) nor ``[iU]`` (the WHO International Unit) is true of
  them. Each dose, and each Medication's strength numerator, is a UCUM Quantity
  whose code is an annotation bound to the product, ``{<product code>_U}``
  (``{botox_U}``, ``{dysport_U}``, ``{xeomin_U}``, ``{daxxify_U}``), with the
  product's own unit name as ``unit`` ("U", "U (Speywood)"). UCUM reads any
  annotation as the unit 1, so a UCUM library would call two products' units
  comparable: a receiver must match the code exactly, and never convert or add
  across codes. Product codes are unique, so two products never share a code.
  The volume injected and the dilution are in ``dosage.text``.
- Body site: the muscle in planner's code system (``MUSCLE_SYSTEM``, the face map's
  muscle key), plus SNOMED CT where the face map holds a verified concept (only
  platysma, 18252004, today). Laterality is the mCODE laterality-qualifier extension
  on the body site, SNOMED CT 24028007 (right) or 7771000 (left), from the patient's
  point of view; a midline site has none. The site's number, role, side and face-map
  coordinates are in the ``INJECTION_POINT`` extension.
- Amendments: a signed record is corrected only by amendment, and the correction
  stays visible. The administration carries the corrected dose, with a note per
  amendment that changed it ("3 → 5 U", its number and reason); the Procedure has
  a note per amendment naming each site it corrected, old → new, as the printed
  record does.
"""

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from planner.dosing import format_units
from planner.dosing import format_volume_ml
from planner.dosing import volume_ml
from planner.interop.fhir_codes import INJECTION_POINT
from planner.interop.fhir_codes import LATERALITY
from planner.interop.fhir_codes import LATERALITY_CODES
from planner.interop.fhir_codes import MUSCLE_SYSTEM
from planner.interop.fhir_codes import ROUTE_SYSTEM
from planner.interop.fhir_codes import SESSION_STATUS
from planner.interop.fhir_codes import SNOMED
from planner.interop.fhir_codes import UCUM
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import instant
from planner.interop.fhir_codes import trimmed
from planner.interop.fhir_records import DoseCorrection
from planner.interop.fhir_records import LotRecord
from planner.interop.fhir_records import MuscleInfo
from planner.interop.fhir_records import ProductRecord
from planner.interop.fhir_records import SessionRecord
from planner.interop.fhir_records import SiteRecord


@dataclass(frozen=True)
class SessionRefs:
    """The references every administration of one session shares."""

    procedure: Resource
    medication: Resource
    patient: Resource
    performer: Resource


def administration(
    record: SessionRecord,
    site: SiteRecord,
    *,
    product: ProductRecord,
    lot: LotRecord | None,
    muscle: MuscleInfo,
    face_map: str,
    refs: SessionRefs,
    notes: Sequence[str] = (),
) -> Resource:
    """Return one injection site as a MedicationAdministration, with ``notes``."""
    return {
        "resourceType": "MedicationAdministration",
        "extension": [injection_point(site, face_map)],
        "status": SESSION_STATUS[record.status],
        "partOf": [refs.procedure],
        "medicationReference": refs.medication,
        "subject": refs.patient,
        "effectiveDateTime": instant(record.performed_at),
        "performer": [{"actor": refs.performer}],
        "note": [
            {"text": trimmed(site.note)},
            *correction_notes(record, site, product),
            *({"text": note} for note in notes),
        ],
        "dosage": {
            "text": dosage_text(site, product, lot, muscle),
            "site": body_site(site, muscle),
            "route": route(site.depth),
            "dose": product_units(site.units, product),
        },
    }


def product_units(value: float, product: ProductRecord) -> Resource:
    """Return an amount of toxin in the product's own units, coded in UCUM."""
    return {
        "value": value,
        "unit": product.unit_name,
        "system": UCUM,
        "code": unit_code(product),
    }


def unit_code(product: ProductRecord) -> str:
    """Return the UCUM code of the product's units: an annotation, ``{botox_U}``."""
    return f"{{{product.code}_U}}"


def injection_point(site: SiteRecord, face_map: str) -> Resource:
    return {
        "url": INJECTION_POINT,
        "extension": [
            {"url": "number", "valuePositiveInt": site.number},
            {"url": "side", "valueCode": site.side},
            {"url": "role", "valueCode": site.role},
            {"url": "faceMap", "valueString": face_map},
            {"url": "x", "valueDecimal": site.x},
            {"url": "y", "valueDecimal": site.y},
        ],
    }


def body_site(site: SiteRecord, muscle: MuscleInfo) -> Resource:
    codings = [coding(SNOMED, muscle.snomed)] if muscle.snomed else []
    codings.append(coding(MUSCLE_SYSTEM, muscle.code, muscle.name))
    laterality = []
    if site.side in LATERALITY_CODES:
        code, display = LATERALITY_CODES[site.side]
        laterality.append(
            {
                "url": LATERALITY,
                "valueCodeableConcept": concept(
                    coding(SNOMED, code, display), text=site.side
                ),
            }
        )
    return {"extension": laterality} | concept(
        *codings, text=f"{muscle.name}, {site.side}"
    )


def route(depth: str | None) -> Resource | None:
    if depth is None:
        return None
    if depth == "superficial":
        # Subcutaneous or intradermal: the chart does not say which.
        return {"text": "Superficial injection"}
    return concept(
        coding(ROUTE_SYSTEM, "IM", "Injection, intramuscular"),
        text=f"Intramuscular ({depth})",
    )


def dosage_text(
    site: SiteRecord, product: ProductRecord, lot: LotRecord | None, muscle: MuscleInfo
) -> str:
    text = (
        f"Site {site.number}: {format_units(site.units)} {product.unit_name} "
        f"{product.brand} into {muscle.name}, {site.side}"
    )
    if lot is None:
        return text
    volume = volume_ml(site.units, lot.vial_units, lot.diluent_ml)
    return (
        f"{text}; {format_volume_ml(volume)} of a {lot.vial_units} "
        f"{product.unit_name} vial in {format_units(lot.diluent_ml)} mL"
    )


def amendment_notes(
    record: SessionRecord,
    product: ProductRecord,
    muscle: Callable[[str], MuscleInfo],
) -> list[Resource]:
    """Return each amendment as a note: its number, reason and the doses it changed."""
    sites = {site.number: site for site in record.sites}
    notes = []
    for number, amendment in enumerate(record.amendments, 1):
        parts = [f"Amendment {number}: {_sentence(amendment.reason)}"]
        if amendment.note:
            parts.append(f"Note: {_sentence(amendment.note)}")
        for correction in amendment.corrections:
            site = sites.get(correction.site)
            where = f"Site {correction.site}"
            if site is not None:
                where += f" ({muscle(site.muscle).name}, {site.side})"
            parts.append(f"{where}: {_change(correction, product)}.")
        notes.append({"time": instant(amendment.at), "text": " ".join(parts)})
    return notes


def correction_notes(
    record: SessionRecord, site: SiteRecord, product: ProductRecord
) -> list[Resource]:
    """Return a note for each amendment that corrected this site's dose."""
    return [
        {
            "time": instant(amendment.at),
            "text": f"Dose corrected after signing by amendment {number}: "
            f"{_change(correction, product)}. "
            f"Reason: {_sentence(amendment.reason)}",
        }
        for number, amendment in enumerate(record.amendments, 1)
        for correction in amendment.corrections
        if correction.site == site.number
    ]


def _change(correction: DoseCorrection, product: ProductRecord) -> str:
    before = format_units(correction.before)
    return f"{before} → {format_units(correction.after)} {product.unit_name}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
