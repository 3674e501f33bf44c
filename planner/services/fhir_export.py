"""Export patients' records as FHIR R4 Bundles: one patient, or every patient.

The tables are read into ``planner.interop.fhir_records`` records a batch of
patients at a time, in a fixed number of queries per batch (never one per session
or site), and ``planner.interop.fhir_export`` builds the Bundles.

The whole-clinic export is NDJSON, one patient's Bundle per line (as FHIR Bulk Data
writes NDJSON), read ``BATCH_PATIENTS`` at a time, so it never holds every patient in
memory. Each batch is read in a transaction of its own, ended before its lines are
sent, so a slow download holds no locks; on PostgreSQL that transaction is
REPEATABLE READ, so each Bundle comes from one snapshot. Patients are not read from
one snapshot together: each line stands alone.

Audit: these exports carry names, dates of birth and doses, so each one is in the
trail before the first byte leaves. A patient's export is an EXPORT event on that
patient. The whole-clinic export is one EXPORT event naming how many patients it
holds and the highest patient id in it (it exports every patient up to that id), so
a patient's inclusion can be told without writing thousands of events.
"""

from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import UnexportableRecord
from planner.facemap import FaceMap
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_export import ExportContext
from planner.interop.fhir_export import build_patient_bundle
from planner.interop.fhir_export import bundle_json
from planner.interop.fhir_export import clinic_namespace
from planner.interop.fhir_outcome import Refusal
from planner.interop.fhir_outcome import refusal_outcome
from planner.interop.fhir_records import LotRecord
from planner.interop.fhir_records import MuscleInfo
from planner.interop.fhir_records import PatientExport
from planner.interop.fhir_records import PatientRecord
from planner.interop.fhir_records import PhotoRecord
from planner.interop.fhir_records import PractitionerRecord
from planner.interop.fhir_records import ProductRecord
from planner.interop.fhir_records import SessionRecord
from planner.models import Amendment
from planner.models import Appointment
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.drafts import live
from planner.services.fhir_other import with_other_treatments
from planner.services.fhir_photos import photo_records
from planner.services.fhir_rows import RecordRefused
from planner.services.fhir_rows import appointment_record
from planner.services.fhir_rows import as_record
from planner.services.fhir_rows import assessment_record
from planner.services.fhir_rows import grouped
from planner.services.fhir_rows import session_record
from planner.services.fhir_rows import stored_id
from planner.services.patients import get_patient
from planner.services.site_vials import session_vials

BATCH_PATIENTS = 100
FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"


@dataclass(frozen=True)
class PatientBundle:
    """One patient's Bundle as JSON text, with the MRN its file is named by."""

    mrn: str
    body: str


def export_context(
    face_map: FaceMap, *, clinic_name: str, now: datetime
) -> ExportContext:
    """Describe the export: the clinic's id namespace, the map and the time."""
    return ExportContext(
        namespace=clinic_namespace(clinic_name),
        timestamp=now,
        face_map=face_map.name,
        muscles={
            muscle.code: MuscleInfo(
                code=muscle.code,
                name=muscle.name,
                abbreviation=muscle.abbreviation,
                snomed=muscle.snomed,
            )
            for muscle in face_map.muscles
        },
    )


def export_patient(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    face_map: FaceMap,
    clinic_name: str,
    now: datetime,
) -> PatientBundle:
    """Return one patient's record as a FHIR Bundle, noting the export in the trail.

    :raises NotFound: if there is no such patient.
    :raises UnexportableRecord: if a stored row cannot be exported as it stands
        (the answer names it), rather than export a wrong record.
    """
    patient = get_patient(session, patient_id)
    [loaded] = load_exports(session, [patient_id], with_images=True)
    bundle = _bundle(loaded, export_context(face_map, clinic_name=clinic_name, now=now))
    if isinstance(bundle, Refusal):
        raise UnexportableRecord(patient_id, bundle.reason)
    resources: dict[str, int] = defaultdict(int)
    for entry in bundle["entry"]:
        resources[entry["resource"]["resourceType"]] += 1
    record_event(
        session,
        actor,
        AuditAction.EXPORT,
        "patient",
        patient_id,
        patient_id=patient_id,
        after={"format": FHIR_JSON, "resources": dict(resources)},
    )
    session.commit()
    return PatientBundle(mrn=patient.mrn, body=bundle_json(bundle))


