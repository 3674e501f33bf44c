"""Build a FHIR R4 Bundle of one patient's treatment record.

Pure: no flask, no database. Callers turn the tables into a ``PatientExport``
(``planner.interop.fhir_records``) and pass an ``ExportContext``; the result is a
plain dict, ready for ``bundle_json``. Only R4 (4.0.1) elements are written, none that
R4B or R5 added, so R4 and R4B readers both accept it.

What a receiving system should know:

- The Bundle is a ``collection``: a set of resources with no further meaning. It is
  not a ``searchset`` (no search was run), a ``document`` (that needs a Composition
  and a signature) or a ``transaction`` (it asks the receiver to do nothing).
- Every resource's id is a UUID 5 of the clinic's namespace and the source row
  ("treatment_session/42"), and its ``fullUrl`` is that UUID as a ``urn:uuid:``.
  Exporting the same rows again gives the same ids; references resolve within the
  Bundle. The MRN's identifier system is a ``urn:uuid:`` of the same namespace,
  because MRNs are only unique within one clinic.
- Patient, the Practitioners it names, a Medication per vial lot (with its batch:
  lot number and expiry; the dilution as the ingredient's strength), one Procedure
  per treatment session, one MedicationAdministration per injection site of a
  signed session (``partOf`` its Procedure), one Observation per outcome
  assessment, the Appointments, and a Media per photograph
  (``planner.interop.fhir_media``).
- Doses, in each product's own units coded as a UCUM annotation bound to the
  product ("{dysport_U}"), and body sites: see
  ``planner.interop.fhir_administrations``.
- Sessions: a signed session is ``completed``, with a MedicationAdministration per
  site. An unsigned draft is a Procedure ``in-progress`` with a note that it is not
  a valid treatment record until signed, and no MedicationAdministrations: a
  receiver would count them as injections given, and a draft's doses may never be.
  Amended sessions show their current (amended) doses; each amendment is a
  Procedure note naming its reason and each site it corrected, old → new, and each
  corrected administration says so in a note.
- Scores: no LOINC codes exist for Sunnybrook, eFACE, SAQ or FDI, so each
  assessment is an Observation with planner's own codes: the headline as
  ``valueQuantity`` (UCUM ``{score}``), every numeric subscore as a component;
  House-Brackmann as a ``valueCodeableConcept`` grade. Patient-reported instruments
  (SAQ, FDI) are in category ``survey``, clinician-graded ones in ``exam``.
- Appointments: proposed windows have ``requestedPeriod`` and no start. R4 lets only
  proposed and cancelled appointments lack a start and end (invariant app-3), so an
  appointment marked attended without ever being booked is left out: its visit is
  in the Bundle as the Procedure or Observation it produced.

Local code systems and extensions live under ``BASE`` (``planner.example`` is a
reserved example domain): receivers must treat them as planner's local codes.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL
from uuid import UUID
from uuid import uuid5

from planner.clinic_time import require_aware
from planner.interop.fhir_administrations import SessionRefs
from planner.interop.fhir_administrations import administration
from planner.interop.fhir_administrations import amendment_notes
from planner.interop.fhir_administrations import product_units
from planner.interop.fhir_appointments import appointment_resource
from planner.interop.fhir_assessments import observation
from planner.interop.fhir_codes import BASE
from planner.interop.fhir_codes import IDENTIFIER_TYPE
from planner.interop.fhir_codes import PROCEDURE_CODE
from planner.interop.fhir_codes import PROCEDURE_SYSTEM
from planner.interop.fhir_codes import PRODUCT_SYSTEM
from planner.interop.fhir_codes import SESSION_KINDS
from planner.interop.fhir_codes import SESSION_STATUS
from planner.interop.fhir_codes import TREATMENT_CYCLE
from planner.interop.fhir_codes import UCUM
from planner.interop.fhir_codes import UNSCHEDULED_STATUSES
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import compact
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import instant
from planner.interop.fhir_codes import key_label
from planner.interop.fhir_codes import trimmed
from planner.interop.fhir_media import photo_media
from planner.interop.fhir_other import other_entries
from planner.interop.fhir_records import LotRecord
from planner.interop.fhir_records import MuscleInfo
from planner.interop.fhir_records import PatientExport
from planner.interop.fhir_records import PatientRecord
from planner.interop.fhir_records import PractitionerRecord
from planner.interop.fhir_records import ProductRecord
from planner.interop.fhir_records import SessionRecord

# Planner's own root: every clinic's namespace is derived from it and its name.
PLANNER_NAMESPACE = uuid5(NAMESPACE_URL, BASE)
# What a draft's Procedure says, as the printed record does.
DRAFT_NOTE = (
    "Unsigned draft: not a valid treatment record until the injector signs it. "
    "Its doses are not exported as administrations."
)


@dataclass(frozen=True)
class ExportContext:
    """What the export needs besides the patient's rows."""

    # The clinic's UUID namespace; see ``clinic_namespace``.
    namespace: UUID
    # When the Bundle was assembled (Bundle.timestamp); timezone-aware.
    timestamp: datetime
    # The face map the site coordinates refer to, e.g. "front-v1".
    face_map: str
    # The face map's muscles by key: names and verified SNOMED CT ids.
    muscles: Mapping[str, MuscleInfo]

    def __post_init__(self) -> None:
        require_aware("timestamp", self.timestamp)