def export_all_patients(
    session: Session,
    actor: Actor,
    *,
    face_map: FaceMap,
    clinic_name: str,
    now: datetime,
    batch_size: int = BATCH_PATIENTS,
) -> Iterator[str]:
    """Audit the export of every patient now; return its NDJSON lines to stream.

    Each line is one patient's Bundle, in patient id order, up to the highest id
    there is now: patients registered while it streams are left for the next one.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    count, last_id = session.exec(
        select(func.count(col(Patient.id)), func.max(col(Patient.id)))
    ).one()
    record_event(
        session,
        actor,
        AuditAction.EXPORT,
        "patient",
        None,
        after={
            "format": FHIR_NDJSON,
            "scope": "all patients",
            "patients": count,
            "through_patient_id": last_id,
        },
    )
    session.commit()
    context = export_context(face_map, clinic_name=clinic_name, now=now)
    return _ndjson_lines(
        session.get_bind(), context, last_id=last_id or 0, batch_size=batch_size
    )


def _ndjson_lines(
    engine: Engine | Connection,
    context: ExportContext,
    *,
    last_id: int,
    batch_size: int,
) -> Iterator[str]:
    """Yield the lines, reading through a session of their own.

    Its own session, so that whatever the caller does with theirs while the lines
    stream cannot mix with these reads, and closing the stream (a finished or
    dropped download) closes it.
    """
    snapshot = engine.dialect.name == "postgresql"
    after = 0
    with Session(engine, expire_on_commit=False) as reader:
        while True:
            if snapshot:
                # Each batch is read from one snapshot: every Bundle is consistent.
                reader.connection(
                    execution_options={"isolation_level": "REPEATABLE READ"}
                )
            ids = [
                stored_id(i)
                for i in reader.exec(
                    select(Patient.id)
                    .where(col(Patient.id) > after, col(Patient.id) <= last_id)
                    .order_by(col(Patient.id))
                    .limit(batch_size)
                )
            ]
            exports = load_exports(reader, ids) if ids else []
            # End the read before the client takes the lines: a slow download
            # must not hold a transaction (and its locks) open between batches.
            reader.commit()
            if not ids:
                return
            for export in exports:
                bundle = _bundle(export, context)
                if isinstance(bundle, Refusal):
                    # The stream has begun: a patient whose record cannot be
                    # exported is a line saying so, and the others still go.
                    yield bundle_json(refusal_outcome(bundle)) + "\n"
                else:
                    yield bundle_json(bundle) + "\n"
            after = ids[-1]


def _bundle(
    loaded: PatientExport | Refusal, context: ExportContext
) -> Resource | Refusal:
    if isinstance(loaded, Refusal):
        return loaded
    try:
        return build_patient_bundle(loaded, context)
    except ValueError as exc:
        return Refusal(loaded.patient.id, str(exc))


def load_patient_exports(
    session: Session, patient_ids: Sequence[int], *, with_images: bool = False
) -> list[PatientExport]:
    """Read these patients' records, as ``load_exports`` does.

    :raises UnexportableRecord: for the first patient whose record cannot be
        exported as it stands.
    """
    exports = []
    for loaded in load_exports(session, patient_ids, with_images=with_images):
        if isinstance(loaded, Refusal):
            raise UnexportableRecord(loaded.patient_id, loaded.reason)
        exports.append(loaded)
    return exports


def load_exports(
    session: Session, patient_ids: Sequence[int], *, with_images: bool = False
) -> list[PatientExport | Refusal]:
    """Read these patients' records, in patient id order, in a dozen queries;
    for a patient with a stored row the export cannot carry, a ``Refusal``.

    Unknown ids are skipped. Keep the list short (a batch): it becomes an IN list.
    Photos' display JPEGs are carried only ``with_images`` (one patient's export).
    """
    ids = sorted(set(patient_ids))
    patients = session.exec(
        select(Patient).where(col(Patient.id).in_(ids)).order_by(col(Patient.id))
    ).all()
    # Patients a stored row of which cannot be exported, and why.
    refused: dict[int, str] = {}
    sessions = _sessions(session, ids, refused)
    assessments = grouped(
        session.exec(
            select(Assessment)
            .where(col(Assessment.patient_id).in_(ids))
            .order_by(col(Assessment.assessed_at), col(Assessment.id))
        ),
        lambda row: row.patient_id,
    )
    appointments = grouped(
        session.exec(
            select(Appointment)
            .where(col(Appointment.patient_id).in_(ids))
            .order_by(col(Appointment.due_date), col(Appointment.id))
        ),
        lambda row: row.patient_id,
    )
    used = session_vials(given=True)
    lots = {
        stored_id(lot.id): as_record(LotRecord, lot)
        for lot in session.exec(
            select(VialLot)
            .join(used, used.c.vial_lot_id == VialLot.id)
            .join(TreatmentSession, col(TreatmentSession.id) == used.c.session_id)
            .where(col(TreatmentSession.patient_id).in_(ids), live())
            .distinct()
        )
    }
    # The catalogue is a handful of rows.
    products = {
        stored_id(p.id): as_record(ProductRecord, p)
        for p in session.exec(select(Product))
    }
    photos = photo_records(session, ids, refused, with_images=with_images)
    users = _practitioners(session, sessions, assessments, appointments, photos)
    loaded: list[PatientExport | Refusal] = []
    for patient in patients:
        patient_id = stored_id(patient.id)
        if patient_id in refused:
            loaded.append(Refusal(patient_id, refused[patient_id]))
            continue
        try:
            loaded.append(
                _patient_export(
                    patient,
                    photos=photos[patient_id],
                    sessions=sessions[patient_id],
                    assessments=assessments[patient_id],
                    appointments=appointments[patient_id],
                    lots=lots,
                    products=products,
                    users=users,
                )
            )
        except ValueError as exc:
            loaded.append(Refusal(patient_id, str(exc)))
    exports = with_other_treatments(
        session, [e for e in loaded if isinstance(e, PatientExport)]
    )
    others = {export.patient.id: export for export in exports}
    return [others[e.patient.id] if isinstance(e, PatientExport) else e for e in loaded]


def _patient_export(
    patient: Patient,
    *,
    photos: list[PhotoRecord],
    sessions: list[SessionRecord],
    assessments: list[Assessment],
    appointments: list[Appointment],
    lots: dict[int, LotRecord],
    products: dict[int, ProductRecord],
    users: dict[int, PractitionerRecord],
) -> PatientExport:
    """Gather one patient's records, with only the lots and people they name."""
    own_sessions = {record.id for record in sessions}
    used_lots = dict.fromkeys(lot for r in sessions for lot in r.lot_ids)
    people = dict.fromkeys(
        [r.injector_id for r in sessions]
        + [a.entered_by_id for a in assessments if not a.self_entered]
        + [a.clinician_id for a in appointments if a.clinician_id is not None]
        + [photo.taken_by_id for photo in photos]
    )
    return PatientExport(
        patient=as_record(PatientRecord, patient),
        practitioners=tuple(users[i] for i in people),
        # The sessions' products, and each vial's own: a vial may be of another
        # product than a session naming it, and is exported as what it is.
        products=tuple(
            products[i]
            for i in dict.fromkeys(
                [r.product_id for r in sessions]
                + [lots[lot].product_id for lot in used_lots]
            )
        ),
        lots=tuple(lots[i] for i in used_lots),
        sessions=tuple(sessions),
        assessments=tuple(assessment_record(a, own_sessions) for a in assessments),
        appointments=tuple(appointment_record(a, own_sessions) for a in appointments),
        photos=tuple(photos),
    )


def _practitioners(
    session: Session,
    sessions: dict[int, list[SessionRecord]],
    assessments: dict[int, list[Assessment]],
    appointments: dict[int, list[Appointment]],
    photos: dict[int, list[PhotoRecord]],
) -> dict[int, PractitionerRecord]:
    """Load every user the batch's records name, in one query."""
    wanted = {r.injector_id for records in sessions.values() for r in records}
    wanted |= {
        a.entered_by_id
        for rows in assessments.values()
        for a in rows
        if not a.self_entered
    }
    wanted |= {
        a.clinician_id
        for rows in appointments.values()
        for a in rows
        if a.clinician_id is not None
    }
    wanted |= {photo.taken_by_id for rows in photos.values() for photo in rows}
    return {
        stored_id(user.id): as_record(PractitionerRecord, user)
        for user in session.exec(select(User).where(col(User.id).in_(wanted)))
    }


def _sessions(
    session: Session, ids: list[int], refused: dict[int, str]
) -> dict[int, list[SessionRecord]]:
    """Return each patient's sessions, with their sites and amendments, in order;
    note in ``refused`` a patient with a session that cannot be exported."""
    sites = grouped(
        session.exec(
            select(InjectionSite)
            .join(
                TreatmentSession, col(TreatmentSession.id) == InjectionSite.session_id
            )
            .where(col(TreatmentSession.patient_id).in_(ids), live())
            .order_by(col(InjectionSite.session_id), col(InjectionSite.number))
        ),
        lambda row: row.session_id,
    )
    amendments = grouped(
        session.exec(
            select(Amendment)
            .join(TreatmentSession, col(TreatmentSession.id) == Amendment.session_id)
            .where(col(TreatmentSession.patient_id).in_(ids))
            .order_by(col(Amendment.created_at), col(Amendment.id))
        ),
        lambda row: row.session_id,
    )
    by_patient: dict[int, list[SessionRecord]] = defaultdict(list)
    for record in session.exec(
        select(TreatmentSession)
        .where(col(TreatmentSession.patient_id).in_(ids), live())
        .order_by(col(TreatmentSession.performed_at), col(TreatmentSession.id))
    ):
        session_id = stored_id(record.id)
        try:
            by_patient[record.patient_id].append(
                session_record(record, sites[session_id], amendments[session_id])
            )
        except RecordRefused as exc:
            refused.setdefault(record.patient_id, str(exc))
    return by_patient