def clinic_namespace(clinic_name: str) -> UUID:
    """Return the UUID namespace of a clinic's resource ids, from its name."""
    name = " ".join(clinic_name.split())
    if not name:
        raise ValueError("clinic_name must not be blank")
    return uuid5(PLANNER_NAMESPACE, name)


def resource_id(namespace: UUID, table: str, row_id: int) -> str:
    """Return the stable FHIR id of a table row: a UUID 5 in the clinic's namespace."""
    return str(uuid5(namespace, f"{table}/{row_id}"))


def build_patient_bundle(export: PatientExport, context: ExportContext) -> Resource:
    """Return one patient's record as a FHIR R4 ``collection`` Bundle."""
    return _BundleBuilder(export, context).build()


def bundle_json(bundle: Resource, *, indent: int | None = None) -> str:
    """Serialise a Bundle as JSON text (UTF-8 safe; one line unless indented)."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        bundle,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=separators,
    )


class _BundleBuilder:
    """Turn one ``PatientExport`` into resources; keeps the lookups in one place."""

    def __init__(self, export: PatientExport, context: ExportContext) -> None:
        self.export = export
        self.context = context
        self.products = {product.id: product for product in export.products}
        self.lots = {lot.id: lot for lot in export.lots}

    def url(self, table: str, row_id: int) -> str:
        return f"urn:uuid:{resource_id(self.context.namespace, table, row_id)}"

    def ref(self, table: str, row_id: int) -> Resource:
        return {"reference": self.url(table, row_id)}

    def entry(self, table: str, row_id: int, resource: Resource) -> Resource:
        uid = resource_id(self.context.namespace, table, row_id)
        # The dict union keeps resourceType first and id second, as FHIR writes them.
        body = compact({"resourceType": resource["resourceType"], "id": uid} | resource)
        return {"fullUrl": f"urn:uuid:{uid}", "resource": body}

    @property
    def patient_ref(self) -> Resource:
        return self.ref("patient", self.export.patient.id)

    def build(self) -> Resource:
        export = self.export
        entries = [self.entry("patient", export.patient.id, self.patient())]
        entries += [
            self.entry("user", person.id, self.practitioner(person))
            for person in export.practitioners
        ]
        entries += self.medications()
        for record in export.sessions:
            entries.append(
                self.entry("treatment_session", record.id, self.procedure(record))
            )
            entries += self.administrations(record)
        entries += other_entries(self)
        entries += [
            self.entry("photo", photo_id, media)
            for photo_id, media in photo_media(export, self.ref, self.patient_ref)
        ]
        entries += [
            self.entry(
                "assessment",
                assessment.id,
                observation(assessment, self.ref, self.patient_ref),
            )
            for assessment in export.assessments
        ]
        entries += [
            self.entry(
                "appointment",
                appointment.id,
                appointment_resource(appointment, self.ref, self.patient_ref),
            )
            for appointment in export.appointments
            if appointment.has_slot or appointment.status in UNSCHEDULED_STATUSES
        ]
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": instant(self.context.timestamp),
            "entry": entries,
        }

    def mrn_system(self) -> str:
        return f"urn:uuid:{uuid5(self.context.namespace, 'mrn')}"

    def patient(self) -> Resource:
        patient: PatientRecord = self.export.patient
        return {
            "resourceType": "Patient",
            "identifier": [
                {
                    "use": "usual",
                    "type": concept(
                        coding(IDENTIFIER_TYPE, "MR", "Medical record number"),
                        text="MRN",
                    ),
                    "system": self.mrn_system(),
                    "value": patient.mrn,
                }
            ],
            "name": [
                {
                    "use": "official",
                    "text": trimmed(f"{patient.given_name} {patient.family_name}"),
                    "family": trimmed(patient.family_name),
                    "given": [trimmed(patient.given_name)],
                }
            ],
            "telecom": [
                {"system": system, "value": value}
                for system, value in (
                    ("phone", trimmed(patient.phone)),
                    ("email", trimmed(patient.email)),
                )
                if value
            ],
            "gender": patient.sex,
            "birthDate": patient.date_of_birth.isoformat(),
            "address": [{"text": trimmed(patient.address)}],
        }

    def practitioner(self, person: PractitionerRecord) -> Resource:
        return {
            "resourceType": "Practitioner",
            "identifier": [
                {
                    "system": f"urn:uuid:{uuid5(self.context.namespace, 'user')}",
                    "value": str(person.id),
                }
            ],
            "name": [{"text": trimmed(person.name)}],
        }

    def medications(self) -> list[Resource]:
        """One Medication per vial lot, and one per product a lotless session used."""
        entries = [
            self.entry(
                "viallot", lot.id, self.medication(self.products[lot.product_id], lot)
            )
            for lot in self.export.lots
        ]
        lotless = dict.fromkeys(
            record.product_id
            for record in self.export.sessions
            if self.needs_product(record)
        )
        entries += [
            self.entry(
                "product", product_id, self.medication(self.products[product_id], None)
            )
            for product_id in lotless
        ]
        return entries

    def foreign_lots(self, record: SessionRecord) -> list[LotRecord]:
        """The session's lots of another product than its own, as recorded."""
        return [
            self.lots[lot_id]
            for lot_id in record.lot_ids
            if self.lots[lot_id].product_id != record.product_id
        ]

    def needs_product(self, record: SessionRecord) -> bool:
        """Whether a dose of the session names its product alone: drawn from no
        vial on record, or from a vial of another product (see ``foreign_note``)."""
        return record.lotless or bool(self.foreign_lots(record))

    def foreign_note(self, record: SessionRecord, lot: LotRecord) -> str:
        """Say that a recorded vial is of another product than the session's."""
        product = self.products[record.product_id]
        other = self.products[lot.product_id]
        return (
            f"Recorded vial lot {lot.lot_number} is {other.brand} ({other.inn}), "
            f"not this session's product, {product.brand}: its doses are as "
            f"charted, in {product.brand} units ({product.unit_name}), with no "
            f"volume, and name {product.brand} only. Check the record."
        )

    def medication_ref(self, record: SessionRecord, lot_id: int | None) -> Resource:
        if lot_id is None:
            return self.ref("product", record.product_id)
        return self.ref("viallot", lot_id)

    def medication(self, product: ProductRecord, lot: LotRecord | None) -> Resource:
        # The text names the brand on the vial's box (Azzalure); the coding, the
        # product it is (Dysport): the same substance and units.
        brand = product.brand if lot is None or not lot.brand else lot.brand
        resource: Resource = {
            "resourceType": "Medication",
            "code": concept(
                coding(PRODUCT_SYSTEM, product.code, product.brand),
                text=f"{brand} ({product.inn})",
            ),
        }
        if lot is not None:
            resource["batch"] = {
                "lotNumber": lot.lot_number,
                "expirationDate": lot.expiry_date.isoformat(),
            }
            # The reconstituted strength: the vial's units in the diluent added.
            resource["ingredient"] = [
                {
                    "itemCodeableConcept": {"text": product.inn},
                    "isActive": True,
                    "strength": {
                        "numerator": product_units(lot.vial_units, product),
                        "denominator": {
                            "value": lot.diluent_ml,
                            "unit": "mL",
                            "system": UCUM,
                            "code": "mL",
                        },
                    },
                }
            ]
        return resource

    def procedure(self, record: SessionRecord) -> Resource:
        kind = SESSION_KINDS[record.kind]
        foreign = self.foreign_lots(record)
        notes: list[Resource] = [{"text": trimmed(record.notes)}]
        notes += amendment_notes(record, self.products[record.product_id], self.muscle)
        notes += [{"text": self.foreign_note(record, lot)} for lot in foreign]
        if record.status != "signed":
            notes.append({"text": DRAFT_NOTE})
        return {
            "resourceType": "Procedure",
            "extension": [
                {
                    "url": TREATMENT_CYCLE,
                    "extension": [
                        {"url": "cycle", "valuePositiveInt": record.cycle_number},
                        {"url": "kind", "valueCode": record.kind},
                    ],
                }
            ],
            "status": SESSION_STATUS[record.status],
            "code": concept(
                coding(PROCEDURE_SYSTEM, PROCEDURE_CODE, "Botulinum toxin injection"),
                text=f"Botulinum toxin injection, cycle {record.cycle_number} ({kind})",
            ),
            "subject": self.patient_ref,
            "performedDateTime": instant(record.performed_at),
            "performer": [{"actor": self.ref("user", record.injector_id)}],
            # Every vial the session drew from: its sites' and the one in use,
            # and the product alone for sites drawn from no vial on record.
            "usedReference": [
                self.medication_ref(record, lot_id) for lot_id in record.lot_ids
            ]
            + (
                [self.medication_ref(record, None)]
                if self.needs_product(record)
                else []
            ),
            "note": notes,
        }

    def administrations(self, record: SessionRecord) -> list[Resource]:
        """One MedicationAdministration per injection site of a signed session."""
        if record.status != "signed":
            # A draft's doses are a chart in progress, not injections given.
            return []
        entries = []
        for site in record.sites:
            # Each administration names the lot its dose was drawn from; a site
            # drawn from no vial on record names the product only, never the
            # lot of another site's vial. A vial of another product than the
            # session's is named in a note: its units are not the dose's.
            lot = None if site.lot_id is None else self.lots[site.lot_id]
            foreign = lot is not None and lot.product_id != record.product_id
            lot_id = None if lot is None or foreign else lot.id
            refs = SessionRefs(
                procedure=self.ref("treatment_session", record.id),
                medication=self.medication_ref(record, lot_id),
                patient=self.patient_ref,
                performer=self.ref("user", record.injector_id),
            )
            entries.append(
                self.entry(
                    "injection_site",
                    site.id,
                    administration(
                        record,
                        site,
                        product=self.products[record.product_id],
                        lot=None if lot is None or foreign else lot,
                        muscle=self.muscle(site.muscle),
                        face_map=self.context.face_map,
                        refs=refs,
                        notes=[self.foreign_note(record, lot)]
                        if lot is not None and foreign
                        else [],
                    ),
                )
            )
        return entries

    def muscle(self, key: str) -> MuscleInfo:
        # A muscle the current map no longer has still exports, under its key.
        return self.context.muscles.get(key) or MuscleInfo(key, key_label(key), key)
